using SleepingLlm.Native;

namespace SleepingLlm.Kernels;

/// <summary>
/// Tensors that outlive a graph: trainable ones (MEMIT's δ, LoRA factors) and fixed ones (stored
/// memories' low-rank deltas). Declare them all, then <see cref="Allocate"/>, then set values.
/// </summary>
public sealed unsafe class ParameterSet(Backend backend, int maxTensors = 1024) : IDisposable
{
    readonly GgmlContext context = new(maxTensors);
    bool allocated;

    /// <summary>An F32 tensor [ne0, ne1]; trainable tensors get gradients in graphs that use them.</summary>
    public GgmlTensor* Add(string name, long ne0, long ne1 = 1, bool trainable = true)
    {
        if (allocated) throw new InvalidOperationException("parameters are already allocated");
        var t = context.NewTensor(Ggml.TypeF32, ne0, ne1, name);
        if (trainable) Ggml.ggml_set_param(t);
        return t;
    }

    public void Allocate()
    {
        context.AllocateOn(backend);
        allocated = true;
    }

    public void Dispose() => context.Dispose();
}
