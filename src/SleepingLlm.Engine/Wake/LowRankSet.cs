using SleepingLlm.Kernels;
using SleepingLlm.Native;

namespace SleepingLlm.Wake;

/// <summary>One column of a memory's edit at a layer: ΔW_l += Scale · b aᵀ (a: n_ff, b: n_embd).</summary>
public sealed record EditColumn(int Layer, float[] A, float[] B, float Scale = 1f);

/// <summary>
/// Edit columns as fixed low-rank terms on ffn_down for the kernel graph, and the consolidated adapter's
/// factors beside them, so every pass sees the model as llama.cpp runs it with the memory's adapters.
/// </summary>
public sealed unsafe class LowRankSet : IDisposable
{
    readonly ParameterSet? parameters;

    /// <param name="consolidated">Sleep's LoRA (at scale 1, as <see cref="Memory.AdapterSet"/> loads it); null: none.</param>
    public LowRankSet(Backend backend, Hyperparameters hp, IEnumerable<EditColumn> columns, IReadOnlyList<LoraFactors>? consolidated = null)
    {
        var byLayer = columns.GroupBy(c => c.Layer).ToList();
        consolidated ??= [];
        if (byLayer.Count == 0 && consolidated.Count == 0) return;
        parameters = new ParameterSet(backend, 2 * (byLayer.Count + consolidated.Count) + 2);
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
        // A LoRA's factors are already in the graph's layout (A [n_in, r], B [r, n_out]).
        foreach (var lora in consolidated)
        {
            var a = parameters.Add($"lora.{lora.Layer}.{lora.Matrix}.a", lora.InputDim, lora.Rank, trainable: false);
            var b = parameters.Add($"lora.{lora.Layer}.{lora.Matrix}.b", lora.Rank, lora.OutputDim, trainable: false);
            Terms.Add(new LowRank(lora.Layer, lora.Matrix, a, b));
            pending.Add(((nint)a, (nint)b, lora.A, lora.B));
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
