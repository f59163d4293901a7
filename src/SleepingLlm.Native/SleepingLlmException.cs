namespace SleepingLlm;

/// <summary>
/// An expected failure with a message meant for the user: a bad file, a missing model, a failed
/// download. The CLI prints <see cref="Exception.Message"/> as one line and exits non-zero; anything
/// else is a bug and keeps its stack trace.
/// </summary>
public class SleepingLlmException : Exception
{
    public SleepingLlmException(string message) : base(message) { }
    public SleepingLlmException(string message, Exception inner) : base(message, inner) { }
}
