using System.Runtime.InteropServices;
using SleepingLlm.Gguf;
using SleepingLlm.Inference;
using SleepingLlm.Memory;

namespace SleepingLlm.Tests.Memory;

/// <summary>The adapter built from the store: llama.cpp loads it, and its B·A is Σ scale_j b_j a_jᵀ.</summary>
public sealed class AdapterBuilderTests : IDisposable
{
    const string Sha = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    // stories260K's shape: n_ff 172, n_embd 64; edits at layers 1 and 3.
    const int Nff = 172, Nembd = 64;

    readonly string directory = Path.Combine(Path.GetTempPath(), $"sleepingllm-adapter-{Guid.NewGuid():N}");
    readonly Random random = new(23);
    readonly MemoryStore store;

    public AdapterBuilderTests() => store = MemoryStore.Open(directory, Sha, "stories260K");

    public void Dispose()
    {
        store.Dispose();
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    string AdapterPath => Path.Combine(store.AdapterDirectory, "memit.gguf");

    float[] Noise(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * 0.1f)];

    long Remember(string subject, float scale, params int[] layers) => store.AddFact(
        new NewFact(subject, "is", "x", $"{subject} is") { Scale = scale },
        [.. layers.Select(l => new LayerFactor(l, Noise(Nff), Noise(Nembd)))],
        [.. layers.Select(l => new LayerKey(l, Noise(Nff)))]);

    /// <summary>Σ_j scale_j b_j a_jᵀ at a layer, in double, from the store (n_embd × n_ff, row-major).</summary>
    double[] Expected(int layer)
    {
        var delta = new double[Nembd * Nff];
        foreach (var fact in store.AllActiveFactors().Single(l => l.Layer == layer).Facts)
            for (int o = 0; o < Nembd; o++)
                for (int i = 0; i < Nff; i++)
                    delta[o * Nff + i] += (double)fact.Scale * fact.B[o] * fact.A[i];
        return delta;
    }

    /// <summary>B·A at a layer as the adapter file holds it, read with our GGUF reader.</summary>
    static (double[] Delta, int Rank) FromFile(GgufFile file, int layer)
    {
        var a = file.FindTensor($"blk.{layer}.ffn_down.weight.lora_a")!;
        var b = file.FindTensor($"blk.{layer}.ffn_down.weight.lora_b")!;
        Assert.Equal(GgmlType.F16, a.Type);
        int rank = (int)a.Dimensions[1];
        Assert.Equal([Nff, rank], a.Dimensions);
        Assert.Equal([rank, Nembd], b.Dimensions);
        var av = MemoryMarshal.Cast<byte, Half>(file.ReadTensorData(a)).ToArray(); // rank rows of n_ff
        var bv = MemoryMarshal.Cast<byte, Half>(file.ReadTensorData(b)).ToArray(); // n_embd rows of rank
        var delta = new double[Nembd * Nff];
        for (int o = 0; o < Nembd; o++)
            for (int i = 0; i < Nff; i++)
            {
                double sum = 0;
                for (int j = 0; j < rank; j++) sum += (double)bv[o * rank + j] * (double)av[j * Nff + i];
                delta[o * Nff + i] = sum;
            }
        return (delta, rank);
    }

    static void AssertClose(double[] expected, double[] actual)
    {
        double scale = expected.Max(Math.Abs);
        Assert.True(scale > 0);
        double error = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        // F16 tensors: each product carries about 2⁻¹⁰ of relative error.
        Assert.True(error < 2e-3 * scale, $"max |ΔW - expected| = {error} (scale {scale})");
    }

