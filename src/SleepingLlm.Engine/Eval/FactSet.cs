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

    public static IReadOnlyList<FactRecord> Load(string path) => DataFile.Read<File, FactRecord>(path, f => f.Facts, "facts", "facts");
}
