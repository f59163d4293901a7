namespace SleepingLlm.Native;

/// <summary>The logical library names our imports use; <see cref="NativeRuntime"/> maps them to files.</summary>
public static class NativeLibraries
{
    public const string Llama = "llama";
    public const string Ggml = "ggml";
    public const string GgmlBase = "ggml-base";
}
