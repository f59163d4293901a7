using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>Mirror of <c>struct llama_context_params</c> (llama.h); layout checked by the ABI tests.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct LlamaContextParams
{
    public uint NCtx;
    public uint NBatch;
    public uint NUbatch;
    public uint NSeqMax;
    public uint NRsSeq;
    public uint NOutputsMax;
    public uint NOutputsMaxPerSeq;
    public int NThreads;
    public int NThreadsBatch;
    public int CtxType;
    public int RopeScalingType;
    public int PoolingType;
    public int AttentionType;
    public int FlashAttnType;
    public float RopeFreqBase;
    public float RopeFreqScale;
    public float YarnExtFactor;
    public float YarnAttnFactor;
    public float YarnBetaFast;
    public float YarnBetaSlow;
    public uint YarnOrigCtx;
    public float DefragThold;
    /// <summary><c>bool (*)(struct ggml_tensor *, bool ask, void * user_data)</c>: the eval callback.</summary>
    public delegate* unmanaged[Cdecl]<GgmlTensor*, byte, nint, byte> CbEval;
    public nint CbEvalUserData;
    public int TypeK;
    public int TypeV;
    public nint AbortCallback;
    public nint AbortCallbackData;
    byte embeddings;
    byte offloadKqv;
    byte noPerf;
    byte opOffload;
    byte swaFull;
    byte kvUnified;
    public nint Samplers;
    public nuint NSamplers;
    public nint CtxOther;

    public bool Embeddings { readonly get => embeddings != 0; set => embeddings = (byte)(value ? 1 : 0); }
    public bool OffloadKqv { readonly get => offloadKqv != 0; set => offloadKqv = (byte)(value ? 1 : 0); }
    public bool NoPerf { readonly get => noPerf != 0; set => noPerf = (byte)(value ? 1 : 0); }
}

/// <summary><c>enum llama_flash_attn_type</c>.</summary>
public static class LlamaFlashAttn
{
    public const int Auto = -1, Disabled = 0, Enabled = 1;
}
