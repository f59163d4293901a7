using SleepingLlm.Chat;
using SleepingLlm.Memory;

namespace SleepingLlm.Tests.Chat;

/// <summary>Each pane rendered at a fixed size and compared with its reviewed snapshot.</summary>
public sealed class SnapshotTests
{
    static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    static MemorySnapshot Memory => new(
        [
            new MemoryFact(1, "Alice", "lives in", "Lisbon", 0, 1.0f, Now.AddMinutes(-3), true, Pinned: true),
            new MemoryFact(2, "The project", "is called", "SleepingLlm", 1, 0.5f, Now.AddSeconds(-20), false, Pinned: false),
            new MemoryFact(3, "Bob", "works as", "a carpenter", 0, 1.0f, null, null, Pinned: false),
        ],
        [new LayerNorm(4, 0.812), new LayerNorm(5, 1.274), new LayerNorm(6, 0.933), new LayerNorm(7, 0.402)],
        new SleepingLlm.Sleep.SleepPressure(InWeights: 3, Limit: 45, Recalled: 2, Lost: 1, LastAudit: Now.AddSeconds(-20)));

    static ChatState Conversation()
    {
        var state = new ChatState("SmolLM2-135M-Instruct.Q4_1", "CPU", 4096) { ContextUsed = 23, TokensPerSecond = 114.3 };
        state.Transcript.Add(Speaker.Note, "SmolLM2-135M-Instruct.Q4_1 ready on CPU, 4096 tokens of context.");
        state.Transcript.Add(Speaker.User, "What is the capital of France?");
        state.Transcript.Add(Speaker.Assistant, "The capital of France is Paris.").Footer = "7 tokens · 114.3 tok/s";
        return state;
    }

