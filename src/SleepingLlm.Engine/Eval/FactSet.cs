using System.Text.Json;
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

    public static IReadOnlyList<FactRecord> Load(string path)
    {
        try
        {
            var file = JsonSerializer.Deserialize<File>(System.IO.File.ReadAllText(path));
            return file?.Facts is { Count: > 0 } facts ? facts : throw new SleepingLlmException($"{path} has no facts");
        }
        catch (JsonException e)
        {
            throw new SleepingLlmException($"{path} is not a facts file: {e.Message}");
        }
    }
}
