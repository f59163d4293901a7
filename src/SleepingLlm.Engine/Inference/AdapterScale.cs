using SleepingLlm.Native;

namespace SleepingLlm.Inference;

/// <summary>A loaded LoRA adapter and the scale a context applies it with.</summary>
public readonly record struct AdapterScale(SafeLlamaAdapterHandle Adapter, float Scale);

static unsafe class Adapters
{
    /// <summary>Sets exactly <paramref name="adapters"/> on a context (none: the bare model); llama.cpp applies them all at once.</summary>
    public static void Set(SafeLlamaContextHandle context, IReadOnlyList<AdapterScale> adapters)
    {
        var handles = new nint[adapters.Count];
        var scales = new float[adapters.Count];
        for (int i = 0; i < adapters.Count; i++) (handles[i], scales[i]) = (adapters[i].Adapter.DangerousGetHandle(), adapters[i].Scale);
        fixed (nint* h = handles)
        fixed (float* s = scales)
        {
            int status = Llama.llama_set_adapters_lora(context, adapters.Count == 0 ? null : h, (nuint)adapters.Count, adapters.Count == 0 ? null : s);
            if (status != 0) throw new SleepingLlmException($"llama.cpp refused the adapters ({status})");
        }
    }
}
