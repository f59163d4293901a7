using SleepingLlm.Conversation;

namespace SleepingLlm.Tests.Conversation;

/// <summary>A session's transcript on disk: every line as it happened, read back after a crash too.</summary>
public sealed class TranscriptLogTests() : ScratchDirectory("sleepingllm-transcript-")
{
    static ConversationTurn Turn(int index, string role, string text) =>
        new(index, role, text, new DateTimeOffset(2026, 11, 24, 3, 0, index, TimeSpan.Zero));

    [Fact]
    public void Turns_summaries_and_facts_are_read_back_as_written()
    {
        string path;
        using (var log = new TranscriptLog(directory, "model.gguf"))
        {
            path = log.Path;
            Assert.False(File.Exists(path)); // nothing said, no file
            log.Turn(Turn(0, "user", "I moved to Lyon, \"finally\" 🙂"));
            log.Turn(Turn(1, "assistant", "<think>note it</think> Congratulations!"));
            log.Facts(0, [new TurnFact("user", "lives in", "Lyon", MemoryId: 7)]);
            log.Summary(new HistorySummary(0, 1, "The user moved to Lyon.", DateTimeOffset.UtcNow));
            log.Turn(Turn(2, "user", "Thanks"));
        }

        var saved = TranscriptLog.Read(path);
        Assert.Equal("model.gguf", saved.Model);
        Assert.Equal([0, 1, 2], saved.Turns.Select(t => t.Index));
        Assert.Equal("I moved to Lyon, \"finally\" 🙂", saved.Turns[0].Text);
        Assert.Equal("<think>note it</think> Congratulations!", saved.Turns[1].Text); // originals, thoughts included
        Assert.Equal(Turn(2, "user", "").Time, saved.Turns[2].Time);
        Assert.Equal([new TurnFact("user", "lives in", "Lyon", 7)], saved.Turns[0].Facts);
        Assert.Empty(saved.Turns[1].Facts);
        var summary = Assert.Single(saved.Summaries);
        Assert.Equal((0, 1, "The user moved to Lyon."), (summary.FirstTurn, summary.LastTurn, summary.Text));
        Assert.Equal(TranscriptLog.FolderName, "transcripts");
        Assert.All(File.ReadAllLines(path), line => Assert.StartsWith("{\"type\":", line));
    }

    [Fact]
    public void Every_line_is_on_disk_as_soon_as_it_is_written_and_a_torn_last_line_is_skipped()
    {
        using var log = new TranscriptLog(directory, "model.gguf");
        log.Turn(Turn(0, "user", "one"));
        log.Turn(Turn(1, "assistant", "two"));
        // Read while the log is still open, as after a kill -9, then tear the last line in half.
        var before = TranscriptLog.Read(log.Path);
        Assert.Equal(["one", "two"], before.Turns.Select(t => t.Text));

        string copy = Path.Combine(directory, "torn.jsonl");
        byte[] bytes = File.ReadAllBytes(log.Path);
        File.WriteAllBytes(copy, bytes[..^12]);
        Assert.Equal(["one"], TranscriptLog.Read(copy).Turns.Select(t => t.Text));
    }

    /// <summary>Writes part of one write and then fails, once, as a full disk would.</summary>
    sealed class TearingStream(string path, int tearAt) : FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read)
    {
        int writes;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (++writes != tearAt) { base.Write(buffer); return; }
            base.Write(buffer[..(buffer.Length / 2)]);
            Flush();
            throw new IOException("No space left on device");
        }
    }

    [Fact]
    public void A_line_torn_by_a_failed_write_does_not_swallow_the_next_one()
    {
        string path;
        using (var log = new TranscriptLog(directory, "model.gguf") { Open = p => new TearingStream(p, tearAt: 3) })
        {
            path = log.Path;
            log.Turn(Turn(0, "user", "I live in Bergen"));                               // write 2 (1 is the session line)
            Assert.Throws<IOException>(() => log.Turn(Turn(1, "assistant", "Nice!")));    // write 3: torn
            log.Turn(Turn(2, "user", "My dog is called Sprocket"));                      // write 4
        }

        var saved = TranscriptLog.Read(path);
        Assert.Equal([0, 2], saved.Turns.Select(t => t.Index));
        Assert.Equal("My dog is called Sprocket", saved.Turns[1].Text);
    }
}
