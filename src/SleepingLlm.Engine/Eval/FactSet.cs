using System.Text.Json.Serialization;
using SleepingLlm.Wake;

namespace SleepingLlm.Eval;

/// <summary>A fact of ../shared/data/facts-people.json: the fact, its chat question and reworded prompts.</summary>
public sealed record FactRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("relation")] string Relation,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("question")] string? Question,
    [property: JsonPropertyName("paraphrases")] IReadOnlyList<string>? Paraphrases)
{
    public Fact ToFact() => new(Subject, Relation, Object, Prompt, Question);
}

public static class FactSet
{
    sealed record File([property: JsonPropertyName("facts")] IReadOnlyList<FactRecord>? Facts);

    /// <summary>The file's facts, each checked whole before anything is computed: one line names the first incomplete record.</summary>
    public static IReadOnlyList<FactRecord> Load(string path)
    {
        var records = DataFile.Read<File, FactRecord>(path, f => f.Facts, "facts", "facts");
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            string? missing = string.IsNullOrWhiteSpace(r.Subject) ? "subject" : string.IsNullOrWhiteSpace(r.Relation) ? "relation"
                : string.IsNullOrWhiteSpace(r.Object) ? "object" : string.IsNullOrWhiteSpace(r.Prompt) ? "prompt" : null;
            string which = $"fact {i + 1}" + (string.IsNullOrWhiteSpace(r.Id) ? "" : $" ({r.Id})");
            if (missing is not null) throw new SleepingLlmException($"{path}: {which} has no {missing}");
            try { r.ToFact().Validate(); }
            catch (SleepingLlmException e) { throw new SleepingLlmException($"{path}: {which}: {e.Message}"); }
        }
        return records;
    }
}
