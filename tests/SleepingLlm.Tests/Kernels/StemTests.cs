using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using SleepingLlm.Native;

namespace SleepingLlm.Tests.Kernels;

/// <summary>
/// Sleep's chat sequences share the template's system prompt: packed with a stem, it is computed once and
/// attended to by each sequence, and the logits and the LoRA gradient must be what packing them apart gives.
/// </summary>
public sealed unsafe class StemTests
{
    [Fact]
    public void A_shared_start_computed_once_gives_the_logits_and_gradient_of_separate_sequences()
    {
        using var model = Model.Load(TestModels.Stories260K);
        int[] first = model.Tokenize("Once upon a time there was a little girl named Lily. She loved");
        int[] second = model.Tokenize("Once upon a time there was a little boy named Tom. He liked");
        int shared = Enumerable.Range(0, first.Length).First(i => first[i] != second[i]);
        Assert.True(shared >= 6);
        using var backend = Backend.Cpu(2);
        using var weights = ModelWeights.Load(TestModels.Stories260K, backend);
        var hp = weights.Hparams;
        using var parameters = new ParameterSet(backend);
        var (ap, bp) = RandomLowRank.Add(parameters, hp, seed: 3);
        GgmlTensor* a = (GgmlTensor*)ap, b = (GgmlTensor*)bp;
        int[] outputs = [.. Enumerable.Range(shared, second.Length - 1 - shared)];
        int[] targets = [.. outputs.Select(p => second[p + 1])];

        var apart = Run([SequenceTail.Whole(first, [first.Length - 2]), SequenceTail.Whole(second, outputs)]);
        var stemmed = Run([SequenceTail.Whole(first, [first.Length - 2]),
            SequenceTail.Whole(second[shared..], [.. outputs.Select(p => p - shared)]) with { Stem = (0, shared) }]);

        Assert.True(MaxDifference(apart.Logits, stemmed.Logits) < 1e-4, $"logits differ by {MaxDifference(apart.Logits, stemmed.Logits)}");
        double scale = apart.Gradient.Max(Math.Abs);
        Assert.True(scale > 0);
        Assert.True(MaxDifference(apart.Gradient, stemmed.Gradient) < 1e-4 * scale, $"gradients differ by {MaxDifference(apart.Gradient, stemmed.Gradient)} (scale {scale})");

        (float[] Logits, float[] Gradient) Run(SequenceTail[] tails)
        {
            using var graph = new ComputeGraph(backend);
            var f = TransformerGraph.Build(graph, weights, Packing.Pack(tails, 0, hp).Forward with { LowRank = [new LowRank(1, "ffn_down", a, b)] });
            var logits = graph.Output(f.Logits);
            var rows = Ggml.ggml_get_rows(graph.Ctx, logits, graph.Input([.. Enumerable.Range(0, 1 + targets.Length)], "rows"));
            graph.Minimise(Losses.Nll(graph, rows, [first[^1], .. targets]));
            graph.Compute();
            return (Tensors.GetFloats(logits), Tensors.GetFloats(graph.Gradient(a)));
        }
    }

    static double MaxDifference(float[] x, float[] y) => x.Zip(y, (p, q) => (double)Math.Abs(p - q)).Max();
}
