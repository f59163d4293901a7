using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>Mirror of <c>struct llama_model_params</c> (llama.h); layout checked by the ABI tests.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct LlamaModelParams
{
    public nint Devices;
    public nint TensorBuftOverrides;
    public int NGpuLayers;
    public int SplitMode;
    public int LoadMode;
    public int LazyMode;
    public int MainGpu;
    public nint TensorSplit;
    public nint ProgressCallback;
    public nint ProgressCallbackUserData;
    public nint KvOverrides;
    // C bools are one byte; kept as bytes so the struct stays blittable.
    byte vocabOnly;
    byte checkTensors;
    byte useExtraBufts;
    byte noHost;
    byte noAlloc;
    byte loadMtp;

    public bool VocabOnly { readonly get => vocabOnly != 0; set => vocabOnly = (byte)(value ? 1 : 0); }
    public bool CheckTensors { readonly get => checkTensors != 0; set => checkTensors = (byte)(value ? 1 : 0); }
    public bool UseExtraBufts { readonly get => useExtraBufts != 0; set => useExtraBufts = (byte)(value ? 1 : 0); }
    public bool NoAlloc { readonly get => noAlloc != 0; set => noAlloc = (byte)(value ? 1 : 0); }
}
