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
    /// <summary>
    /// Over other people's prompts (later facts of the file whose subject shares no name with a written
    /// one): the share whose greedy first token is the bare model's and the mean next-token KL, bare ‖
    /// with the memory (<see cref="Eval.Locality"/>).
    /// </summary>
    public required LocalityScore Locality { get; init; }
    /// <summary>
    /// The same with the exported adapter applied at scale 10⁻⁶: the edit shrunk to nothing, only llama.cpp's
    /// adapter path differing from the bare model. The measure's noise: it counts only where this reads ≥ 0.98.
    /// </summary>
    public required LocalityScore LocalityFloor { get; init; }
    /// <summary>The same measure over made-up namesakes: other people's prompts with a written subject's surname (<see cref="Eval.LocalityPrompts.Namesakes"/>).</summary>
    public required LocalityScore NamesakeLocality { get; init; }
    public required LocalityScore NamesakeFloor { get; init; }
    public required int LocalityPrompts { get; init; }
    public required int NamesakePrompts { get; init; }
    /// <summary>
    /// Share of the locality prompts whose greedy 8-token continuation is the bare model's: the old, strict
    /// measure, kept for comparison and no longer a target (it flips on near-ties far from the edit).
    /// </summary>
    public required double ContinuationUnchanged { get; init; }
    /// <summary>Locality over CounterFact's locality prompts (with <c>--counterfact</c>).</summary>
    public LocalityScore? CounterFactLocality { get; init; }
    /// <summary>What the WikiText perplexity was measured on: the file's range, and how it stays apart from the covariance's text.</summary>
    public string? PerplexityText { get; init; }
    public int? PerplexityTokens { get; init; }
    public double? PerplexityBefore { get; init; }
    public double? PerplexityAfter { get; init; }
    /// <summary>Perplexity of chat replies the bare model wrote itself (null without a chat template).</summary>
    public double? ChatPerplexityBefore { get; init; }
    public double? ChatPerplexityAfter { get; init; }
    public int? ChatPerplexityTokens { get; init; }

    /// <summary>Raw recall after the memory is closed and reopened: the adapter rebuilt from the store, applied in-process.</summary>
    public required double RestartRaw { get; init; }
    public required double RestartParaphrase { get; init; }
    public required double? RestartChat { get; init; }
    /// <summary>Raw recall with the file the reopened memory exports, loaded on the base model by llama.cpp alone.</summary>
    public required double ExportedRaw { get; init; }
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
    /// <summary>The locality prompts after the last fact: first token and KL, and what they continued with before and after.</summary>
    public required IReadOnlyList<LocalityAnswer> LocalityAnswers { get; init; }
    public required IReadOnlyList<LocalityAnswer> NamesakeAnswers { get; init; }
    public required IReadOnlyList<ContinuationAnswer> ContinuationAnswers { get; init; }
}

/// <summary>
/// One fact after the last write: whether each probe named the object and what the model said, with
/// the exported adapter, and the raw answer again after the memory was reopened.
/// </summary>
public sealed record FactOutcome(string Id, string Object, bool Raw, double Paraphrase, bool? Chat, string RawAnswer, string? ChatAnswer,
    string RestartRawAnswer, double Seconds, double ValueLoss);

/// <summary>
/// The measures after <paramref name="Facts"/> facts are written: recall of all of them so far, locality
/// (other people, namesakes, each with its floor at adapter scale 10⁻⁶; the strict continuation share;
/// CounterFact's prompts where given), perplexity (WikiText, with --wikitext; the model's own chat text),
/// chat recall where the model has a chat template, the median seconds of the writes since the previous
/// checkpoint, and the database size per fact.
/// </summary>
public sealed record CurvePoint(int Facts, double Raw, double Paraphrase, double? Chat, LocalityScore Locality, LocalityScore LocalityFloor,
    LocalityScore NamesakeLocality, LocalityScore NamesakeFloor, double ContinuationUnchanged, LocalityScore? CounterFactLocality,
    double? Perplexity, double? ChatPerplexity, double SecondsPerFactMedian, long DiskBytesPerFact);
