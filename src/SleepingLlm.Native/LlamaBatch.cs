using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>Mirror of <c>struct llama_batch</c>; its arrays are owned by llama_batch_init/free.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct LlamaBatch
{
    public int NTokens;
    public int* Token;
    public float* Embd;
    public int* Pos;
    public int* NSeqId;
    public int** SeqId;
    public sbyte* Logits;
}

/// <summary>Mirror of <c>llama_chat_message</c>: two UTF-8 C strings.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct LlamaChatMessage
{
    public byte* Role;
    public byte* Content;
}

/// <summary>Mirror of <c>llama_sampler_chain_params</c>: one C bool, passed by value.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct LlamaSamplerChainParams
{
    byte noPerf;
    public bool NoPerf { readonly get => noPerf != 0; set => noPerf = (byte)(value ? 1 : 0); }
}
