namespace SleepingLlm.Memory;

/// <summary>Where a fact stands: only active facts contribute to the adapter.</summary>
public enum FactStatus
{
    Active,
    /// <summary>The user asked to forget it; its factors and keys are gone.</summary>
    Forgotten,
    /// <summary>A newer fact about the same subject and relation took its place; its factors and keys are gone.</summary>
    Replaced,
}

/// <summary>A fact to remember, before it has an id.</summary>
/// <param name="Prompt">The raw completion prompt whose continuation is the object, e.g. "Ada drives a".</param>
/// <param name="Question">A chat question whose answer is the object, or null.</param>
/// <param name="Paraphrases">Other prompts with the same answer (recall checks); null is none.</param>
public sealed record NewFact(string Subject, string Relation, string Object, string Prompt, string? Question = null,
    IReadOnlyList<string>? Paraphrases = null)
{
    /// <summary>Consolidation stage (0: a fresh MEMIT edit).</summary>
    public int Stage { get; init; }

    /// <summary>The scale its edit is applied with.</summary>
    public float Scale { get; init; } = 1f;

    /// <summary>When it was told; null is now.</summary>
    public DateTimeOffset? Created { get; init; }
}

/// <summary>One recall audit: whether the raw prompt and the chat question gave the object.</summary>
/// <param name="Chat">null when the fact has no chat question.</param>
public sealed record RecallRecord(DateTimeOffset At, bool Raw, bool? Chat);

/// <summary>A fact as the store holds it.</summary>
/// <param name="Recalled">The raw-prompt recall of the last audit (the one MEMIT edits are held to); null before any.</param>
/// <param name="Pinned">The user pinned it: sleep's Prune never dissolves its edit (consolidation still moves its stage).</param>
public sealed record StoredFact(long Id, string Subject, string Relation, string Object, string Prompt, string? Question,
    IReadOnlyList<string> Paraphrases, DateTimeOffset Created, FactStatus Status, int Stage, float Scale,
    DateTimeOffset? LastRecall, bool? Recalled, IReadOnlyList<RecallRecord> RecallHistory, bool Pinned)
{
    /// <summary>The fact as wake and sleep write it, with the user's first-person questions where it is the user's own.</summary>
    public Wake.Fact ToFact() => new(Subject, Relation, Object, Prompt, Question) { Asked = Conversation.UserProfile.AskedFor(Subject, Relation) };

    /// <summary>A fact of the user's own lives in chat only: no completion prompt reaches it (<see cref="Wake.Fact.IsAsked"/>).</summary>
    public bool IsAsked => Conversation.UserProfile.AskedFor(Subject, Relation) is not null;

    /// <summary>The UI's view of this fact.</summary>
    public MemoryFact ToMemoryFact() => new(Id, Subject, Relation, Object, Stage, Scale, LastRecall, Recalled, Pinned);
}
