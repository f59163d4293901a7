using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>ggml.h / ggml-backend.h: versions, backends and devices, tensor access. C names kept.</summary>
public static unsafe partial class Ggml
{
    public const int DeviceTypeCpu = 0, DeviceTypeGpu = 1, DeviceTypeIgpu = 2, DeviceTypeAccel = 3;

    [LibraryImport(NativeLibraries.GgmlBase)] public static partial byte* ggml_version();
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial byte* ggml_commit();
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_log_set(delegate* unmanaged[Cdecl]<int, byte*, nint, void> callback, nint userData);

    [LibraryImport(NativeLibraries.Ggml, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void ggml_backend_load_all_from_path(string directory);
    [LibraryImport(NativeLibraries.Ggml, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ggml_backend_load(string path);
    [LibraryImport(NativeLibraries.Ggml)] public static partial nuint ggml_backend_dev_count();
    [LibraryImport(NativeLibraries.Ggml)] public static partial nint ggml_backend_dev_get(nuint index);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial byte* ggml_backend_dev_name(nint device);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial byte* ggml_backend_dev_description(nint device);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial int ggml_backend_dev_type(nint device);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_backend_dev_memory(nint device, nuint* free, nuint* total);

    [LibraryImport(NativeLibraries.GgmlBase)] [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool ggml_backend_buffer_is_host(nint buffer);
    /// <summary>The buffer's type name: "CPU_Mapped" for a buffer over a mapped file, "CPU_REPACK" for repacked weights.</summary>
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial byte* ggml_backend_buffer_name(nint buffer);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_backend_tensor_get(GgmlTensor* tensor, void* data, nuint offset, nuint size);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nuint ggml_nbytes(GgmlTensor* tensor);
}
