using SleepingLlm.Inference;
using SleepingLlm.Kernels;

namespace SleepingLlm.Tests.Kernels;

/// <summary>Item 2: layers [a, b) from a given residual stream, and intermediates at chosen positions.</summary>
public sealed unsafe class PartialGraphTests : IDisposable
{
    readonly Backend backend = Backend.Cpu();
    readonly ModelWeights weights;
    readonly int[] tokens;

    public PartialGraphTests()
    {
        weights = ModelWeights.Load(TestModels.Stories260K, backend);
        using var model = Model.Load(TestModels.Stories260K);
        tokens = model.Tokenize("Once upon a time there was a little girl named Lily. She loved to play outside.");
    }

    public void Dispose()
    {
        weights.Dispose();
        backend.Dispose();
    }

    [Fact]
    public void Running_the_tail_from_a_captured_residual_gives_the_full_models_logits()
    {
        using var full = new ComputeGraph(backend);
        var all = TransformerGraph.Build(full, weights, new Forward { Tokens = tokens, Read = [(Intermediate.LayerOutput, 1)] });
        full.Compute();
        float[] residual = Tensors.GetFloats(all.Intermediate(Intermediate.LayerOutput, 1));
        Assert.Equal(weights.Hparams.EmbeddingLength * tokens.Length, residual.Length);

        using var tail = new ComputeGraph(backend);
        var rest = TransformerGraph.Build(tail, weights, new Forward { Tokens = tokens, FirstLayer = 2, Residual = residual });
        tail.Compute();
        Assert.Equal(Tensors.GetFloats(all.Logits), Tensors.GetFloats(rest.Logits));
    }

    [Fact]
    public void Intermediates_at_chosen_positions_are_those_rows_of_the_whole_sequence()
    {
        (Intermediate, int)[] read = [(Intermediate.FfnInput, 2), (Intermediate.FfnDownInput, 2), (Intermediate.FfnOutput, 3), (Intermediate.LayerOutput, 4)];
        using var everyRow = new ComputeGraph(backend);
        var all = TransformerGraph.Build(everyRow, weights, new Forward { Tokens = tokens, Logits = false, EndLayer = 5, Read = read });
        everyRow.Compute();
        int[] positions = [3, 7];
        using var someRows = new ComputeGraph(backend);
        var some = TransformerGraph.Build(someRows, weights, new Forward { Tokens = tokens, Logits = false, EndLayer = 5, Read = read, OutputPositions = positions });
        someRows.Compute();

        foreach (var (kind, layer) in read)
        {
            float[] whole = Tensors.GetFloats(all.Intermediate(kind, layer));
            float[] chosen = Tensors.GetFloats(some.Intermediate(kind, layer));
            int dim = whole.Length / tokens.Length;
            Assert.Equal(kind == Intermediate.FfnDownInput ? weights.Hparams.FeedForwardLength : weights.Hparams.EmbeddingLength, dim);
            for (int i = 0; i < positions.Length; i++)
                Assert.Equal(whole.AsSpan(positions[i] * dim, dim).ToArray(), chosen.AsSpan(i * dim, dim).ToArray());
        }
    }

    [Fact]
    public void Other_architectures_are_refused_with_a_clear_message()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sleepingllm-gpt2-{Guid.NewGuid():N}.gguf");
        try
        {
            new SleepingLlm.Gguf.GgufWriter()
                .Add("general.architecture", SleepingLlm.Gguf.GgufValue.String("gpt2"))
                .WriteTo(path);
            var e = Assert.Throws<SleepingLlmException>(() => ModelWeights.Load(path, backend));
            Assert.Contains("architecture 'gpt2' is not supported", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

public sealed unsafe class DeltaOnResidualInputTests
{
    [Fact]
    public void A_delta_on_the_cached_residual_equals_the_delta_inside_the_full_graph()
    {
        using var backend = Backend.Cpu();
        using var weights = ModelWeights.Load(TestModels.Stories260K, backend);
        using var model = Model.Load(TestModels.Stories260K);
        int[] tokens = model.Tokenize("Once upon a time there was a little girl named Lily.");
        using var parameters = new ParameterSet(backend);
        var delta = parameters.Add("delta", weights.Hparams.EmbeddingLength);
        parameters.Allocate();
        var random = new Random(3);
        Tensors.Set<float>(delta, Enumerable.Range(0, weights.Hparams.EmbeddingLength).Select(_ => (float)random.NextDouble() - 0.5f).ToArray());

        using var full = new ComputeGraph(backend);
        var all = TransformerGraph.Build(full, weights, new Forward
        {
            Tokens = tokens, Delta = new ValueDelta(2, [4, 6], delta), Read = [(Intermediate.LayerOutput, 2)],
        });
        using var plain = new ComputeGraph(backend);
        var noDelta = TransformerGraph.Build(plain, weights, new Forward { Tokens = tokens, Logits = false, EndLayer = 3, Read = [(Intermediate.LayerOutput, 2)] });
        full.Compute();
        plain.Compute();

        using var tail = new ComputeGraph(backend);
        var rest = TransformerGraph.Build(tail, weights, new Forward
        {
            Tokens = tokens, FirstLayer = 3, Residual = Tensors.GetFloats(noDelta.Intermediate(Intermediate.LayerOutput, 2)),
            Delta = new ValueDelta(2, [4, 6], delta),
        });
        tail.Compute();
        float[] expected = Tensors.GetFloats(all.Logits), actual = Tensors.GetFloats(rest.Logits);
        Assert.True(expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)) < 1e-4);
    }
}
