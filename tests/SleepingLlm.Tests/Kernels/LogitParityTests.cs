using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Kernels;

/// <summary>Item 6(a): our graph's logits against llama.cpp's on a 128-token WikiText chunk.</summary>
[Collection(ModelCompute.Name)]
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

        Assert.Equal(reference.Length, ours.Length);
        var (maxDelta, mismatches) = LogitComparison.Compare(reference, ours, model.VocabularySize);
        output.WriteLine($"{file}: max |Δlogit| = {maxDelta:G4} over {tokens.Length} positions, top-1 mismatches {mismatches}");
        Assert.Equal(0, mismatches);
    }
}

/// <summary>How two [positions × vocabulary] logit arrays differ: largest |Δ| and positions whose top-1 differs.</summary>
static class LogitComparison
{
    public static (double MaxDelta, int Mismatches) Compare(float[] expected, float[] actual, int vocab)
    {
        double maxDelta = 0;
        int mismatches = 0;
        for (int i = 0; i < expected.Length / vocab; i++)
        {
            var e = expected.AsSpan(i * vocab, vocab);
            var a = actual.AsSpan(i * vocab, vocab);
            if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(e) != System.Numerics.Tensors.TensorPrimitives.IndexOfMax(a)) mismatches++;
            for (int j = 0; j < vocab; j++) maxDelta = Math.Max(maxDelta, Math.Abs(e[j] - a[j]));
        }
        return (maxDelta, mismatches);
    }
}

/// <summary>Item 4: the F32 tail that GPU backends train through gives the quantized model's predictions.</summary>
public sealed unsafe class DequantizedTailTests(ITestOutputHelper output)
{
    [Fact]
    public void Tail_dequantized_to_F32_predicts_as_the_quantized_model()
    {
        using var model = Model.Load(TestModels.SmolLm2);
        int[] tokens = model.Tokenize(WikiText.Chunk(2000), addSpecial: true)[..64];
        using var backend = Backend.Cpu();
        float[] Logits(int? f32From)
        {
            using var weights = ModelWeights.Load(TestModels.SmolLm2, backend, f32From);
            using var graph = new ComputeGraph(backend);
            var forward = TransformerGraph.Build(graph, weights, new Forward { Tokens = tokens });
            graph.Compute();
            return Tensors.GetFloats(forward.Logits);
        }
        float[] quantized = Logits(null), widened = Logits(20);
        var (maxDelta, mismatches) = LogitComparison.Compare(quantized, widened, model.VocabularySize);
        int agree = tokens.Length - mismatches;
        output.WriteLine($"layers 20-29 in F32: top-1 agreement {agree}/{tokens.Length}, max |Δlogit| {maxDelta:G3}");
        Assert.True(maxDelta > 0, "the F32 path was not taken");
        Assert.True(agree >= tokens.Length * 0.95, $"top-1 agreement {agree}/{tokens.Length}");
    }
}

/// <summary>Item 1: the second architecture (Qwen2: attention biases, NeoX RoPE) and an untied quantized Llama, on synthetic models.</summary>
public sealed unsafe class SyntheticParityTests(ITestOutputHelper output) : ScratchDirectory("sleepingllm-synth-parity-")
{
    [Theory]
    [InlineData("qwen2-tiny", SleepingLlm.Gguf.GgmlType.F32)]
    [InlineData("qwen2-tiny", SleepingLlm.Gguf.GgmlType.Q8_0)]
    [InlineData("tiny", SleepingLlm.Gguf.GgmlType.Q8_0)]
    public void Graph_matches_llama_cpp_on_a_synthetic_model(string shape, SleepingLlm.Gguf.GgmlType type)
    {
        string path = Path.Combine(directory, $"{shape}-{type}.gguf");
        SleepingLlm.Synth.SynthModel.Write(SleepingLlm.Synth.SynthShape.Preset(shape), type, TestModels.SmolLm2, path, seed: 3, progress: null);
        using var model = Model.Load(path);
        int[] tokens = model.Tokenize(WikiText.Chunk(1000))[..64];
        float[] reference;
        using (var scorer = new Scorer(model, 64)) reference = scorer.Logits(tokens);

        using var backend = Backend.Cpu();
        using var weights = ModelWeights.Load(path, backend);
        using var graph = new ComputeGraph(backend);
        var forward = TransformerGraph.Build(graph, weights, new Forward { Tokens = tokens });
        graph.Compute();
        float[] ours = Tensors.GetFloats(forward.Logits);

        var (maxDelta, mismatches) = LogitComparison.Compare(reference, ours, model.VocabularySize);
        output.WriteLine($"{shape} {type} ({weights.Hparams.Architecture}): max |Δlogit| {maxDelta:G3}, top-1 mismatches {mismatches}/{tokens.Length}");
        Assert.Equal(0, mismatches);
        Assert.True(maxDelta < 1e-3, $"max |Δlogit| {maxDelta}");
    }
}
