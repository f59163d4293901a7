using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Kernels;

/// <summary>Item 6(a): our graph's logits against llama.cpp's on a 128-token WikiText chunk.</summary>
public sealed unsafe class LogitParityTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models => new() { "SmolLM2-135M-Instruct.Q4_1.gguf", "stories260K.gguf" };

    [Theory]
    [MemberData(nameof(Models))]
    public void Top1_matches_llama_cpp_at_every_position(string file)
    {
        string path = TestModels.Path(file);
        using var model = Model.Load(path);
        int[] tokens = model.Tokenize(WikiText.Chunk(4000), addSpecial: true)[..128];
        float[] reference;
        using (var scorer = new Scorer(model, 128)) reference = scorer.Logits(tokens);

        using var backend = Backend.Cpu();
        using var weights = ModelWeights.Load(path, backend);
        using var graph = new ComputeGraph(backend);
        var forward = TransformerGraph.Build(graph, weights, new Forward { Tokens = tokens });
        graph.Compute();
        float[] ours = Tensors.GetFloats(forward.Logits);
        Assert.True(ours.Max() - ours.Min() > 1, "degenerate logits");

        int vocab = model.VocabularySize;
        Assert.Equal(reference.Length, ours.Length);
        double maxDelta = 0;
        int mismatches = 0;
        for (int i = 0; i < tokens.Length; i++)
        {
            var r = reference.AsSpan(i * vocab, vocab);
            var o = ours.AsSpan(i * vocab, vocab);
            if (ArgMax(r) != ArgMax(o)) mismatches++;
            for (int j = 0; j < vocab; j++) maxDelta = Math.Max(maxDelta, Math.Abs(r[j] - o[j]));
        }
        output.WriteLine($"{file}: max |Δlogit| = {maxDelta:G4} over {tokens.Length} positions, top-1 mismatches {mismatches}");
        Assert.Equal(0, mismatches);
    }

    static int ArgMax(ReadOnlySpan<float> values) => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(values);
}
