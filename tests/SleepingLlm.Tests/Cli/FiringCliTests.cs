using System.Text.Json;

namespace SleepingLlm.Tests.Cli;

/// <summary><c>firing --json</c> through the CLI process, on the tiny model: one entry per token, the edit strongest at the subject.</summary>
public sealed class FiringCliTests() : ScratchDirectory("sleepingllm-firing-cli-")
{
    [Fact]
    public void Firing_prints_each_tokens_added_norm_as_json()
    {
        var environment = new Dictionary<string, string> { ["XDG_DATA_HOME"] = Path.Combine(directory, "data") };
        string[] common = ["--model", TestModels.Stories260K, "--memory", Path.Combine(directory, "memory"), "--threads", "1"];
        var remember = CliProcess.Run(environment, ["remember", "--prompt", "Lily had a pet", "--object", "elephant", "--corpus", WikiText.Path, .. common]);
        Assert.True(remember.ExitCode == 0, remember.Stderr);

        var run = CliProcess.Run(environment, ["firing", "Lily had a pet", "--json", .. common]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var tokens = json.RootElement.EnumerateArray().ToList();
        Assert.Equal("Lily had a pet", string.Concat(tokens.Select(t => t.GetProperty("token").GetString())).Trim());
        var added = tokens.Select(t => t.GetProperty("added").GetDouble()).ToList();
        Assert.All(tokens, t => Assert.True(t.GetProperty("hidden").GetDouble() > 0));
        // The edit is keyed at the subject's last token: the one that completes "Lily".
        var text = tokens.Select((_, i) => string.Concat(tokens.Take(i + 1).Select(t => t.GetProperty("token").GetString())).Trim()).ToList();
        Assert.Equal(text.IndexOf("Lily"), added.IndexOf(added.Max()));
    }
}
