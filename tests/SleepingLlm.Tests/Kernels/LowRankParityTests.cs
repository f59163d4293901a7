using SleepingLlm.Adapters;
using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using SleepingLlm.Native;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Kernels;

/// <summary>Item 3(c): fixed low-rank deltas in our graph are the model llama.cpp runs with our adapter file.</summary>
public sealed unsafe class LowRankParityTests(ITestOutputHelper output) : IDisposable
{
    readonly string adapterPath = Path.Combine(Path.GetTempPath(), $"sleepingllm-lora-{Guid.NewGuid():N}.gguf");

    public void Dispose() => File.Delete(adapterPath);

    [Fact]
    public void Graph_with_fixed_deltas_equals_llama_cpp_with_the_adapter()
    {
        using var model = Model.Load(TestModels.Stories260K);
        int[] tokens = model.Tokenize("Once upon a time there was a little girl named Lily. She loved to play outside.");
        using var backend = Backend.Cpu();
        using var weights = ModelWeights.Load(TestModels.Stories260K, backend);
        var hp = weights.Hparams;
        var random = new Random(5);
        float[] Noise(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f).ToArray();
        const int rank = 3;
        LoraPair[] pairs = [.. new[] { 1, 3 }.Select(layer => new LoraPair($"blk.{layer}.ffn_down.weight",
            hp.FeedForwardLength, hp.EmbeddingLength, rank, Noise(hp.FeedForwardLength * rank), Noise(rank * hp.EmbeddingLength)))];
        LoraAdapterFile.Write(adapterPath, hp.Architecture, pairs);

        float[] withAdapter, without;
        using (var scorer = new Scorer(model, 64))
        using (var adapter = model.LoadAdapter(adapterPath))
        {
            without = scorer.Logits(tokens);
            scorer.UseAdapter(adapter);
            withAdapter = scorer.Logits(tokens);
            scorer.UseAdapter(null);
            Assert.Equal(without, scorer.Logits(tokens));
        }

        using var parameters = new ParameterSet(backend);
        var terms = pairs.Select((p, i) => (Pair: p, A: (nint)parameters.Add($"a{i}", p.InputDim, rank, trainable: false),
            B: (nint)parameters.Add($"b{i}", rank, p.OutputDim, trainable: false))).ToList();
        parameters.Allocate();
        foreach (var t in terms)
        {
            Tensors.Set<float>((GgmlTensor*)t.A, t.Pair.A);
            Tensors.Set<float>((GgmlTensor*)t.B, t.Pair.B);
        }
        using var graph = new ComputeGraph(backend);
        var forward = TransformerGraph.Build(graph, weights, new Forward
        {
            Tokens = tokens,
            LowRank = [.. terms.Select(t => new LowRank(int.Parse(t.Pair.Weight.Split('.')[1]), "ffn_down", (GgmlTensor*)t.A, (GgmlTensor*)t.B))],
        });
        graph.Compute();
        float[] ours = Tensors.GetFloats(forward.Logits);

        double change = withAdapter.Zip(without).Max(p => Math.Abs(p.First - p.Second));
        double delta = withAdapter.Zip(ours).Max(p => Math.Abs(p.First - p.Second));
        output.WriteLine($"adapter moves logits by up to {change:G3}; graph vs llama.cpp+adapter max |Δ| {delta:G3}");
        Assert.True(change > 0.1, "the adapter did not change the model");
        Assert.True(delta < 1e-3, $"max |Δlogit| {delta}");
    }
}
