namespace SleepingLlm.Eval;

/// <summary>A triple extracted from a turn and what writing it did (its id, the fact it replaced).</summary>
/// <param name="WriteSeconds">How long its write took (the edit, or the row for text); null when it was not written.</param>
public sealed record LearnedFact(string Subject, string Relation, string Object, string Source, bool Correction, long? Id, long? Replaced,
    double? WriteSeconds = null)
{
    /// <param name="written">What writing it did; null when it was not written.</param>
    public static LearnedFact Of(Conversation.ExtractedFact fact, Memory.Remembered? written) =>
        new(fact.Subject, fact.Relation, fact.Object, fact.Source.ToString().ToLowerInvariant(), fact.Correction, written?.Id, written?.Replaced,
            written?.Elapsed.TotalSeconds);
}

/// <summary>One replayed user turn: the model's reply and the facts extracted from the turn.</summary>
public sealed record TurnResult(string Id, string Message, string Reply, IReadOnlyList<LearnedFact> Facts, double ExtractMs, double WriteSeconds);

/// <summary>One recall question after the restart, asked in a new chat session.</summary>
public sealed record RecallResult(string Id, string Question, IReadOnlyList<string> Expected, string Answer, bool Recalled, bool Extracted);

/// <summary>What <c>eval --chat-facts</c> writes as JSON.</summary>
public sealed record ChatMemoryReport
{
    public required string Model { get; init; }
    /// <summary>How the user's facts were kept: profile, weights or both.</summary>
    public required string UserFacts { get; init; }
    public required int Threads { get; init; }
    public required IReadOnlyList<TurnResult> Turns { get; init; }
    public required IReadOnlyList<RecallResult> Questions { get; init; }
    /// <summary>Share of recall questions whose answer after the restart holds an expected answer.</summary>
    public required double Recall { get; init; }
    /// <summary>Share of recall questions whose expected answer is in a fact extracted from its message (extraction's ceiling for recall).</summary>
    public required double ExtractionRecall { get; init; }
    /// <summary>Active facts in the memory after the replay (replaced ones not counted).</summary>
    public required int FactsStored { get; init; }
    public required IReadOnlyList<TurnResult> SmallTalk { get; init; }
    /// <summary>Facts extracted from the small-talk conversation (must be 0).</summary>
    public required int SmallTalkFacts { get; init; }
    /// <summary>Ordinary turns' replies before and after the facts (null: not measured).</summary>
    public ChatLocalityScore? ChatLocality { get; init; }
    /// <summary>Median seconds of one fact's write, over every fact written (the first one included).</summary>
    public double? MedianWriteSeconds { get; init; }
    /// <summary>The same messages under other <c>--user-facts</c> modes (eval chat-facts --compare), for comparison.</summary>
    public IReadOnlyList<ChatMemoryReport> Comparisons { get; init; } = [];
}
