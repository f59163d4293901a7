using System.Diagnostics;

namespace SleepingLlm.Tests.Chat;

/// <summary>
/// A command running in a detached tmux session of a given size, on a tmux server of its own (so it
/// inherits this process's environment and never touches the user's sessions). Dispose kills it.
/// </summary>
sealed class TmuxSession : IDisposable
{
    static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    readonly string socket = $"sleepingllm-test-{Guid.NewGuid():N}";
    const string Session = "chat";

    public TmuxSession(int width, int height, string workingDirectory, IEnumerable<string> command)
    {
        string shell = string.Join(' ', command.Select(Quote));
        Tmux("new-session", "-d", "-x", $"{width}", "-y", $"{height}", "-s", Session, "-c", workingDirectory, shell);
    }

    /// <summary>The visible screen as text, one line per row.</summary>
    public string Capture() => Tmux("capture-pane", "-p", "-t", Session);

    /// <summary>Types <paramref name="text"/> literally.</summary>
    public void Type(string text) => Tmux("send-keys", "-t", Session, "-l", text);

    /// <summary>Presses keys by tmux name: Enter, Escape, C-s, PPage.</summary>
    public void Press(params string[] keys) => Tmux(["send-keys", "-t", Session, .. keys]);

    /// <summary>Resizes the terminal, as dragging its window would.</summary>
    public void Resize(int width, int height) => Tmux("resize-window", "-t", Session, "-x", $"{width}", "-y", $"{height}");

    public bool IsRunning => Run(["has-session", "-t", Session]).ExitCode == 0;

    /// <summary>Polls the screen until <paramref name="seen"/> holds; fails with the last screen after <paramref name="patience"/>.</summary>
    public string WaitFor(Func<string, bool> seen, string what, TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        string screen = "";
        while (clock.Elapsed < patience)
        {
            if (!IsRunning) Assert.Fail($"the app exited while waiting for {what}; last screen:\n{screen}");
            screen = Capture();
            if (seen(screen)) return screen;
            Thread.Sleep(PollInterval);
        }
        Assert.Fail($"no {what} after {patience.TotalSeconds:0} s; the screen:\n{screen}");
        return screen;
    }

    /// <summary>Waits until the command has exited and with it the session.</summary>
    public bool WaitForExit(TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < patience)
        {
            if (!IsRunning) return true;
            Thread.Sleep(PollInterval);
        }
        return false;
    }

    public void Dispose() => Run(["kill-server"]);

    string Tmux(params string[] args)
    {
        var (exitCode, output, error) = Run(args);
        if (exitCode != 0) throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed ({exitCode}): {error}");
        return output;
    }

    (int ExitCode, string Output, string Error) Run(string[] args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(socket);
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start tmux (is it installed?)");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"tmux {string.Join(' ', args)} did not finish");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    static string Quote(string word) => "'" + word.Replace("'", @"'\''") + "'";
}
