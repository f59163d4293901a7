using SleepingLlm.Conversation;
using SleepingLlm.Inference;
using SleepingLlm.Native;

namespace SleepingLlm.Tests.Conversation;

/// <summary>The sliding window's rules on a word tokenizer: what goes first, what never goes, and the budget.</summary>
public sealed class ContextWindowTests
{
    const string System = "You are a helpful assistant.";

    /// <summary>One token per word, two per message for the template's markers, two for the reply's opening.</summary>
    static int[] Words(IReadOnlyList<ChatMessage> messages) =>
        new int[messages.Sum(m => 2 + m.Content.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length) + 2];

    /// <summary>Summarises to "summary of turns A-B" and remembers what it was handed.</summary>
    sealed class RecordingSummariser(int maxInputTokens = 1000) : ISummariser
    {
        public List<IReadOnlyList<ConversationTurn>> Calls { get; } = [];
        public int MaxTokens => 6;
        public int MaxInputTokens => maxInputTokens;

        public string Summarise(IReadOnlyList<ConversationTurn> turns)
        {
            Calls.Add(turns);
            return $"summary of turns {turns[0].Index}-{turns[^1].Index}";
        }
    }

    static string Sentence(int words, string word = "word") => string.Join(' ', Enumerable.Repeat(word, words));

    static (ContextWindow Window, RecordingSummariser Summariser, List<int> Evicted) Window(int maxInputTokens = 1000)
    {
        var summariser = new RecordingSummariser(maxInputTokens);
        var evicted = new List<int>();
        var window = new ContextWindow(Words, summariser, turn => evicted.Add(turn.Index)) { SystemPrompt = System };
        return (window, summariser, evicted);
    }

    static void Exchange(ContextWindow window, int words, string reply = "")
    {
        window.Add("user", Sentence(words), DateTimeOffset.UtcNow);
        window.Add("assistant", reply + Sentence(words, "answer"), DateTimeOffset.UtcNow);
    }

    [Fact]
    public void A_prompt_within_the_budget_is_left_as_it_is()
    {
        var (window, summariser, _) = Window();
        Exchange(window, 10);
        window.Add("user", Sentence(10), DateTimeOffset.UtcNow);
        int[] prompt = window.Fit(100);
        Assert.Equal(Words(window.Messages()).Length, prompt.Length);
        Assert.Equal(3, window.Turns.Count);
        Assert.Empty(summariser.Calls);
    }

    [Fact]
    public void The_models_thoughts_go_first_oldest_first()
    {
        var (window, summariser, _) = Window();
        for (int i = 0; i < 3; i++) Exchange(window, 5, reply: $"<think>{Sentence(20, "hmm")}</think> ");
        window.Add("user", Sentence(5), DateTimeOffset.UtcNow);
        int full = Words(window.Messages()).Length;

        // Room for all turns once one reply has lost its 20 words of thought.
        window.Fit(full - 20);
        var replies = window.Turns.Where(t => t.Role == "assistant").ToList();
        Assert.Equal([false, true, true], replies.Select(r => r.Content.Contains("<think>")));
        Assert.Equal(Sentence(5, "answer"), replies[0].Content);
        Assert.StartsWith("<think>", replies[0].Text); // the original stays as it was said
        Assert.Empty(summariser.Calls);
        Assert.Equal(7, window.Turns.Count);
    }

    [Fact]
    public void Old_turns_are_summarised_after_the_thoughts_and_recent_turns_stay_verbatim()
    {
        var (window, summariser, evicted) = Window();
        for (int i = 0; i < 6; i++) Exchange(window, 10, reply: "<think>hmm</think> ");
        window.Add("user", "and now?", DateTimeOffset.UtcNow);

        int[] prompt = window.Fit(100);

        Assert.True(prompt.Length <= 100);
        var call = Assert.Single(summariser.Calls);
        Assert.Equal(Enumerable.Range(0, call.Count), call.Select(t => t.Index)); // the oldest, in order
        Assert.Equal(0, call.Count % 2); // whole exchanges
        Assert.Equal(call.Select(t => t.Index), evicted); // each went through extraction first
        Assert.Equal(call.Count, window.Turns[0].Index);
        Assert.Equal("and now?", window.Turns[^1].Content);
        Assert.DoesNotContain(window.Turns, t => t.Content.Contains("<think>"));
        Assert.Equal(System, window.Messages()[0].Content);
        Assert.Equal($"{ContextWindow.HistoryHeading}\nsummary of turns 0-{call.Count - 1}", window.Messages()[1].Content);
    }

