using SleepingLlm.Inference;
using SleepingLlm.Native;

namespace SleepingLlm.Conversation;

/// <summary>What <see cref="ContextWindow.Compact"/> did.</summary>
public sealed record Compaction(int TurnsSummarised, int TokensBefore, int TokensAfter);

/// <summary>
/// The sliding window over a conversation: what of it the model sees. The prompt is the system
/// prompt (never evicted), then one history segment of summaries, then the recent turns verbatim.
/// When the templated prompt outgrows the budget, it lets go, in this order: the model's thoughts
/// in old replies, then the oldest turns (summarised by the model into the history, after fact
/// extraction has run on them), then the oldest summaries (dropped, never summarised again). The
/// newest turn always stays. Engine thread only.
/// </summary>
/// <param name="tokenize">The model's tokens of the templated prompt of these messages (what it measures is what is sent).</param>
/// <param name="beforeEviction">Called for each turn before it leaves the window: where extraction is awaited.</param>
public sealed class ContextWindow(Func<IReadOnlyList<ChatMessage>, int[]> tokenize, ISummariser summariser,
    Action<ConversationTurn>? beforeEviction = null)
{
    /// <summary>The heading of the history segment in the prompt.</summary>
    public const string HistoryHeading = "Summary of the conversation so far:";

    readonly List<ConversationTurn> turns = [];
    readonly List<HistorySummary> summaries = [];
    int nextIndex;

    public string? SystemPrompt { get; set; }

    /// <summary>The turns the model sees verbatim, oldest first.</summary>
    public IReadOnlyList<ConversationTurn> Turns => turns;

    /// <summary>The history segment's summaries, oldest first.</summary>
    public IReadOnlyList<HistorySummary> Summaries => summaries;

    /// <summary>Called with each new summary (the transcript keeps it).</summary>
    public Action<HistorySummary>? Summarised { get; set; }

    public ConversationTurn Add(string role, string text, DateTimeOffset time)
    {
        var turn = new ConversationTurn(nextIndex++, role, text, time);
        turns.Add(turn);
        return turn;
    }

    /// <summary>The messages of the prompt as the window stands.</summary>
    public IReadOnlyList<ChatMessage> Messages() => Messages(0);

    /// <summary>The messages without the oldest <paramref name="skipTurns"/> turns (and, when asked, without the history).</summary>
    List<ChatMessage> Messages(int skipTurns, bool history = true)
    {
        var messages = new List<ChatMessage>();
        if (SystemPrompt is not null) messages.Add(ChatMessage.System(SystemPrompt));
        var lines = summaries.Where(s => s.Text.Length > 0).Select(s => s.Text).ToList();
        if (history && lines.Count > 0) messages.Add(ChatMessage.System(HistoryHeading + "\n" + string.Join('\n', lines)));
        messages.AddRange(turns.Skip(skipTurns).Select(t => new ChatMessage(t.Role, t.Content)));
        return messages;
    }

    /// <summary>Slides the window until the templated prompt has at most <paramref name="budget"/> tokens, and returns that prompt.</summary>
    /// <exception cref="SleepingLlmException">the system prompt and the newest turn alone are over the budget.</exception>
    public int[] Fit(int budget)
    {
        while (true)
        {
            int[] prompt = tokenize(Messages());
            if (prompt.Length <= budget) return prompt;
            if (StripOldestThoughts()) continue;
            if (SummariseOldest(budget * 3 / 4))
            {
                TrimHistory(budget);
                continue;
            }
            if (!DropOldestSummary())
                throw new SleepingLlmException($"the message is too long for the context: {prompt.Length} tokens, {budget} fit" +
                    (SystemPrompt is null ? "" : " with the system prompt (a memory mode that puts every fact there needs room for them: try rag)"));
        }
    }

    /// <summary>
    /// /compact: the thoughts of every reply and all turns but the last <paramref name="keepRecent"/> go
    /// to the history now, whatever the prompt's size.
    /// </summary>
    public Compaction Compact(int budget, int keepRecent = 2)
    {
        int before = tokenize(Messages()).Length;
        foreach (var turn in turns.SkipLast(1).Where(t => t.Role == "assistant")) turn.Content = Thoughts.Strip(turn.Content);
        int summarised = 0;
        while (turns.Count > keepRecent)
        {
            int end = ChunkEnd(turns.Count - keepRecent, _ => false);
            Summarise(end);
            summarised += end;
        }
        TrimHistory(budget);
        return new Compaction(summarised, before, tokenize(Messages()).Length);
    }

    /// <summary>Forgets the conversation (its turns are extracted first, as any evicted turn); the system prompt stays.</summary>
    public void Clear()
    {
        foreach (var turn in turns) beforeEviction?.Invoke(turn);
        turns.Clear();
        summaries.Clear();
    }

    bool StripOldestThoughts()
    {
        // The newest turn is the question being answered: its text stays as the user wrote it.
        var turn = turns.SkipLast(1).FirstOrDefault(t => t.Role == "assistant" && Thoughts.Contains(t.Content));
        if (turn is null) return false;
        turn.Content = Thoughts.Strip(turn.Content);
        return true;
    }

    /// <summary>
    /// Summarises the oldest turns, enough of them to bring the prompt to <paramref name="target"/>
    /// (below the budget, so that the next turns fit without another summary at once).
    /// </summary>
    bool SummariseOldest(int target)
    {
        int candidates = turns.Count - 1;
        if (candidates <= 0) return false;
        int room = target - summariser.MaxTokens;
        Summarise(ChunkEnd(candidates, end => tokenize(Messages(end)).Length <= room));
        return true;
    }

    /// <summary>
    /// How many of the oldest turns (up to <paramref name="candidates"/>) go into one summary: until
    /// <paramref name="enough"/>, or as many as the summariser takes at once. A user turn takes its
    /// reply along, so an exchange is not cut in two.
    /// </summary>
    int ChunkEnd(int candidates, Func<int, bool> enough)
    {
        int full = tokenize(Messages()).Length;
        int end = 0;
        while (end < candidates)
        {
            int next = end + 1;
            if (next < candidates && turns[next - 1].Role == "user" && turns[next].Role == "assistant") next++;
            if (end > 0 && full - tokenize(Messages(next)).Length > summariser.MaxInputTokens) break;
            end = next;
            if (enough(end)) break;
        }
        return end;
    }

    void Summarise(int count)
    {
        var chunk = turns.Take(count).ToList();
        foreach (var turn in chunk) beforeEviction?.Invoke(turn);
        var summary = new HistorySummary(chunk[0].Index, chunk[^1].Index, summariser.Summarise(chunk), DateTimeOffset.UtcNow);
        turns.RemoveRange(0, count);
        summaries.Add(summary);
        Summarised?.Invoke(summary);
    }

    /// <summary>
    /// Old history must not crowd out recent turns: past a quarter of the budget, the oldest summaries
    /// go (the newest stays). They hold the oldest part of the conversation, which leaves first.
    /// </summary>
    void TrimHistory(int budget)
    {
        int bare = tokenize(Messages(turns.Count, history: false)).Length;
        while (summaries.Count > 1 && tokenize(Messages(turns.Count)).Length - bare > budget / 4) summaries.RemoveAt(0);
    }

    bool DropOldestSummary()
    {
        if (summaries.Count == 0) return false;
        summaries.RemoveAt(0);
        return true;
    }
}
