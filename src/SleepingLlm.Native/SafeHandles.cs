using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>Owns a <c>llama_model *</c>.</summary>
public sealed class SafeLlamaModelHandle : SafeHandle
{
    public SafeLlamaModelHandle() : base(0, ownsHandle: true) { }
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle() { Llama.llama_model_free(handle); return true; }
}

/// <summary>Owns a <c>llama_context *</c> and keeps its model alive until the context is freed.</summary>
public sealed class SafeLlamaContextHandle : SafeHandle
{
    SafeLlamaModelHandle? model;

    public SafeLlamaContextHandle() : base(0, ownsHandle: true) { }
    public override bool IsInvalid => handle == 0;

    /// <summary>Ties the model's lifetime to this context (a context must never outlive its model).</summary>
    public void KeepAlive(SafeLlamaModelHandle owner)
    {
        bool added = false;
        owner.DangerousAddRef(ref added);
        model = owner;
    }

    protected override bool ReleaseHandle()
    {
        Llama.llama_free(handle);
        model?.DangerousRelease();
        return true;
    }
}

/// <summary>Owns a sampler chain (which owns the samplers added to it).</summary>
public sealed class SafeLlamaSamplerHandle : SafeHandle
{
    public SafeLlamaSamplerHandle() : base(0, ownsHandle: true) { }
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle() { Llama.llama_sampler_free(handle); return true; }
}

/// <summary>Owns a <c>llama_adapter_lora *</c> and keeps its model alive (adapters are freed with their model).</summary>
public sealed class SafeLlamaAdapterHandle : SafeHandle
{
    readonly SafeLlamaModelHandle model;

    public SafeLlamaAdapterHandle(nint adapter, SafeLlamaModelHandle model) : base(0, ownsHandle: true)
    {
        bool added = false;
        model.DangerousAddRef(ref added);
        this.model = model;
        SetHandle(adapter);
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        Llama.llama_adapter_lora_free(handle);
        model.DangerousRelease();
        return true;
    }
}

/// <summary>Owns a <c>gguf_context *</c>.</summary>
public sealed class SafeGgufContextHandle : SafeHandle
{
    public SafeGgufContextHandle() : base(0, ownsHandle: true) { }
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle() { GgufNative.gguf_free(handle); return true; }
}
