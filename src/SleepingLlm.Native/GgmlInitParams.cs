using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>Mirror of <c>struct ggml_init_params</c>: the memory of a ggml context.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct GgmlInitParams
{
    public nuint MemSize;
    public nint MemBuffer;
    byte noAlloc;
    /// <summary>True: tensors get metadata only; a backend buffer holds their data.</summary>
    public bool NoAlloc { readonly get => noAlloc != 0; set => noAlloc = (byte)(value ? 1 : 0); }
}
