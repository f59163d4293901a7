using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>ggml.h: the tensor operations the transformer graph is made of (all with backward unless noted).</summary>
public static unsafe partial class Ggml
{
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_add(nint context, GgmlTensor* a, GgmlTensor* b);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_sub(nint context, GgmlTensor* a, GgmlTensor* b);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_mul(nint context, GgmlTensor* a, GgmlTensor* b);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_scale(nint context, GgmlTensor* a, float s);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_sqr(nint context, GgmlTensor* a);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_log(nint context, GgmlTensor* a);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_sum(nint context, GgmlTensor* a);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_sum_rows(nint context, GgmlTensor* a);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_repeat(nint context, GgmlTensor* a, GgmlTensor* shape);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_mul_mat(nint context, GgmlTensor* a, GgmlTensor* b);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_get_rows(nint context, GgmlTensor* a, GgmlTensor* rows);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_rms_norm(nint context, GgmlTensor* a, float eps);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_swiglu_split(nint context, GgmlTensor* gate, GgmlTensor* up);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_soft_max(nint context, GgmlTensor* a);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_soft_max_ext(nint context, GgmlTensor* a, GgmlTensor* mask, float scale, float maxBias);
    [LibraryImport(NativeLibraries.GgmlBase)]
    public static partial GgmlTensor* ggml_rope_ext(nint context, GgmlTensor* a, GgmlTensor* positions, GgmlTensor* freqFactors, int nDims, int mode,
        int nCtxOrig, float freqBase, float freqScale, float extFactor, float attnFactor, float betaFast, float betaSlow);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_cross_entropy_loss(nint context, GgmlTensor* logits, GgmlTensor* labels);

    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_cont(nint context, GgmlTensor* a);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_cont_2d(nint context, GgmlTensor* a, long ne0, long ne1);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_reshape_2d(nint context, GgmlTensor* a, long ne0, long ne1);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_reshape_3d(nint context, GgmlTensor* a, long ne0, long ne1, long ne2);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_permute(nint context, GgmlTensor* a, int axis0, int axis1, int axis2, int axis3);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_transpose(nint context, GgmlTensor* a);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_view_3d(nint context, GgmlTensor* a, long ne0, long ne1, long ne2, nuint nb1, nuint nb2, nuint offset);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_acc(nint context, GgmlTensor* a, GgmlTensor* b, nuint nb1, nuint nb2, nuint nb3, nuint offset);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_view_2d(nint context, GgmlTensor* a, long ne0, long ne1, nuint nb1, nuint offset);
}
