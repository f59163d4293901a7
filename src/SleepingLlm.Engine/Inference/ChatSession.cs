using SleepingLlm.Conversation;

namespace SleepingLlm.Inference;

/// <summary>
/// A conversation under the model's chat template, through a sliding <see cref="ContextWindow"/>.
/// Each turn formats the whole window and lets <see cref="Context.Prefill"/> reuse the cached
/// prefix: when the window slides, the prompt changes right after the system prompt, and Prefill
/// drops the cache from there and decodes the rest, so the cache always holds exactly what is sent.
/// Engine thread only.
/// </summary>
public sealed class ChatSession
{
    readonly Context context;
    readonly TranscriptLog? transcript;
    readonly ContextWindow window;

    /// <param name="transcript">Where the turns, summaries and facts are saved; null keeps none (one-off questions).</param>
    /// <param name="summariser">How turns leaving the window are summarised (default: by the model, in this context).</param>
    public ChatSession(Context context, string? systemPrompt = null, TranscriptLog? transcript = null, ISummariser? summariser = null)
    {
        this.context = context;
        this.transcript = transcript;
        window = new ContextWindow(Tokenize, summariser ?? new ModelSummariser(context), EnsureExtracted)
        {
            SystemPrompt = systemPrompt,
            Summarised = summary => transcript?.Summary(summary),
        };
    }

    /// <summary>Runs on each turn that was not extracted yet before it leaves the window; null: nothing to extract.</summary>
    public ITurnExtraction? Extraction { get; set; }

    public ContextWindow Window => window;

    /// <summary>The messages the model sees now (system prompt, history, recent turns).</summary>
    public IReadOnlyList<ChatMessage> Messages => window.Messages();

    /// <summary>The tokens of the last prompt sent to the model, as the window fitted them.</summary>
    public IReadOnlyList<int> LastPrompt { get; private set; } = [];

    /// <summary>The prompt the model sees for a conversation (used by tests and by the memory layer).</summary>
    public string FormatPrompt(IReadOnlyList<ChatMessage> conversation) =>
        context.Model.ApplyChatTemplate(conversation, addAssistant: true);

    int[] Tokenize(IReadOnlyList<ChatMessage> messages) => context.Model.Tokenize(FormatPrompt(messages));

    /// <summary>
    /// The answer reserve: the context minus the longest reply is what the prompt may fill (half the
    /// context at most, so that a huge --max-tokens still leaves room for the conversation).
    /// </summary>
    public int Budget(int maxTokens) => context.Size - Math.Min(maxTokens, context.Size / 2);

    public GenerationResult Reply(string userText, SamplerSettings settings, int maxTokens,
        Action<string>? onText = null, CancellationToken cancel = default)
    {
        Add("user", userText);
        int[] prompt = window.Fit(Budget(maxTokens));
        LastPrompt = prompt;
        var result = Generation.Run(context, prompt, settings, maxTokens, onText, cancel);
        Add("assistant", result.Text.Trim());
        return result;
    }

    void Add(string role, string text)
    {
        var turn = window.Add(role, text, DateTimeOffset.UtcNow);
        transcript?.Turn(turn);
    }

    /// <summary>/compact: old turns go to the history now (see <see cref="ContextWindow.Compact"/>).</summary>
    public Compaction Compact(int maxTokens) => window.Compact(Budget(maxTokens));

    /// <summary>
    /// The facts extracted from turn <paramref name="turnIndex"/>: marks it extracted (it may now leave
    /// the window) and saves them in the transcript. False when the turn is no longer in the window.
    /// </summary>
    public bool RecordFacts(int turnIndex, IReadOnlyList<TurnFact> facts)
    {
        var turn = window.Turns.FirstOrDefault(t => t.Index == turnIndex);
        if (turn is null) return false;
        turn.MarkExtracted(facts);
        transcript?.Facts(turnIndex, facts);
        return true;
    }

    /// <summary>Runs <see cref="Extraction"/> on every turn in the window that has not been through it (e.g. after each reply).</summary>
    public void ExtractPending()
    {
        foreach (var turn in window.Turns.ToList()) EnsureExtracted(turn);
    }

    void EnsureExtracted(ConversationTurn turn)
    {
        if (turn.Extracted) return;
        // Without an extractor there is nothing to wait for, and nothing worth a line in the transcript.
        if (Extraction is null) turn.MarkExtracted([]);
        else RecordFacts(turn.Index, Extraction.Extract(turn));
    }

    /// <summary>Sets, replaces or (null) removes the system prompt, e.g. the facts retrieved for the next message.</summary>
    public void UseSystemPrompt(string? text) => window.SystemPrompt = text;

    public void Reset()
    {
        window.Clear();
        transcript?.Reset();
    }
}
