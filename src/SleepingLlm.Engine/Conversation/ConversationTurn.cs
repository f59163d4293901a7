namespace SleepingLlm.Conversation;

/// <summary>A fact extracted from a turn, as the transcript records it.</summary>
/// <param name="MemoryId">The fact's id in the memory store once written; null before (or when it was not written).</param>
public sealed record TurnFact(string Subject, string Relation, string Object, long? MemoryId = null);

/// <summary>
/// One message of a conversation: its original text stays as it was said (and on disk); what the
/// context window shows of it (<see cref="Content"/>) may lose the model's thoughts.
/// </summary>
public sealed class ConversationTurn(int index, string role, string text, DateTimeOffset time)
{
    /// <summary>Its place in the session, counted from 0 (the transcript's key for it).</summary>
    public int Index { get; } = index;

    /// <summary>"user" or "assistant".</summary>
    public string Role { get; } = role;

    public string Text { get; } = text;
    public DateTimeOffset Time { get; } = time;

    /// <summary>What the model sees of this turn now.</summary>
    public string Content { get; internal set; } = text;

    /// <summary>Whether fact extraction has run on it; a turn leaves the window only after it has.</summary>
    public bool Extracted { get; private set; }

    public IReadOnlyList<TurnFact> Facts { get; private set; } = [];

    internal void MarkExtracted(IReadOnlyList<TurnFact> facts)
    {
        Facts = facts;
        Extracted = true;
    }
}

/// <summary>Turns <see cref="FirstTurn"/>..<see cref="LastTurn"/> as the model summarised them when they left the window.</summary>
public sealed record HistorySummary(int FirstTurn, int LastTurn, string Text, DateTimeOffset Time);
