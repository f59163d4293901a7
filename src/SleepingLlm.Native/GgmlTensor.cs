using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace SleepingLlm.Native;

/// <summary>
/// Mirror of <c>struct ggml_tensor</c> (ggml.h): the fields the engine reads from tensors that ggml
/// hands us (eval callback, graphs). Layout checked by the ABI tests; never allocated by us.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct GgmlTensor
{
    public const int MaxDims = 4, MaxSrc = 10, MaxOpParams = 64, MaxName = 64;

    public int Type;
    public nint Buffer;
    public NeArray Ne;
    public NbArray Nb;
    public int Op;
    public OpParamsArray OpParams;
    public int Flags;
    public SrcArray Src;
    public GgmlTensor* ViewSrc;
    public nuint ViewOffs;
    public void* Data;
    public NameArray Name;
    public void* Extra;
    public PaddingArray Padding;

    [InlineArray(MaxDims)] public struct NeArray { long e; }
    [InlineArray(MaxDims)] public struct NbArray { nuint e; }
    [InlineArray(MaxOpParams / sizeof(int))] public struct OpParamsArray { int e; }
    [InlineArray(MaxSrc)] public struct SrcArray { nint e; }
    [InlineArray(MaxName)] public struct NameArray { byte e; }
    [InlineArray(8)] public struct PaddingArray { byte e; }

    /// <summary>The tensor's name (NUL-terminated in the C struct).</summary>
    public readonly string NameString
    {
        get
        {
            ReadOnlySpan<byte> bytes = Name;
            int end = bytes.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
        }
    }

    public readonly long ElementCount => Ne[0] * Ne[1] * Ne[2] * Ne[3];
}
