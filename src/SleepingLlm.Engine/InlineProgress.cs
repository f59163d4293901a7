namespace SleepingLlm;

/// <summary>Reports synchronously on the reporting thread and in order, unlike Progress&lt;T&gt;, which posts to the thread pool.</summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
