using System.Runtime.InteropServices;

namespace SleepingLlm.Native;

/// <summary>llama.h: LoRA adapters (how our memories reach the running model).</summary>
public static unsafe partial class Llama
{
    [LibraryImport(NativeLibraries.Llama, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint llama_adapter_lora_init(SafeLlamaModelHandle model, string path);
    [LibraryImport(NativeLibraries.Llama)] public static partial void llama_adapter_lora_free(nint adapter);
    [LibraryImport(NativeLibraries.Llama)]
    public static partial int llama_set_adapters_lora(SafeLlamaContextHandle context, nint* adapters, nuint nAdapters, float* scales);
}
