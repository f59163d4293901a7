using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>ggml.h: contexts, tensors, graphs and automatic differentiation.</summary>
public static unsafe partial class Ggml
{
    public const int TypeF32 = 0, TypeF16 = 1, TypeI32 = 26;
    public const int RopeTypeNormal = 0, RopeTypeNeox = 2;

    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nint ggml_init(GgmlInitParams parameters);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_free(nint context);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nuint ggml_tensor_overhead();
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nuint ggml_graph_overhead_custom(nuint size, [MarshalAs(UnmanagedType.U1)] bool grads);

    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_new_tensor_1d(nint context, int type, long ne0);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_new_tensor_2d(nint context, int type, long ne0, long ne1);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_new_tensor_3d(nint context, int type, long ne0, long ne1, long ne2);
    [LibraryImport(NativeLibraries.GgmlBase, StringMarshalling = StringMarshalling.Utf8)]
    public static partial GgmlTensor* ggml_get_tensor(nint context, string name);
    [LibraryImport(NativeLibraries.GgmlBase, StringMarshalling = StringMarshalling.Utf8)]
    public static partial GgmlTensor* ggml_set_name(GgmlTensor* tensor, string name);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial long ggml_nelements(GgmlTensor* tensor);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_set_param(GgmlTensor* tensor);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_set_loss(GgmlTensor* tensor);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_set_input(GgmlTensor* tensor);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_set_output(GgmlTensor* tensor);

    [LibraryImport(NativeLibraries.GgmlBase)] public static partial nint ggml_new_graph_custom(nint context, nuint size, [MarshalAs(UnmanagedType.U1)] bool grads);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_build_forward_expand(nint graph, GgmlTensor* tensor);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_build_backward_expand(nint context, nint graph, GgmlTensor** gradAccumulators);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial void ggml_graph_reset(nint graph);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial GgmlTensor* ggml_graph_get_grad(nint graph, GgmlTensor* tensor);
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial int ggml_graph_n_nodes(nint graph);
}
