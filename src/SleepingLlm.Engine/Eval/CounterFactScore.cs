namespace SleepingLlm.Eval;

/// <summary>
/// One request's log-probabilities of target_new and ground_truth (each the product of its tokens'
/// probabilities after the prompt and a space) on its edit prompt, its rephrased prompt and its
/// neighbourhood prompt, and whether the greedy answer to the edit prompt names target_new.
/// </summary>
public sealed record CounterFactProbabilities(double NewOnPrompt, double TrueOnPrompt, double NewOnRephrase, double TrueOnRephrase,
    double NewOnNeighbour, double TrueOnNeighbour, bool Generates);

/// <summary>
/// CounterFact's scores as the ROME/MEMIT papers compute them, over a set of requests: efficacy (ES),
/// P(new) &gt; P(true) on the edit prompt; paraphrase (PS), the same on the rephrased prompt;
/// neighbourhood (NS), P(true) &gt; P(new) on another subject's prompt; and generation efficacy, the
/// share whose greedy answer names target_new.
/// </summary>
public sealed record CounterFactScore(double Efficacy, double Paraphrase, double Neighbourhood, double Generation)
{
    public static CounterFactScore Of(IReadOnlyList<CounterFactProbabilities> requests)
    {
        if (requests.Count == 0) throw new ArgumentException("no requests to score", nameof(requests));
        return new CounterFactScore(
            requests.Average(r => r.NewOnPrompt > r.TrueOnPrompt ? 1.0 : 0),
            requests.Average(r => r.NewOnRephrase > r.TrueOnRephrase ? 1.0 : 0),
            requests.Average(r => r.TrueOnNeighbour > r.NewOnNeighbour ? 1.0 : 0),
            requests.Average(r => r.Generates ? 1.0 : 0));
    }
}

/// <summary>The scores after <paramref name="Edits"/> requests are written, of those requests: with the memory, and the unedited model's beside them.</summary>
public sealed record CounterFactPoint(int Edits, CounterFactScore Edited, CounterFactScore Unedited, double SecondsPerEditMedian);

/// <summary>One request after the last write: its log-probabilities and greedy answer, before and with the memory.</summary>
public sealed record CounterFactOutcome(int CaseId, string Prompt, string TargetNew, string GroundTruth,
    CounterFactProbabilities Unedited, CounterFactProbabilities Edited, string UneditedAnswer, string EditedAnswer, double Seconds);

/// <summary>What <c>eval --counterfact-edits</c> writes as JSON.</summary>
public sealed record CounterFactReport
{
    public required string Model { get; init; }
    public required int Edits { get; init; }
    public required IReadOnlyList<int> Layers { get; init; }
    public required double Lambda { get; init; }
    public required CounterFactScore Edited { get; init; }
    public required CounterFactScore Unedited { get; init; }
    public required double SecondsPerEditMedian { get; init; }
    /// <summary>The scores at each checkpoint while writing (with <c>--curve</c>).</summary>
    public IReadOnlyList<CounterFactPoint>? Curve { get; init; }
    public required IReadOnlyList<CounterFactOutcome> Outcomes { get; init; }
}
