using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using SleepingLlm.Native;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Kernels;

/// <summary>Item 6(c): gradients from ggml's backward against central finite differences (F32 model).</summary>
[Collection(ModelCompute.Name)]
public sealed unsafe class GradientTests : IDisposable
{
    readonly ITestOutputHelper output;
    readonly Backend backend = Backend.Cpu();
    readonly ModelWeights weights;
    readonly int[] tokens = Tokens();

    public GradientTests(ITestOutputHelper output)
    {
        this.output = output;
        weights = ModelWeights.Load(TestModels.Stories260K, backend);
    }

    public void Dispose()
    {
        weights.Dispose();
        backend.Dispose();
    }

    static int[] Tokens()
    {
        using var model = Model.Load(TestModels.Stories260K);
        return model.Tokenize("Once upon a time there was a little girl named Lily. She loved to play.");
    }

    [Fact]
    public void Gradient_of_value_delta_matches_finite_differences()
    {
        int embd = weights.Hparams.EmbeddingLength;
        using var parameters = new ParameterSet(backend);
        var delta = parameters.Add("delta", embd);
        parameters.Allocate();
        Tensors.Set<float>(delta, Random(embd, 0.1f, seed: 1));

        using var graph = new ComputeGraph(backend);
        var forward = TransformerGraph.Build(graph, weights, new Forward
        {
            Tokens = tokens,
            OutputPositions = [4, 5, 6, 7],
            Delta = new ValueDelta(2, [3], delta),
        });
        var loss = Losses.Sum(graph,
            (nint)Losses.Nll(graph, forward.Logits, tokens[5..9]),
            (nint)Losses.SquaredNorm(graph, delta, 0.05f));
        graph.Minimise(loss);

        AssertMatchesFiniteDifferences(graph, loss, delta);
    }

    [Fact]
    public void Gradients_of_lora_factors_match_finite_differences()
    {
        var hp = weights.Hparams;
        int rank = 2, kv = hp.KvHeadCount * hp.HeadDim;
        using var parameters = new ParameterSet(backend);
        var vA = parameters.Add("v.lora_a", hp.EmbeddingLength, rank);
        var vB = parameters.Add("v.lora_b", rank, kv);
        var downA = parameters.Add("down.lora_a", hp.FeedForwardLength, rank);
        var downB = parameters.Add("down.lora_b", rank, hp.EmbeddingLength);
        parameters.Allocate();
        int seed = 10;
        foreach (var t in new[] { (nint)vA, (nint)vB, (nint)downA, (nint)downB })
            Tensors.Set<float>((GgmlTensor*)t, Random((int)Ggml.ggml_nelements((GgmlTensor*)t), 0.05f, seed++));

        using var graph = new ComputeGraph(backend);
        var forward = TransformerGraph.Build(graph, weights, new Forward
        {
            Tokens = tokens,
            OutputPositions = [6, 7, 8],
            LowRank = [new LowRank(1, "attn_v", vA, vB), new LowRank(3, "ffn_down", downA, downB, scale: 2f)],
        });
        var loss = Losses.Nll(graph, forward.Logits, tokens[7..10]);
        graph.Minimise(loss);

        foreach (var p in new[] { (nint)vA, (nint)vB, (nint)downA, (nint)downB })
            AssertMatchesFiniteDifferences(graph, loss, (GgmlTensor*)p);
    }

    /// <summary>Central differences on the coordinates with the largest gradients; relative error of that sub-vector.</summary>
    void AssertMatchesFiniteDifferences(ComputeGraph graph, GgmlTensor* loss, GgmlTensor* parameter, int coordinates = 12, float h = 1e-2f)
    {
        graph.Compute();
        float[] analytic = Tensors.GetFloats(graph.Gradient(parameter));
        float[] values = Tensors.GetFloats(parameter);
        int[] largest = Enumerable.Range(0, analytic.Length).OrderByDescending(i => Math.Abs(analytic[i])).Take(coordinates).ToArray();
        double diff = 0, norm = 0;
        foreach (int i in largest)
        {
            float original = values[i];
            values[i] = original + h;
            Tensors.Set<float>(parameter, values);
            graph.Compute();
            double up = Tensors.GetScalar(loss);
            values[i] = original - h;
            Tensors.Set<float>(parameter, values);
            graph.Compute();
            double down = Tensors.GetScalar(loss);
            values[i] = original;
            double numeric = (up - down) / (2 * h);
            diff += (numeric - analytic[i]) * (numeric - analytic[i]);
            norm += (double)analytic[i] * analytic[i];
        }
        Tensors.Set<float>(parameter, values);
        double relative = Math.Sqrt(diff / norm);
        output.WriteLine($"{parameter->NameString}: relative error {relative:G3} over {largest.Length} coordinates (|g| max {Math.Abs(analytic[largest[0]]):G3})");
        Assert.True(norm > 0, "the gradient is zero");
        Assert.True(relative < 1e-2, $"{parameter->NameString}: relative error {relative:G3}");
    }

    static float[] Random(int n, float scale, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
    }
}
