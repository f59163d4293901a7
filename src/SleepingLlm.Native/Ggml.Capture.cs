using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>ggml.h: what the eval callback needs to recognise graph nodes (activation capture).</summary>
public static unsafe partial class Ggml
{
    /// <summary><c>GGML_OP_MUL_MAT</c> in the pinned ggml.h (checked against <see cref="ggml_op_name"/> by the capture tests).</summary>
    public const int OpMulMat = 29;

    /// <summary>The op's name without the prefix ("MUL_MAT"); a static string.</summary>
    [LibraryImport(NativeLibraries.GgmlBase)] public static partial byte* ggml_op_name(int op);
}
