namespace SleepingLlm.Native;

/// <summary>The llama.cpp runtime is missing, unloadable or not the pinned release; the message says what to run.</summary>
public sealed class NativeRuntimeException : SleepingLlmException
{
    public NativeRuntimeException(string message) : base(message) { }
    public NativeRuntimeException(string message, Exception inner) : base(message, inner) { }
}
