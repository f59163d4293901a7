using SleepingLlm.Memory;
using SleepingLlm.Sleep;

namespace SleepingLlm.Chat;

/// <summary>What started it: a sleep (Ctrl+S, /sleep) or a nap (/nap: the recall audit alone).</summary>
enum SleepKind { Sleep, Nap }

/// <summary>One sleep or nap as the sleep view follows it: the steps the engine reported, then the result.</summary>
sealed class SleepRun(SleepKind kind)
{
    readonly List<string> steps = [];

    public SleepKind Kind { get; } = kind;
    public IReadOnlyList<string> Steps => steps;
    public NapResult? Result { get; private set; }
    public SleepReport? Report { get; private set; }
    public string? Error { get; private set; }
    public bool Finished => Result is not null || Report is not null || Error is not null;

    /// <summary>A step's progress replaces the line before it when both belong to one step ("audit: 3/20 …" after "audit: 2/20 …").</summary>
    public void Step(string step)
    {
        if (steps.Count > 0 && StepName(steps[^1]) is { } last && last == StepName(step) && step.Contains('/'))
            steps[^1] = step;
        else
            steps.Add(step);
    }

    static string? StepName(string line) => line.IndexOf(':') is > 0 and var colon ? line[..colon] : null;

    public void Finish(NapResult result) => Result = result;
    public void Finish(SleepReport report) => Report = report;
    public void Fail(string error) => Error = error;
}
