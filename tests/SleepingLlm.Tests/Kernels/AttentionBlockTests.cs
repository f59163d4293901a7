using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using SleepingLlm.Native;

namespace SleepingLlm.Tests.Kernels;

/// <summary>
/// Sleep packs its sequences in attention blocks, so a step's attention costs Σ block² and not (all tokens)²:
/// the logits and the LoRA gradient must be those of one pack where every sequence already sees only itself.
/// </summary>
public sealed unsafe class AttentionBlockTests
{
    /// <summary>Stories260K, and SmolLM2 for its grouped-query attention (9 query heads over 3 key-value heads).</summary>
    [Theory]
    [InlineData("stories260K.gguf")]
    [InlineData("SmolLM2-135M-Instruct.Q4_1.gguf")]
    public void Sequences_in_blocks_give_the_logits_and_gradient_of_one_pack(string file)
    {
        string path = TestModels.Path(file);
        using var model = Model.Load(path);
        string[] texts = ["Once upon a time there was a little girl named Lily. She loved", "Once upon a time there was a little boy named Tom. He liked",
            "The sun was hot and the dog wanted to play", "The sun was hot and the cat went to sleep under a tree"];
        int[][] tokens = [.. texts.Select(t => model.Tokenize(t))];
        using var backend = Backend.Cpu(2);
        using var weights = ModelWeights.Load(path, backend);
        var hp = weights.Hparams;
        using var parameters = new ParameterSet(backend);
        var (ap, bp) = RandomLowRank.Add(parameters, hp, seed: 5);
        GgmlTensor* a = (GgmlTensor*)ap, b = (GgmlTensor*)bp;

        // Two stemmed pairs; the second pair starts a block in one pack and not in the other.
        int shared1 = Shared(tokens[0], tokens[1]), shared2 = Shared(tokens[2], tokens[3]);
        Assert.True(shared1 >= 4 && shared2 >= 4);
        SequenceTail[] Tails(bool blocked) =>
        [
            SequenceTail.Whole(tokens[0], [.. Enumerable.Range(0, tokens[0].Length)]),
            SequenceTail.Whole(tokens[1][shared1..], [.. Enumerable.Range(0, tokens[1].Length - shared1)]) with { Stem = (0, shared1) },
            SequenceTail.Whole(tokens[2], [.. Enumerable.Range(0, tokens[2].Length)]) with { StartsBlock = blocked },
            SequenceTail.Whole(tokens[3][shared2..], [.. Enumerable.Range(0, tokens[3].Length - shared2)]) with { Stem = (2, shared2) },
        ];
        var whole = Packing.Pack(Tails(false), 0, hp).Forward;
        var blocks = Packing.Pack(Tails(true), 0, hp).Forward;
        Assert.Null(whole.Blocks);
        Assert.Equal([tokens[0].Length + tokens[1].Length - shared1, tokens[2].Length + tokens[3].Length - shared2], blocks.Blocks!.Select(x => x.Length));

        // A stem must lie in its own block.
        Assert.Throws<ArgumentException>(() => Packing.Pack([.. Tails(true)[..3], Tails(true)[3] with { Stem = (0, shared1) }], 0, hp));

        var one = Run(whole);
        var two = Run(blocks);
        double logitScale = one.Logits.Max(Math.Abs);
        Assert.True(MaxDifference(one.Logits, two.Logits) < 1e-5 * logitScale, $"logits differ by {MaxDifference(one.Logits, two.Logits)} (scale {logitScale})");
        double scale = one.Gradient.Max(Math.Abs);
        Assert.True(scale > 0);
        Assert.True(MaxDifference(one.Gradient, two.Gradient) < 1e-5 * scale, $"gradients differ by {MaxDifference(one.Gradient, two.Gradient)} (scale {scale})");

        (float[] Logits, float[] Gradient) Run(Forward forward)
        {
            using var graph = new ComputeGraph(backend);
            var f = TransformerGraph.Build(graph, weights, forward with { LowRank = [new LowRank(1, "ffn_down", a, b)] });
            var logits = graph.Output(f.Logits);
            int[] targets = [.. forward.Tokens.Skip(1).Append(forward.Tokens[0]).Select((t, i) => (t + i) % hp.VocabSize)];
            graph.Minimise(Losses.Nll(graph, logits, targets));
            graph.Compute();
            return (Tensors.GetFloats(logits), Tensors.GetFloats(graph.Gradient(a)));
        }
    }

    static int Shared(int[] x, int[] y) => Enumerable.Range(0, Math.Min(x.Length, y.Length)).First(i => x[i] != y[i]);

    static double MaxDifference(float[] x, float[] y) => x.Zip(y, (p, q) => (double)Math.Abs(p - q)).Max();
}
