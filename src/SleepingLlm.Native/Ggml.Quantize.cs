using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>ggml.h quantization (exported by libggml-base): F32 rows to any ggml type. Thread-safe. C names kept.</summary>
public static unsafe partial class Ggml
{
    /// <summary>Builds the lookup tables of a type; <see cref="ggml_quantize_chunk"/> calls it itself.</summary>
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_quantize_init(int type);

    /// <summary>Frees what <see cref="ggml_quantize_init"/> allocated.</summary>
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_quantize_free();

    /// <summary>True for the types (IQ2_XXS, IQ2_XS, IQ1_S) that <see cref="ggml_quantize_chunk"/> aborts on without an importance matrix.</summary>
    [LibraryImport(NativeLibraries.GgmlBase)] [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool ggml_quantize_requires_imatrix(int type);

    /// <summary>
    /// Quantizes <paramref name="nrows"/> rows of <paramref name="n_per_row"/> floats starting at element
    /// <paramref name="start"/> of <paramref name="src"/> into the matching rows of <paramref name="dst"/>;
    /// returns the bytes written. ggml aborts the process (GGML_ASSERT) when <paramref name="start"/> is not a
    /// whole row, a row is not whole blocks, the type cannot be quantized to, or an imatrix is required and null:
    /// check all of that first.
    /// </summary>
    [LibraryImport(NativeLibraries.GgmlBase)]
    public static partial nuint ggml_quantize_chunk(int type, float* src, void* dst, long start, long nrows, long n_per_row, float* imatrix);
}
