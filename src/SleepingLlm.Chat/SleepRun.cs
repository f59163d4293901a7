using SleepingLlm.Memory;

namespace SleepingLlm.Chat;

/// <summary>What started it: a sleep (Ctrl+S, /sleep) or a nap (/nap).</summary>
enum SleepKind { Sleep, Nap }

/// <summary>
/// One sleep or nap as the sleep view follows it: the steps the engine reported, then the result.
/// Until the sleep engine exists a sleep runs a nap: the recall audit a sleep starts with.
/// </summary>
sealed class SleepRun(SleepKind kind)
{
    readonly List<string> steps = [];

    public SleepKind Kind { get; } = kind;
    public IReadOnlyList<string> Steps => steps;
    public NapResult? Result { get; private set; }
    public string? Error { get; private set; }
    public bool Finished => Result is not null || Error is not null;

    public void Step(string step) => steps.Add(step);
    public void Finish(NapResult result) => Result = result;
    public void Fail(string error) => Error = error;
}
