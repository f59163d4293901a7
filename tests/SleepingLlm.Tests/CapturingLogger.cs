using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SleepingLlm.Tests;

/// <summary>Keeps every formatted log line, for tests of log routing.</summary>
public sealed class CapturingLogger : ILogger
{
    readonly ConcurrentQueue<string> lines = new();
    public IReadOnlyCollection<string> Lines => lines;
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        lines.Enqueue(formatter(state, exception));
}
