namespace SleepingLlm.Native;

/// <summary>The llama.cpp runtime is missing, unloadable or not the pinned release; the message says what to run.</summary>
public sealed class NativeRuntimeException(string message, Exception? inner = null) : Exception(message, inner);
