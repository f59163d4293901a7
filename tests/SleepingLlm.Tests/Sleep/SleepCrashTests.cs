using System.Security.Cryptography;
using SleepingLlm.Memory;
using SleepingLlm.Tests.Cli;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Sleep;

/// <summary>
/// `sleep` killed with SIGKILL at points through its run leaves the memory exactly as before the sleep
/// or exactly as a whole sleep leaves it; the next start says a sleep was interrupted and the next sleep
/// runs to its end. On the tiny model, so that many sleeps fit in a short test.
/// </summary>
[Collection(ModelCompute.Name)]
public sealed class SleepCrashTests(ITestOutputHelper output) : ScratchDirectory("sleepingllm-sleepcrash-")
{
    Dictionary<string, string> Environment => new() { ["XDG_DATA_HOME"] = Path.Combine(directory, "data") };

    string[] With(string memory, params string[] args) => [.. args, "--model", TestModels.Stories260K, "--memory", memory, "--threads", "1"];

    /// <summary>What a sleep changes: each fact's stage and scale, and how many consolidated adapters and sleeps are stored.</summary>
    static string State(string memory)
    {
        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(TestModels.Stories260K)));
        using var store = MemoryStore.Open(memory, sha, Path.GetFileName(TestModels.Stories260K));
        return string.Join("; ", store.ActiveFacts().Select(f => $"#{f.Id} {f.Stage} {f.Scale}")) +
               $" | consolidated {(store.Consolidated() is null ? 0 : 1)} | committed {store.SleepCounts().Committed}";
    }

    static void Copy(string from, string to)
    {
        if (Directory.Exists(to)) Directory.Delete(to, recursive: true);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, Directory.GetDirectories(from).Single()), "adapters"));
    }

    static bool IsAudit(string line) => line.StartsWith("audit:", StringComparison.Ordinal);

    [Fact]
    public void A_killed_sleep_leaves_the_memory_as_before_or_as_after_and_the_next_sleep_runs()
    {
        string pristine = Path.Combine(directory, "pristine"), work = Path.Combine(directory, "work");
        foreach (string subject in new[] { "Lily Brown", "Tom Green", "Ben White" })
        {
            var wrote = CliProcess.Run(Environment, With(pristine, "remember", "--prompt", $"{subject} had a pet", "--object", "cat", "--corpus", WikiText.Path));
            Assert.True(wrote.ExitCode == 0, wrote.Stderr);
        }
        string before = State(pristine);

        // Timed on its second run (the first also warms the caches): from its first audit line to its end is the sleep.
        (int ExitCode, TimeSpan? MarkerAt, TimeSpan Total) whole = default;
        for (int run = 0; run < 2; run++)
        {
            Copy(pristine, work);
            whole = CliProcess.RunTimed(Environment, IsAudit, With(work, "sleep", "--gate-ppl", "1"));
            // The gate is not what is tested here (its allowance is wide): the whole sleep commits, so "after" differs from "before".
            Assert.Equal(0, whole.ExitCode);
        }
        var asleep = whole.MarkerAt ?? throw new InvalidOperationException("the sleep printed no audit line");
        string after = State(work);
        output.WriteLine($"a whole sleep: {whole.Total.TotalSeconds:F1} s, asleep from {asleep.TotalSeconds:F1} s\nbefore: {before}\nafter:  {after}");
        Assert.NotEqual(before, after);

        int inside = 0;
        foreach (double share in new[] { 0.05, 0.3, 0.55, 0.8, 0.97 })
        {
            Copy(pristine, work);
            var (killed, sleeping) = CliProcess.RunAndKill(Environment, asleep + (whole.Total - asleep) * share, IsAudit, With(work, "sleep", "--gate-ppl", "1"));
            if (sleeping) inside++;
            string state = State(work);
            output.WriteLine($"killed at {share:P0}: {(sleeping ? "inside the sleep" : killed ? "before it" : "it had finished")}: {state}");
            Assert.True(state == before || state == after, $"after a kill at {share:P0}: {state}");

            var next = CliProcess.Run(Environment, With(work, "sleep", "--gate-ppl", "1"));
            Assert.True(next.ExitCode is 0 or 3, next.Stderr);
            if (killed && state == before && sleeping)
                Assert.Contains("was interrupted; the memory is as it was before it", next.Stderr);
            Assert.Empty(Directory.GetFiles(work, "*.gguf", SearchOption.AllDirectories)); // no temporary adapter left
        }
        Assert.True(inside > 0, "no kill landed inside a sleep");
    }
}
