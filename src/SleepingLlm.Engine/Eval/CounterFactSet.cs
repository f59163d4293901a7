using System.Text.Json.Serialization;

namespace SleepingLlm.Eval;

/// <summary>
/// A CounterFact request as EasyEdit ships them (../shared/data/counterfact-1k.json): the edit (subject,
/// prompt → target_new, replacing ground_truth), a rephrased prompt of the same fact, and a
/// neighbourhood prompt of another subject whose true answer is also ground_truth.
/// </summary>
public sealed record CounterFactRequest(
    [property: JsonPropertyName("case_id")] int CaseId,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("target_new")] string TargetNew,
    [property: JsonPropertyName("ground_truth")] string GroundTruth,
    [property: JsonPropertyName("rephrase_prompt")] string RephrasePrompt,
    [property: JsonPropertyName("locality_prompt")] string LocalityPrompt)
{
    /// <summary>The edit as a fact; its relation is its case, so that no request replaces another of the same subject.</summary>
    public Wake.Fact ToFact() => new(Subject, $"counterfact-{CaseId}", TargetNew, Prompt);
}

public static class CounterFactSet
{
    /// <summary>The requests in file order, those complete enough to score: all prompts there and the prompt naming its subject.</summary>
    public static IReadOnlyList<CounterFactRequest> Load(string path) =>
        DataFile.Read<List<CounterFactRequest>, CounterFactRequest>(path, records => records.Where(r =>
                new[] { r.Subject, r.Prompt, r.TargetNew, r.GroundTruth, r.RephrasePrompt, r.LocalityPrompt }.All(s => !string.IsNullOrWhiteSpace(s)) &&
                r.Prompt.Contains(r.Subject, StringComparison.Ordinal)),
            "CounterFact", "requests");

    /// <summary>What the wake eval's CounterFact locality reads of a record: its locality prompt alone.</summary>
    sealed record Neighbour([property: JsonPropertyName("locality_prompt")] string? LocalityPrompt);

    /// <summary>The first <paramref name="count"/> locality prompts, in file order (a record needs nothing else for this).</summary>
    public static IReadOnlyList<string> LocalityPrompts(string path, int count) =>
        DataFile.Read<List<Neighbour>, string>(path, records => records.Select(r => r.LocalityPrompt).OfType<string>().Where(p => p.Length > 0).Take(count),
            "CounterFact", "locality prompts");
}
