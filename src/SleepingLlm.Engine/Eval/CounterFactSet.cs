using System.Text.Json.Serialization;

namespace SleepingLlm.Eval;

/// <summary>CounterFact records as EasyEdit ships them (../shared/data/counterfact-1k.json); eval uses their locality prompts.</summary>
public static class CounterFactSet
{
    sealed record Record(
        [property: JsonPropertyName("locality_prompt")] string? LocalityPrompt,
        [property: JsonPropertyName("locality_ground_truth")] string? LocalityGroundTruth);

    /// <summary>The first <paramref name="count"/> locality prompts, in file order.</summary>
    public static IReadOnlyList<string> LocalityPrompts(string path, int count) =>
        DataFile.Read<List<Record>, string>(path, records => records.Select(r => r.LocalityPrompt).OfType<string>().Where(p => p.Length > 0).Take(count),
            "CounterFact", "locality prompts");
}
