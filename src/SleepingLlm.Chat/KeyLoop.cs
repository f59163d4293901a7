namespace SleepingLlm.Chat;

/// <summary>
/// Reads keys on a thread of its own and hands each to the app's loop. It polls
/// <see cref="Console.KeyAvailable"/> instead of blocking in ReadKey, so that it stops when asked.
/// </summary>
static class KeyLoop
{
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    /// <summary>How soon after Esc another key makes it an Alt chord rather than a key of its own.</summary>
    static readonly TimeSpan ChordWindow = TimeSpan.FromMilliseconds(30);

    public static Task Run(Action<ConsoleKeyInfo> onKey, CancellationToken stop) =>
        Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (!Console.KeyAvailable)
                {
                    stop.WaitHandle.WaitOne(Poll);
                    continue;
                }
                var key = Console.ReadKey(intercept: true);
                // A terminal sends Alt+key as Esc then the key. .NET reads that as Alt only when the two
                // bytes arrive alone; after other input they come apart, and a lone Esc would quit.
                if (key is { Key: ConsoleKey.Escape, Modifiers: 0 } && KeyWithin(ChordWindow))
                    key = Alt(Console.ReadKey(intercept: true));
                onKey(key);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>The same key with Alt held.</summary>
    static ConsoleKeyInfo Alt(ConsoleKeyInfo key) => new(key.KeyChar, key.Key,
        key.Modifiers.HasFlag(ConsoleModifiers.Shift), alt: true, key.Modifiers.HasFlag(ConsoleModifiers.Control));

    static bool KeyWithin(TimeSpan window)
    {
        var until = DateTime.UtcNow + window;
        while (!Console.KeyAvailable)
        {
            if (DateTime.UtcNow >= until) return false;
            Thread.Sleep(2);
        }
        return true;
    }
}