    [Fact]
    public void Summaries_go_last_and_the_system_prompt_and_newest_turn_never()
    {
        var (window, summariser, _) = Window();
        Exchange(window, 10);
        window.Fit(100);
        window.Add("user", Sentence(60), DateTimeOffset.UtcNow);

        // Summarising the exchange is not enough for a 75-token budget: its summary goes too.
        int[] prompt = window.Fit(75);

        Assert.True(prompt.Length <= 75);
        Assert.Single(summariser.Calls);
        Assert.Empty(window.Summaries);
        Assert.Equal([System, Sentence(60)], window.Messages().Select(m => m.Content));
    }

    [Fact]
    public void A_message_too_long_for_the_budget_with_the_system_prompt_is_refused()
    {
        var (window, _, _) = Window();
        window.Add("user", Sentence(200), DateTimeOffset.UtcNow);
        var error = Assert.Throws<SleepingLlmException>(() => window.Fit(100));
        Assert.Contains("too long", error.Message);
        Assert.Equal(System, window.Messages()[0].Content);
    }

    [Fact]
    public void Over_a_long_conversation_no_prompt_exceeds_the_budget_and_no_summary_is_summarised()
    {
        var (window, summariser, evicted) = Window(maxInputTokens: 60);
        var random = new Random(5);
        const int budget = 160;
        for (int turn = 0; turn < 200; turn++)
        {
            window.Add("user", Sentence(random.Next(1, 30)), DateTimeOffset.UtcNow);
            int[] prompt = window.Fit(budget);
            Assert.InRange(prompt.Length, 1, budget);
            Assert.Equal(Words(window.Messages()).Length, prompt.Length);
            Assert.Equal(ChatMessage.System(System), window.Messages()[0]);
            window.Add("assistant", Sentence(random.Next(1, 30), "answer"), DateTimeOffset.UtcNow);
        }
        var summarised = summariser.Calls.SelectMany(c => c).Select(t => t.Index).ToList();
        Assert.True(summariser.Calls.Count > 5, $"{summariser.Calls.Count} summaries");
        // Each turn reaches the summariser once, oldest first, and only after extraction: summaries are never fed back.
        Assert.Equal(Enumerable.Range(0, summarised.Count), summarised);
        Assert.Equal(summarised, evicted);
        Assert.All(summariser.Calls, c => Assert.True(Words([.. c.Select(t => new ChatMessage(t.Role, t.Content))]).Length <= 60 + 40));
        // The history holds the newest summaries, at most a quarter of the budget.
        Assert.Equal(summariser.Calls[^1][^1].Index, window.Summaries[^1].LastTurn);
        Assert.Equal(window.Summaries[^1].LastTurn + 1, window.Turns[0].Index);
    }

    [Fact]
    public void Compact_summarises_all_but_the_latest_exchange()
    {
        var (window, summariser, _) = Window(maxInputTokens: 30);
        for (int i = 0; i < 5; i++) Exchange(window, 10);

        var done = window.Compact(budget: 1000);

        Assert.Equal(8, done.TurnsSummarised);
        Assert.True(summariser.Calls.Count >= 2, "a stretch longer than the summariser takes is summarised in parts");
        Assert.Equal([8, 9], window.Turns.Select(t => t.Index));
        Assert.True(done.TokensAfter < done.TokensBefore);
        Assert.Equal(0, window.Compact(1000).TurnsSummarised);
    }

    [Fact]
    public void Clearing_extracts_the_turns_first_and_keeps_the_system_prompt()
    {
        var (window, _, evicted) = Window();
        Exchange(window, 3);
        window.Clear();
        Assert.Equal([0, 1], evicted);
        Assert.Equal([System], window.Messages().Select(m => m.Content));
    }
}
