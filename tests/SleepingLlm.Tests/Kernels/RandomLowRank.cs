using SleepingLlm.Kernels;
using SleepingLlm.Native;

namespace SleepingLlm.Tests.Kernels;

/// <summary>A rank-2 trainable term on ffn_down with random factors: the gradient the packing tests compare.</summary>
static unsafe class RandomLowRank
{
    public static (nint A, nint B) Add(ParameterSet parameters, Hyperparameters hp, int seed)
    {
        var a = parameters.Add("a", hp.FeedForwardLength, 2);
        var b = parameters.Add("b", 2, hp.EmbeddingLength);
        parameters.Allocate();
        var random = new Random(seed);
        Tensors.Set<float>(a, [.. Enumerable.Range(0, hp.FeedForwardLength * 2).Select(_ => (float)random.NextDouble() - 0.5f)]);
        Tensors.Set<float>(b, [.. Enumerable.Range(0, hp.EmbeddingLength * 2).Select(_ => (float)random.NextDouble() - 0.5f)]);
        return ((nint)a, (nint)b);
    }
}
