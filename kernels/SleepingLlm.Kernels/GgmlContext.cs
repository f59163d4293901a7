using SleepingLlm.Native;

namespace SleepingLlm.Kernels;

/// <summary>
/// A ggml context that holds tensor metadata only (no_alloc): the data lives in a backend buffer,
/// either allocated for all its tensors at once (weights, parameters) or per graph by ggml-alloc.
/// </summary>
public sealed unsafe class GgmlContext : IDisposable
{
    nint handle;
    nint buffer;

    public GgmlContext(int maxTensors, int graphSize = 0)
    {
        nuint size = (nuint)maxTensors * Ggml.ggml_tensor_overhead()
                     + (graphSize > 0 ? Ggml.ggml_graph_overhead_custom((nuint)graphSize, true) : 0);
        handle = Ggml.ggml_init(new GgmlInitParams { MemSize = size, NoAlloc = true });
        if (handle == 0) throw new OutOfMemoryException($"ggml_init({size} bytes) failed");
    }

    /// <summary>Adopts a context made by ggml (gguf_init_from_file).</summary>
    internal GgmlContext(nint existing) => handle = existing;

    internal nint Handle => handle != 0 ? handle : throw new ObjectDisposedException(nameof(GgmlContext));

    public GgmlTensor* NewTensor(int type, long ne0, long ne1 = 1, string? name = null)
    {
        var t = ne1 == 1 ? Ggml.ggml_new_tensor_1d(Handle, type, ne0) : Ggml.ggml_new_tensor_2d(Handle, type, ne0, ne1);
        if (t == null) throw new OutOfMemoryException("ggml context is full");
        if (name is not null) Ggml.ggml_set_name(t, name);
        return t;
    }

    /// <summary>Gives every tensor of this context memory in one backend buffer (zeroed data is not guaranteed).</summary>
    public void AllocateOn(Backend backend)
    {
        if (buffer != 0) throw new InvalidOperationException("already allocated");
        buffer = Ggml.ggml_backend_alloc_ctx_tensors(Handle, backend.Handle);
        if (buffer == 0) throw new SleepingLlmException($"cannot allocate tensors on {backend.Name}");
    }

    public void Dispose()
    {
        if (buffer != 0) Ggml.ggml_backend_buffer_free(buffer);
        if (handle != 0) Ggml.ggml_free(handle);
        buffer = handle = 0;
    }
}
