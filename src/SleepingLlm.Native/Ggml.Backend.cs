using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>ggml-backend.h / ggml-alloc.h: backends, buffers, graph allocation and compute.</summary>
public static unsafe partial class Ggml
{
    public const int StatusSuccess = 0;

    [LibraryImport(NativeLibraries.Ggml)] public static partial nint ggml_backend_init_by_type(int type, byte* parameters);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial byte* ggml_backend_name(nint backend);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_backend_free(nint backend);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nint ggml_backend_get_device(nint backend);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nint ggml_backend_dev_backend_reg(nint device);
    [LibraryImport(NativeLibraries.GgmlBase, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void* ggml_backend_reg_get_proc_address(nint registry, string name);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nint ggml_backend_get_default_buffer_type(nint backend);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nint ggml_backend_alloc_ctx_tensors(nint context, nint backend);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_backend_buffer_free(nint buffer);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nint ggml_backend_cpu_buffer_type();
    /// <summary>A CPU buffer over memory the caller owns (e.g. a mapped file); freeing it leaves the memory alone.</summary>
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nint ggml_backend_cpu_buffer_from_ptr(void* ptr, nuint size);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nint ggml_backend_buft_alloc_buffer(nint bufferType, nuint size);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nuint ggml_backend_buft_get_alignment(nint bufferType);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void* ggml_backend_buffer_get_base(nint buffer);
    /// <summary>Places one tensor at <paramref name="address"/> inside <paramref name="buffer"/>.</summary>
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial int ggml_backend_tensor_alloc(nint buffer, GgmlTensor* tensor, void* address);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_backend_tensor_set(GgmlTensor* tensor, void* data, nuint offset, nuint size);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial int ggml_backend_graph_compute(nint backend, nint graph);

    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nint ggml_gallocr_new(nint bufferType);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_gallocr_free(nint allocator);
    [LibraryImport(NativeLibraries.GgmlBase)] [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool ggml_gallocr_alloc_graph(nint allocator, nint graph);
}