    [Fact]
    public void The_adapter_is_the_sum_of_the_scaled_facts_and_llama_cpp_loads_it()
    {
        var model = GgufFile.Read(TestModels.Stories260K);
        string architecture = model.GetString("general.architecture");
        Assert.Equal(Nff, model.GetInt32($"{architecture}.feed_forward_length"));
        Assert.Equal(Nembd, model.GetInt32($"{architecture}.embedding_length"));

        Remember("one", 1f, 1, 3);
        Remember("two", 0.5f, 1, 3);
        Remember("three", 0.25f, 3); // only at layer 3: its column at layer 1 is zero padding

        Assert.Equal(AdapterPath, AdapterBuilder.Build(store, architecture, AdapterPath));
        var file = GgufFile.Read(AdapterPath);
        Assert.Equal("adapter", file.GetString("general.type"));
        Assert.Equal("lora", file.GetString("adapter.type"));
        Assert.Equal(3f, file.GetFloat("adapter.lora.alpha"));
        Assert.Equal(4, file.Tensors.Count);
        foreach (int layer in new[] { 1, 3 })
        {
            var (delta, rank) = FromFile(file, layer);
            Assert.Equal(3, rank);
            AssertClose(Expected(layer), delta);
        }
        // A few entries by hand: ΔW[o, i] = Σ_j s_j b_j[o] a_j[i].
        var facts = store.AllActiveFactors().Single(l => l.Layer == 3).Facts;
        var (fromFile, _) = FromFile(file, 3);
        foreach (var (o, i) in new[] { (0, 0), (63, 171), (17, 99) })
            Assert.Equal(facts.Sum(f => (double)f.Scale * f.B[o] * f.A[i]), fromFile[o * Nff + i], 2e-3 * facts.Max(f => Math.Abs(f.B[o]) * f.A.Max(Math.Abs)));

        using var llama = Model.Load(TestModels.Stories260K);
        using var adapter = llama.LoadAdapter(AdapterPath);
        Assert.False(adapter.IsInvalid);
    }

    [Fact]
    public void A_fact_with_scale_zero_contributes_nothing()
    {
        Remember("kept", 1f, 1, 3);
        long zero = Remember("faded", 1f, 1, 3);
        Remember("also kept", 0.75f, 1);
        store.SetScale(zero, 0f);

        AdapterBuilder.Build(store, "llama", AdapterPath);
        var file = GgufFile.Read(AdapterPath);
        var (layer1, rank) = FromFile(file, 1);
        Assert.Equal(2, rank);
        var (layer3, _) = FromFile(file, 3);

        // The same memory without the faded fact gives the same ΔW.
        Assert.True(store.Forget(zero));
        AssertClose(Expected(1), layer1);
        AssertClose(Expected(3), layer3);
        string again = Path.Combine(store.AdapterDirectory, "without.gguf");
        AdapterBuilder.Build(store, "llama", again);
        Assert.Equal(File.ReadAllBytes(again), File.ReadAllBytes(AdapterPath));
    }

    [Fact]
    public void No_active_edit_means_no_adapter_and_a_stale_file_is_removed()
    {
        Assert.Null(AdapterBuilder.Build(store, "llama", AdapterPath));
        Assert.False(File.Exists(AdapterPath));
        Assert.Empty(AdapterBuilder.EditNorms(store));

        long id = Remember("only", 1f, 1);
        Assert.NotNull(AdapterBuilder.Build(store, "llama", AdapterPath));
        Assert.True(File.Exists(AdapterPath));
        store.SetScale(id, 0f);
        Assert.Null(AdapterBuilder.Build(store, "llama", AdapterPath));
        Assert.False(File.Exists(AdapterPath));
        Assert.Equal([new LayerNorm(1, 0)], AdapterBuilder.EditNorms(store));
        store.Forget(id);
        Assert.Null(AdapterBuilder.Build(store, "llama", AdapterPath));
    }

    [Fact]
    public void Edit_norms_match_the_dense_matrices()
    {
        Remember("one", 1f, 1, 3);
        Remember("two", 0.5f, 1, 3);
        Remember("three", -0.3f, 3);
        Remember("four", 0f, 1);

        var norms = AdapterBuilder.EditNorms(store);
        Assert.Equal([1, 3], norms.Select(n => n.Layer));
        foreach (var norm in norms)
        {
            double dense = Math.Sqrt(Expected(norm.Layer).Sum(v => v * v));
            Assert.True(dense > 0);
            Assert.Equal(dense, norm.Norm, dense * 1e-9);
        }
    }
}
