using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>gguf.h: ggml's own GGUF parser, used to check that files we write are read the same natively.</summary>
public static unsafe partial class GgufNative
{
    /// <summary><c>struct gguf_init_params { bool no_alloc; struct ggml_context ** ctx; }</c></summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct InitParams
    {
        byte noAlloc;
        public nint Ctx;
        public bool NoAlloc { readonly get => noAlloc != 0; set => noAlloc = (byte)(value ? 1 : 0); }
    }

    [LibraryImport(NativeLibraries.GgmlBase, StringMarshalling = StringMarshalling.Utf8)]
    public static partial SafeGgufContextHandle gguf_init_from_file(string path, InitParams parameters);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void gguf_free(nint context);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial long gguf_get_n_kv(SafeGgufContextHandle context);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial long gguf_get_n_tensors(SafeGgufContextHandle context);
    [LibraryImport(NativeLibraries.GgmlBase, StringMarshalling = StringMarshalling.Utf8)]
    public static partial long gguf_find_key(SafeGgufContextHandle context, string key);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial byte* gguf_get_val_str(SafeGgufContextHandle context, long keyId);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial byte* gguf_get_tensor_name(SafeGgufContextHandle context, long tensorId);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial int gguf_get_tensor_type(SafeGgufContextHandle context, long tensorId);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nuint gguf_get_tensor_offset(SafeGgufContextHandle context, long tensorId);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nuint gguf_get_data_offset(SafeGgufContextHandle context);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial int gguf_get_kv_type(SafeGgufContextHandle context, long keyId);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial uint gguf_get_val_u32(SafeGgufContextHandle context, long keyId);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial int gguf_get_val_i32(SafeGgufContextHandle context, long keyId);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial float gguf_get_val_f32(SafeGgufContextHandle context, long keyId);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nuint gguf_get_arr_n(SafeGgufContextHandle context, long keyId);
}
