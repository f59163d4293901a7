using System.Text.Json;
using System.Text.Json.Serialization;

namespace SleepingLlm.Eval;

/// <summary>A recall question of a chat message and the answers that count (any one, case-insensitive).</summary>
public sealed record ChatRecall(
    [property: JsonPropertyName("question")] string Question,
    [property: JsonPropertyName("expected")] IReadOnlyList<string> Expected)
{
    public bool IsAnsweredBy(string answer) => Expected.Any(e => answer.Contains(e, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A first-person chat message of ../shared/data/chat-facts.json and the questions that recall it.</summary>
public sealed record ChatFactRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("recall")] IReadOnlyList<ChatRecall> Recall);

/// <summary>The chat-facts file, and the small-talk conversation that must yield no fact.</summary>
public static class ChatFactSet
{
    sealed record File([property: JsonPropertyName("conversations")] IReadOnlyList<ChatFactRecord>? Conversations);

    sealed record SmallTalkFile([property: JsonPropertyName("turns")] IReadOnlyList<string>? Turns);

    public static IReadOnlyList<ChatFactRecord> Load(string path) =>
        DataFile.Read<File, ChatFactRecord>(path, f => f.Conversations, "chat-facts", "conversations");

    /// <summary>The built-in 20-turn small-talk conversation (greetings, questions, hedges).</summary>
    public static IReadOnlyList<string> SmallTalk() => Turns("small-talk.json");

    /// <summary>The built-in 50 ordinary user turns of the chat locality (<see cref="ChatLocality"/>).</summary>
    public static IReadOnlyList<string> OrdinaryTurns() => Turns("ordinary-turns.json");

    /// <summary>Ordinary user turns from a file in the format of ordinary-turns.json (a held-out set: docs/ordinary-turns-heldout.json).</summary>
    public static IReadOnlyList<string> OrdinaryTurns(string path) =>
        DataFile.Read<SmallTalkFile, string>(path, f => f.Turns, "ordinary turns", "turns");

    static IReadOnlyList<string> Turns(string resource)
    {
        using var stream = typeof(ChatFactSet).Assembly.GetManifestResourceStream(resource)
                           ?? throw new InvalidOperationException($"the {resource} resource is missing from the build");
        return JsonSerializer.Deserialize<SmallTalkFile>(stream)?.Turns ?? [];
    }
}
