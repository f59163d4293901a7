using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>Mirror of <c>struct ggml_type_traits</c>: block layout and the dequantizer of a type.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct GgmlTypeTraits
{
    public byte* TypeName;
    public long BlckSize;
    public long BlckSizeInterleave;
    public nuint TypeSize;
    byte isQuantized;
    /// <summary><c>void (*)(const void * x, float * y, int64_t k)</c>: dequantizes k values.</summary>
    public delegate* unmanaged[Cdecl]<void*, float*, long, void> ToFloat;
    public nint FromFloatRef;
    public readonly bool IsQuantized => isQuantized != 0;
}

public static unsafe partial class Ggml
{
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTypeTraits* ggml_get_type_traits(int type);
}
