using System.Text.Json;
using SleepingLlm.Conversation;

namespace SleepingLlm.Tests.Cli;

/// <summary><c>chat</c> with a memory keeps its transcript beside it, and <c>/compact</c> moves old turns into the history.</summary>
public sealed class ChatTranscriptTests() : ScratchDirectory("sleepingllm-chat-transcript-")
{
    [Fact]
    public void Compact_summarises_the_older_turns_and_the_transcript_holds_every_turn_and_the_summary()
    {
        string[] said = ["Hello!", "My name is Ada and I keep bees.", "What do I keep?"];
        var run = CliProcess.RunWithInput(null, string.Join('\n', [.. said, "/compact", "Thanks."]) + "\n",
            "chat", "--model", TestModels.SmolLm2, "--json", "-t", "1", "--temp", "0", "-n", "16", "--memory", directory, "--user-facts", "relevant");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var lines = run.Stdout.Trim().Split('\n').Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(5, lines.Count);
        var compact = lines[3];
        Assert.Equal(4, compact.GetProperty("compacted").GetInt32()); // all but the latest exchange
        Assert.True(compact.GetProperty("tokens_after").GetInt32() < compact.GetProperty("tokens_before").GetInt32());

        string file = Assert.Single(Directory.GetFiles(directory, "*.jsonl", SearchOption.AllDirectories));
        Assert.Equal(TranscriptLog.FolderName, Path.GetFileName(Path.GetDirectoryName(file)));
        var transcript = TranscriptLog.Read(file);
        Assert.Equal(Enumerable.Range(0, 8), transcript.Turns.Select(t => t.Index));
        Assert.Equal([.. said, "Thanks."], transcript.Turns.Where(t => t.Role == "user").Select(t => t.Text));
        Assert.Equal(lines.Where(l => l.TryGetProperty("assistant", out _)).Select(l => l.GetProperty("assistant").GetString()),
            transcript.Turns.Where(t => t.Role == "assistant").Select(t => t.Text));
        // What the user said about themselves is extracted, written, and kept beside its turn; nothing else is.
        var told = transcript.Turns.Single(t => t.Text == said[1]);
        Assert.Contains(told.Facts, f => f is { Subject: "the user", Relation: "name", Object: "Ada", MemoryId: not null });
        Assert.All(transcript.Turns.Where(t => t != told), t => Assert.Empty(t.Facts));
        var summary = Assert.Single(transcript.Summaries);
        Assert.Equal((0, 3), (summary.FirstTurn, summary.LastTurn));
        Assert.NotEmpty(summary.Text);
    }
}