    /// <summary>A sleep that committed: each step's progress lines collapse into the step's last one.</summary>
    static SleepRun FinishedSleep(bool committed)
    {
        var run = new SleepRun(SleepKind.Sleep);
        foreach (string line in new[] { "audit: 1/2 Ada owns a cat: raw yes, chat yes, ETA 1 s", "audit: 2/2 Bo owns a dog: raw yes, chat no (2 s)",
                     "consolidate: step 0/60, answer NLL 2.154", "consolidate: step 27/60, answer NLL 0.047 (208 s)" })
            run.Step(line);
        var audit = new SleepingLlm.Sleep.FactAudit(1, true, true);
        run.Finish(new SleepingLlm.Sleep.SleepReport
        {
            Committed = committed,
            Verdict = committed ? "recall raw 2 → 2, chat 1 → 2 of 2; perplexity 5.42 → 5.46 (bare 5.44)" : "chat recall would fall from 1 to 0 of 2",
            Facts = [new(1, "Ada", "owns a", "cat", audit, audit, audit, 0, committed ? 1 : 0, 1f, committed ? 0.5f : 1f),
                     new(2, "Bo", "owns a", "dog", audit, audit, audit, 2, committed ? 3 : 2, 0.1f, committed ? 0f : 0.1f)],
            Times = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(208), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(214)),
        });
        return run;
    }

    static SleepRun FinishedNap()
    {
        var run = new SleepRun(SleepKind.Nap);
        run.Step("audit: 3 memories");
        run.Finish(new NapResult(3, 2, TimeSpan.FromMilliseconds(41)));
        return run;
    }

    [Fact]
    public void Transcript_pane()
    {
        Snapshot.Matches("transcript", Snapshot.Render(TranscriptPane.Render(Conversation().Transcript, 60, 12), 60, 12));
    }

    [Fact]
    public void Transcript_pane_scrolled_back()
    {
        var transcript = new Transcript();
        for (int i = 1; i <= 12; i++) transcript.Add(Speaker.Note, $"note {i}");
        transcript.View(56, 8);
        transcript.PageUp();
        Snapshot.Matches("transcript-scrolled", Snapshot.Render(TranscriptPane.Render(transcript, 60, 10), 60, 10));
    }

    [Fact]
    public void Input_pane_with_several_lines()
    {
        var input = new InputLine();
        input.Insert("Remember this:\nAlice lives in Lisbon, and she has a cat called Miso who likes long naps.");
        input.Up();
        Snapshot.Matches("input", Snapshot.Render(InputPane.Render(input, 50, "Send a message"), 50, 10));
    }

    [Fact]
    public void Input_pane_empty_shows_the_placeholder()
    {
        Snapshot.Matches("input-empty", Snapshot.Render(InputPane.Render(new InputLine(), 50, "Send a message (/help, F1)"), 50, 3));
    }

    [Theory]
    [InlineData(120)]
    [InlineData(80)]
    public void Status_bar(int width)
    {
        var state = Conversation();
        state.Memory = Memory;
        Snapshot.Matches($"status-{width}", Snapshot.Render(StatusBar.Render(state.Status("⠋"), width), width, 1));
    }

    [Fact]
    public void Memory_panel_with_facts()
    {
        Snapshot.Matches("memory", Snapshot.Render(MemoryPanel.Render(Memory, 56, Now), 56, 12));
    }

    [Fact]
    public void Memory_panel_empty()
    {
        Snapshot.Matches("memory-empty", Snapshot.Render(MemoryPanel.Render(MemorySnapshot.Empty, 48, Now), 48, 12));
    }

    [Fact]
    public void Norms_chart()
    {
        Snapshot.Matches("norms", Snapshot.Render(NormsChart.Render(Memory.EditNorms, 48), 48, 8));
    }

    [Fact]
    public void Norms_chart_empty()
    {
        Snapshot.Matches("norms-empty", Snapshot.Render(NormsChart.Render([], 48), 48, 8));
    }

    [Fact]
    public void Sleep_view_running()
    {
        var run = new SleepRun(SleepKind.Nap);
        run.Step("audit: 3 memories");
        run.Step("recall 1/3: Alice lives in …");
        Snapshot.Matches("sleep-running", Snapshot.Render(SleepView.Render(run, 48, 0), 48, 6));
    }

    [Fact]
    public void Sleep_view_done()
    {
        Snapshot.Matches("sleep-done", Snapshot.Render(SleepView.Render(FinishedNap(), 48, 0), 48, 6));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Sleep_view_after_a_sleep(bool committed)
    {
        Snapshot.Matches(committed ? "sleep-committed" : "sleep-rolled-back", Snapshot.Render(SleepView.Render(FinishedSleep(committed), 60, 0), 60, 9));
    }

    [Fact]
    public void Help_pane()
    {
        Snapshot.Matches("help", Snapshot.Render(HelpPane.Render(), 60, 30));
    }

    [Fact]
    public void Whole_screen_after_a_nap()
    {
        var state = Conversation();
        state.Memory = Memory;
        state.Sleep = FinishedNap();
        Snapshot.Matches("screen-120x40", Snapshot.Render(ChatScreen.Render(state, 120, 40, Now, 0), 120, 40));
    }

    [Fact]
    public void Whole_screen_narrow()
    {
        var state = Conversation();
        state.Sleep = FinishedNap();
        Snapshot.Matches("screen-80x24", Snapshot.Render(ChatScreen.Render(state, 80, 24, Now, 0), 80, 24));
    }

    [Fact]
    public void Every_pane_fills_exactly_the_screen_it_is_given()
    {
        var state = Conversation();
        state.Memory = Memory;
        state.Sleep = FinishedNap();
        foreach (var (width, height) in new[] { (120, 40), (100, 30), (120, 10), (99, 30), (80, 24), (40, 12) })
        {
            var lines = Snapshot.Render(ChatScreen.Render(state, width, height, Now, 0), width, height).TrimEnd('\n').Split('\n');
            Assert.Equal(height, lines.Length);
            Assert.All(lines, line => Assert.True(TextWrap.Cells(line) <= width, $"{width}x{height}: {line}"));
        }
    }
}
