using SleepingLlm.Native;

namespace SleepingLlm.Kernels;

/// <summary>
/// A ggml compute backend (CPU here; a GPU backend when the runtime has one) from ggml's registry,
/// so the same graphs run wherever llama.cpp runs.
/// </summary>
public sealed unsafe class Backend : IDisposable
{
    nint handle;

    Backend(nint handle, string name)
    {
        this.handle = handle;
        Name = name;
    }

    public string Name { get; }
    internal nint Handle => handle != 0 ? handle : throw new ObjectDisposedException(nameof(Backend));
    public bool IsCpu => Name.StartsWith("CPU", StringComparison.OrdinalIgnoreCase);

    /// <summary>The CPU backend with <paramref name="threads"/> threads (0 = all cores).</summary>
    public static Backend Cpu(int threads = 0)
    {
        NativeRuntime.Initialize();
        nint backend = Ggml.ggml_backend_init_by_type(Ggml.DeviceTypeCpu, null);
        if (backend == 0) throw new SleepingLlmException("ggml has no CPU backend in this runtime");
        // The CPU backend's own API lives in the variant library ggml loaded; reach it through the registry.
        var setThreads = (delegate* unmanaged[Cdecl]<nint, int, void>)Ggml.ggml_backend_reg_get_proc_address(
            Ggml.ggml_backend_dev_backend_reg(Ggml.ggml_backend_get_device(backend)), "ggml_backend_set_n_threads");
        if (setThreads != null) setThreads(backend, threads > 0 ? threads : Environment.ProcessorCount);
        return new Backend(backend, NativeRuntime.Utf8(Ggml.ggml_backend_name(backend)));
    }

    /// <summary>A GPU backend if the runtime has one, else the CPU.</summary>
    public static Backend Best(int threads = 0)
    {
        NativeRuntime.Initialize();
        nint gpu = Ggml.ggml_backend_init_by_type(Ggml.DeviceTypeGpu, null);
        return gpu != 0 ? new Backend(gpu, NativeRuntime.Utf8(Ggml.ggml_backend_name(gpu))) : Cpu(threads);
    }

    public void Dispose()
    {
        if (handle == 0) return;
        Ggml.ggml_backend_free(handle);
        handle = 0;
    }
}
