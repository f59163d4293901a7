using SleepingLlm.Kernels;
using SleepingLlm.Native;

namespace SleepingLlm.Wake;

/// <summary>One column of a memory's edit at a layer: ΔW_l += Scale · b aᵀ (a: n_ff, b: n_embd).</summary>
public sealed record EditColumn(int Layer, float[] A, float[] B, float Scale = 1f);

/// <summary>
/// Edit columns as fixed low-rank terms on ffn_down for the kernel graph, so every pass sees the
/// model as llama.cpp runs it with the memory adapter.
/// </summary>
public sealed unsafe class LowRankSet : IDisposable
{
    readonly ParameterSet? parameters;

    public LowRankSet(Backend backend, Hyperparameters hp, IEnumerable<EditColumn> columns)
    {
        var byLayer = columns.GroupBy(c => c.Layer).ToList();
        if (byLayer.Count == 0) return;
        parameters = new ParameterSet(backend, 2 * byLayer.Count + 2);
        var pending = new List<(nint A, nint B, float[] AValues, float[] BValues)>();
        foreach (var layer in byLayer)
        {
            var list = layer.ToList();
            int rank = list.Count;
            var a = parameters.Add($"mem.{layer.Key}.a", hp.FeedForwardLength, rank, trainable: false);
            var b = parameters.Add($"mem.{layer.Key}.b", rank, hp.EmbeddingLength, trainable: false);
            // ggml dims a [n_ff, r]: row j is column j's a; b [r, n_embd]: entry (i, j) at i·r + j.
            var aValues = new float[hp.FeedForwardLength * rank];
            var bValues = new float[rank * hp.EmbeddingLength];
            for (int j = 0; j < rank; j++)
            {
                for (int i = 0; i < hp.FeedForwardLength; i++) aValues[j * hp.FeedForwardLength + i] = list[j].A[i] * list[j].Scale;
                for (int i = 0; i < hp.EmbeddingLength; i++) bValues[i * rank + j] = list[j].B[i];
            }
            Terms.Add(new LowRank(layer.Key, "ffn_down", a, b));
            pending.Add(((nint)a, (nint)b, aValues, bValues));
        }
        parameters.Allocate();
        foreach (var (a, b, av, bv) in pending)
        {
            Tensors.Set<float>((GgmlTensor*)a, av);
            Tensors.Set<float>((GgmlTensor*)b, bv);
        }
    }

    public List<LowRank> Terms { get; } = [];

    public void Dispose() => parameters?.Dispose();
}
