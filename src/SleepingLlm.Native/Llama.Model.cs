using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>llama.h: backend, model loading and model properties. C names kept.</summary>
public static unsafe partial class Llama
{
    public const uint DefaultSeed = 0xFFFFFFFF;

    [LibraryImport(NativeLibraries.Llama)] public static partial byte* llama_version();
    [LibraryImport(NativeLibraries.Llama)] public static partial void llama_backend_init();
    [LibraryImport(NativeLibraries.Llama)] public static partial void llama_backend_free();
    [LibraryImport(NativeLibraries.Llama)] public static partial byte* llama_print_system_info();
    [LibraryImport(NativeLibraries.Llama)] public static partial void llama_log_set(delegate* unmanaged[Cdecl]<int, byte*, nint, void> callback, nint userData);
    [LibraryImport(NativeLibraries.Llama)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_supports_gpu_offload();

    [LibraryImport(NativeLibraries.Llama)] public static partial LlamaModelParams llama_model_default_params();
    [LibraryImport(NativeLibraries.Llama, StringMarshalling = StringMarshalling.Utf8)]
    public static partial SafeLlamaModelHandle llama_model_load_from_file(string path, LlamaModelParams parameters);
    [LibraryImport(NativeLibraries.Llama)] public static partial void llama_model_free(nint model);

    [LibraryImport(NativeLibraries.Llama)] public static partial nint llama_model_get_vocab(SafeLlamaModelHandle model);
    [LibraryImport(NativeLibraries.Llama)] public static partial int llama_model_n_ctx_train(SafeLlamaModelHandle model);
    [LibraryImport(NativeLibraries.Llama)] public static partial int llama_model_n_embd(SafeLlamaModelHandle model);
    [LibraryImport(NativeLibraries.Llama)] public static partial int llama_model_n_layer(SafeLlamaModelHandle model);
    [LibraryImport(NativeLibraries.Llama)] public static partial int llama_model_n_head(SafeLlamaModelHandle model);
    [LibraryImport(NativeLibraries.Llama)] public static partial int llama_model_n_head_kv(SafeLlamaModelHandle model);
    [LibraryImport(NativeLibraries.Llama)] public static partial ulong llama_model_size(SafeLlamaModelHandle model);
    [LibraryImport(NativeLibraries.Llama)] public static partial ulong llama_model_n_params(SafeLlamaModelHandle model);
    [LibraryImport(NativeLibraries.Llama)] public static partial int llama_model_desc(SafeLlamaModelHandle model, byte* buf, nuint bufSize);
    [LibraryImport(NativeLibraries.Llama, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int llama_model_meta_val_str(SafeLlamaModelHandle model, string key, byte* buf, nuint bufSize);
    /// <summary>Returns NULL when the model has no template of that name (NULL name: the default).</summary>
    [LibraryImport(NativeLibraries.Llama)] public static partial byte* llama_model_chat_template(SafeLlamaModelHandle model, byte* name);

    [LibraryImport(NativeLibraries.Llama)]
    public static partial int llama_chat_apply_template(byte* template, LlamaChatMessage* chat, nuint nMsg, [MarshalAs(UnmanagedType.U1)] bool addAssistant, byte* buf, int length);
}
