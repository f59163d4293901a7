namespace SleepingLlm.Eval;

/// <summary>
/// The measures of a wake run, as <c>eval --json</c> writes them. Recall, locality and perplexity are
/// measured by llama.cpp on the base model with the adapter file exported from the memory after the
/// last fact; the <c>Restart*</c> measures come from the memory reopened from its store.
/// </summary>
public sealed record WakeReport
{
    public required string Model { get; init; }
    public required int Facts { get; init; }
    public required IReadOnlyList<int> Layers { get; init; }
    public required double Lambda { get; init; }

    /// <summary>Share of facts whose raw prompt continues with the object (exported adapter on the base model).</summary>
    public required double RawRecall { get; init; }
    public required double ParaphraseRecall { get; init; }
    /// <summary>Null where the model has no chat template.</summary>
    public required double? ChatRecall { get; init; }
    /// <summary>Share of other subjects' prompts whose greedy continuation is unchanged.</summary>
    public required double Locality { get; init; }
    /// <summary>
    /// A graded view of the same prompts: the mean KL divergence (nats) of the next-token distribution
    /// after each prompt, bare model ‖ with the memory. 0 is untouched; it moves before a greedy continuation flips.
    /// </summary>
    public required double LocalityDivergence { get; init; }
    /// <summary>Locality over CounterFact's locality prompts (with <c>--counterfact</c>).</summary>
    public double? CounterFactLocality { get; init; }
    public double? PerplexityBefore { get; init; }
    public double? PerplexityAfter { get; init; }

    /// <summary>Raw recall after the memory is closed and reopened: the adapter rebuilt from the store, applied in-process.</summary>
    public required double RestartRaw { get; init; }
    public required double RestartParaphrase { get; init; }
    public required double? RestartChat { get; init; }
    /// <summary>Raw recall with the file the reopened memory exports, loaded on the base model by llama.cpp alone.</summary>
    public required double ExportedRaw { get; init; }
    /// <summary>
    /// Locality with the same exported adapter applied at scale 10⁻⁶: the edit shrunk to nothing, only
    /// llama.cpp's adapter path differing from the bare model. Near-ties in other subjects' greedy
    /// continuations flip on that alone, so this is the most the exact-continuation measure can give.
    /// </summary>
    public required double LocalityFloor { get; init; }

    public required double SecondsPerFactMedian { get; init; }
    public required double SecondsPerFactP95 { get; init; }
    /// <summary>What the rank-1 factors of one fact take as float32 (a and b per edit layer).</summary>
    public required long FactorBytesPerFact { get; init; }
    /// <summary>The memory database on disk (memory.db and its WAL after a checkpoint) per fact written: factors, keys, text, indexes.</summary>
    public required long DiskBytesPerFact { get; init; }
    public required double MeanValueLoss { get; init; }
    public required double MeanRealised { get; init; }

    /// <summary>The measures at each checkpoint while writing (with <c>--curve</c>).</summary>
    public IReadOnlyList<CurvePoint>? Curve { get; init; }
    public required IReadOnlyList<FactOutcome> Outcomes { get; init; }
    /// <summary>The other subjects' prompts after the last fact: what they continued with before and after.</summary>
    public required IReadOnlyList<LocalityAnswer> LocalityAnswers { get; init; }
}

/// <summary>
/// One fact after the last write: whether each probe named the object and what the model said, with
/// the exported adapter, and the raw answer again after the memory was reopened.
/// </summary>
public sealed record FactOutcome(string Id, string Object, bool Raw, double Paraphrase, bool? Chat, string RawAnswer, string? ChatAnswer,
    string RestartRawAnswer, double Seconds, double ValueLoss);

/// <summary>
/// The measures after <paramref name="Facts"/> facts are written: recall of all of them so far, locality,
/// perplexity (with WikiText), chat recall where the model has a chat template, the median seconds of the writes since the previous checkpoint, and the
/// database size per fact.
/// </summary>
public sealed record CurvePoint(int Facts, double Raw, double Paraphrase, double? Chat, double Locality, double? CounterFactLocality,
    double? Perplexity, double SecondsPerFactMedian, long DiskBytesPerFact, double LocalityDivergence);
