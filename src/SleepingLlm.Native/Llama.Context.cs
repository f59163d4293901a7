using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>llama.h: contexts, decoding, KV memory, logits.</summary>
public static unsafe partial class Llama
{
    [LibraryImport(NativeLibraries.Llama)] public static partial LlamaContextParams llama_context_default_params();
    [LibraryImport(NativeLibraries.Llama)] public static partial SafeLlamaContextHandle llama_init_from_model(SafeLlamaModelHandle model, LlamaContextParams parameters);
    [LibraryImport(NativeLibraries.Llama)] public static partial void llama_free(nint context);
    [LibraryImport(NativeLibraries.Llama)] public static partial uint llama_n_ctx(SafeLlamaContextHandle context);
    [LibraryImport(NativeLibraries.Llama)] public static partial uint llama_n_batch(SafeLlamaContextHandle context);
    [LibraryImport(NativeLibraries.Llama)] public static partial void llama_set_n_threads(SafeLlamaContextHandle context, int nThreads, int nThreadsBatch);

    [LibraryImport(NativeLibraries.Llama)] public static partial LlamaBatch llama_batch_init(int nTokens, int embd, int nSeqMax);
    [LibraryImport(NativeLibraries.Llama)] public static partial void llama_batch_free(LlamaBatch batch);
    [LibraryImport(NativeLibraries.Llama)] public static partial int llama_decode(SafeLlamaContextHandle context, LlamaBatch batch);
    [LibraryImport(NativeLibraries.Llama)] public static partial float* llama_get_logits_ith(SafeLlamaContextHandle context, int i);

    [LibraryImport(NativeLibraries.Llama)] public static partial nint llama_get_memory(SafeLlamaContextHandle context);
    [LibraryImport(NativeLibraries.Llama)] public static partial void llama_memory_clear(nint memory, [MarshalAs(UnmanagedType.U1)] bool data);
    [LibraryImport(NativeLibraries.Llama)] [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool llama_memory_seq_rm(nint memory, int seqId, int p0, int p1);
    [LibraryImport(NativeLibraries.Llama)] public static partial int llama_memory_seq_pos_max(nint memory, int seqId);
}
