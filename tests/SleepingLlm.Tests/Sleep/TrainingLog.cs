using SleepingLlm.Kernels;

namespace SleepingLlm.Tests.Sleep;

/// <summary>Keeps every evaluation as it happens, on the training thread (Progress&lt;T&gt; would post them after the test).</summary>
public sealed class TrainingLog(Action<string>? write = null) : IProgress<TrainingStep>
{
    public List<TrainingStep> Steps { get; } = [];

    public void Report(TrainingStep value)
    {
        Steps.Add(value);
        write?.Invoke($"step {value.Step}: NLL {value.Nll:F3}, anchor KL {value.AnchorKl:F4}");
    }
}
