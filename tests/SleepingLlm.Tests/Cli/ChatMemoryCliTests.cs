using System.Text.Json;
using SleepingLlm.Tests.Conversation;

namespace SleepingLlm.Tests.Cli;

/// <summary>Conversation memory through the CLI process: <c>eval --chat-facts</c> and the line-mode chat's facts.</summary>
[Collection(ModelCompute.Name)]
public sealed class ChatMemoryCliTests() : ScratchDirectory("sleepingllm-chat-memory-cli-")
{
    [Fact]
    public void Eval_chat_facts_reports_extraction_recall_and_small_talk()
    {
        string report = Path.Combine(directory, "report.json");
        var run = CliProcess.Run("eval", "--model", TestModels.SmolLm2, "-t", "1", "--chat-facts", ChatFacts.Path, "--n", "2", "--json", report, "--user-facts", "relevant");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains(run.Stdout.Split('\n'), line => line.StartsWith("c01") && line.Contains("home = Tromso"));
        Assert.Contains("recall after restart", run.Stdout);

        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var root = json.RootElement;
        Assert.Equal(["c00", "c01"], root.GetProperty("turns").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        Assert.Equal(2, root.GetProperty("questions").GetArrayLength());
        Assert.Equal(2, root.GetProperty("facts_stored").GetInt32());
        Assert.Equal(20, root.GetProperty("small_talk").GetArrayLength());
        Assert.Equal(0, root.GetProperty("small_talk_facts").GetInt32());
    }

    [Fact]
    public void Line_chat_writes_each_turns_facts_and_remember_text_asks_the_extractor()
    {
        string memory = Path.Combine(directory, "memory");
        var run = CliProcess.RunWithInput(null, "My cat is called Truffle.\n/remember I play the oboe.\n", "chat", "--model", TestModels.SmolLm2,
            "--json", "-t", "1", "--temp", "0", "-n", "8", "--memory", memory, "--user-facts", "relevant");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var lines = run.Stdout.Trim().Split('\n').Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(2, lines.Count);
        var turnFact = Assert.Single(lines[0].GetProperty("facts").EnumerateArray());
        Assert.Equal(("cat", "Truffle"), (turnFact.GetProperty("relation").GetString(), turnFact.GetProperty("object").GetString()));
        var remembered = Assert.Single(lines[1].GetProperty("facts").EnumerateArray());
        Assert.Equal(("instrument", "oboe"), (remembered.GetProperty("relation").GetString(), remembered.GetProperty("object").GetString()));
        Assert.True(remembered.GetProperty("id").GetInt64() > turnFact.GetProperty("id").GetInt64());
    }
}
