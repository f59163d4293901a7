using System.Diagnostics;

namespace SleepingLlm.Tests.Cli;

/// <summary>Runs the built CLI as a user would: its own process, exit code, stdout and stderr.</summary>
public static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        RunWithInput(environment, "", args);

    public static Result RunWithInput(IReadOnlyDictionary<string, string>? environment, string input, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sleepingllm.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start the CLI");
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sleepingllm {string.Join(' ', args)} did not finish");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static Result Run(params string[] args) => Run(null, args);

    static Process StartWithStderrLines(IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sleepingllm.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        return Process.Start(start) ?? throw new InvalidOperationException("cannot start the CLI");
    }

    /// <summary>Runs the CLI to its end: its exit code, and when the first stderr line <paramref name="marker"/> accepts came and when it exited.</summary>
    public static (int ExitCode, TimeSpan? MarkerAt, TimeSpan Total) RunTimed(IReadOnlyDictionary<string, string>? environment,
        Func<string, bool> marker, params string[] args)
    {
        var clock = Stopwatch.StartNew();
        long markerTicks = -1;
        using var process = StartWithStderrLines(environment, args);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line && marker(line)) Interlocked.CompareExchange(ref markerTicks, clock.Elapsed.Ticks, -1);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        long at = Interlocked.Read(ref markerTicks);
        return (process.ExitCode, at < 0 ? null : TimeSpan.FromTicks(at), clock.Elapsed);
    }

    /// <summary>
    /// Starts the CLI and kills it (SIGKILL: no finally blocks, no disposal) after <paramref name="delay"/>: whether it
    /// was still running then, and whether a stderr line <paramref name="marker"/> accepts had come before the kill.
    /// </summary>
    public static (bool Killed, bool AfterMarker) RunAndKill(IReadOnlyDictionary<string, string>? environment, TimeSpan delay,
        Func<string, bool> marker, params string[] args)
    {
        int seen = 0;
        using var process = StartWithStderrLines(environment, args);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line && marker(line)) Interlocked.Increment(ref seen); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool killed = !process.WaitForExit(delay);
        bool after = killed && Volatile.Read(ref seen) > 0;
        if (killed) process.Kill();
        process.WaitForExit();
        return (killed, after);
    }
}
