using SleepingLlm.Inference;
using SleepingLlm.Kernels;

namespace SleepingLlm.Tests.Kernels;

/// <summary>
/// v*'s cached prefix: the tokens before the first δ position are computed once; the tail then runs
/// only the later tokens against their keys and values. Logits and δ's gradient must not change.
/// </summary>
public sealed unsafe class AttentionPrefixTests
{
    [Fact]
    public void The_tail_after_a_cached_prefix_gives_the_logits_and_gradient_of_the_whole_sequence()
    {
        using var backend = Backend.Cpu();
        using var weights = ModelWeights.Load(TestModels.SmolLm2, backend, f32FromLayer: 5);
        using var model = Model.Load(TestModels.SmolLm2);
        var hp = weights.Hparams;
        int[] tokens = model.Tokenize("Because it rained all day, Rafferty Dunmore drives a Citroen to work");
        const int edit = 4, past = 6;
        int[] deltaAt = [7, 9], targetsAt = [10, 11, 12];
        int[] targets = [.. targetsAt.Select(p => tokens[p + 1])];
        int[] tail = Enumerable.Range(edit + 1, hp.LayerCount - edit - 1).ToArray();

        using var parameters = new ParameterSet(backend);
        var delta = parameters.Add("delta", hp.EmbeddingLength);
        parameters.Allocate();
        var random = new Random(5);
        Tensors.Set<float>(delta, Enumerable.Range(0, hp.EmbeddingLength).Select(_ => (float)random.NextDouble() - 0.5f).ToArray());

        using var reads = new ComputeGraph(backend);
        var read = TransformerGraph.Build(reads, weights, new Forward
        {
            Tokens = tokens, Logits = false,
            Read = [(Intermediate.LayerOutput, edit), .. tail.SelectMany(l => new[] { (Intermediate.AttentionKey, l), (Intermediate.AttentionValue, l) })],
        });
        reads.Compute();
        float[] residual = Tensors.GetFloats(read.Intermediate(Intermediate.LayerOutput, edit));
        var prefix = AttentionPrefix.From(read, tail, past, hp);

        var (wholeLogits, wholeGradient) = Run(new Forward
        {
            Tokens = tokens, FirstLayer = edit + 1, Residual = residual, OutputPositions = targetsAt,
            Delta = new ValueDelta(edit, deltaAt, delta),
        });
        var (tailLogits, tailGradient) = Run(new Forward
        {
            Tokens = tokens[past..], FirstLayer = edit + 1, Residual = residual[(past * hp.EmbeddingLength)..], Prefix = prefix,
            OutputPositions = [.. targetsAt.Select(p => p - past)], Delta = new ValueDelta(edit, [.. deltaAt.Select(p => p - past)], delta),
        });

        Assert.True(MaxDifference(wholeLogits, tailLogits) < 1e-3, $"logits differ by {MaxDifference(wholeLogits, tailLogits)}");
        double scale = wholeGradient.Max(Math.Abs);
        Assert.True(scale > 0);
        Assert.True(MaxDifference(wholeGradient, tailGradient) < 1e-3 * scale, $"gradients differ by {MaxDifference(wholeGradient, tailGradient)} (scale {scale})");

        (float[] Logits, float[] Gradient) Run(Forward forward)
        {
            using var graph = new ComputeGraph(backend, maxNodes: 32768);
            var f = TransformerGraph.Build(graph, weights, forward);
            graph.Minimise(Losses.Nll(graph, f.Logits, targets));
            graph.Compute();
            return (Tensors.GetFloats(f.Logits), Tensors.GetFloats(graph.Gradient(delta)));
        }
    }

    [Fact]
    public void Packed_sequences_compute_as_they_would_alone()
    {
        using var backend = Backend.Cpu();
        using var weights = ModelWeights.Load(TestModels.SmolLm2, backend, f32FromLayer: 5);
        using var model = Model.Load(TestModels.SmolLm2);
        var hp = weights.Hparams;
        const int edit = 4;
        int[] tail = Enumerable.Range(edit + 1, hp.LayerCount - edit - 1).ToArray();
        (string Text, int Past, int[] Delta, int[] Outputs)[] texts =
        [
            ("Because it rained all day, Rafferty Dunmore drives a Citroen to work", 6, [7, 9], [10, 11]),
            ("Rafferty Dunmore is a", 2, [3], [4]),
            ("The", 0, [0], [0]),
        ];
        using var parameters = new ParameterSet(backend);
        var delta = parameters.Add("delta", hp.EmbeddingLength);
        parameters.Allocate();
        var random = new Random(7);
        Tensors.Set<float>(delta, Enumerable.Range(0, hp.EmbeddingLength).Select(_ => (float)random.NextDouble() - 0.5f).ToArray());

        var tails = new List<SequenceTail>();
        var alone = new List<float>();
        foreach (var (text, past, deltaAt, outputs) in texts)
        {
            int[] tokens = model.Tokenize(text);
            using var reads = new ComputeGraph(backend);
            var read = TransformerGraph.Build(reads, weights, new Forward
            {
                Tokens = tokens, Logits = false,
                Read = [(Intermediate.LayerOutput, edit), .. tail.SelectMany(l => new[] { (Intermediate.AttentionKey, l), (Intermediate.AttentionValue, l) })],
            });
            reads.Compute();
            float[] residual = Tensors.GetFloats(read.Intermediate(Intermediate.LayerOutput, edit));
            using var whole = new ComputeGraph(backend);
            var f = TransformerGraph.Build(whole, weights, new Forward
            {
                Tokens = tokens, FirstLayer = edit + 1, Residual = residual, OutputPositions = outputs, Delta = new ValueDelta(edit, deltaAt, delta),
            });
            whole.Compute();
            alone.AddRange(Tensors.GetFloats(f.Logits));
            tails.Add(new SequenceTail(tokens[past..], residual[(past * hp.EmbeddingLength)..], AttentionPrefix.From(read, tail, past, hp),
                [.. deltaAt.Select(p => p - past)], [.. outputs.Select(p => p - past)]));
        }

        var packed = Packing.Pack(tails, edit + 1, hp);
        using var graph = new ComputeGraph(backend, maxNodes: 32768);
        var all = TransformerGraph.Build(graph, weights, packed.Forward with { Delta = new ValueDelta(edit, packed.DeltaPositions, delta) });
        graph.Compute();
        float[] together = Tensors.GetFloats(all.Logits);
        Assert.Equal(alone.Count, together.Length);
        Assert.True(MaxDifference([.. alone], together) < 1e-3, $"logits differ by {MaxDifference([.. alone], together)}");
    }

    static double MaxDifference(float[] a, float[] b) => a.Zip(b).Max(p => Math.Abs(p.First - p.Second));
}
