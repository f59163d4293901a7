namespace SleepingLlm.Memory;

/// <summary>
/// What the <c>prompt</c>, <c>rag</c> and <c>hybrid</c> memory modes put into the context: facts as
/// short statements in a system prompt.
/// </summary>
public static class MemoryPrompt
{
    /// <summary>Facts handed to the chat by retrieval unless told otherwise.</summary>
    public const int DefaultRagCount = 5;

    const string Header = "Facts you know:";

    /// <summary>A fact as one sentence: its prompt and object, e.g. "Rafferty Dunmore drives a Citroen.".</summary>
    public static string Statement(StoredFact fact) => Statement(fact.Prompt, fact.Object);

    public static string Statement(string prompt, string obj)
    {
        string sentence = $"{prompt.Trim()} {obj.Trim()}";
        return char.IsPunctuation(sentence[^1]) ? sentence : sentence + ".";
    }

    /// <summary>The system prompt holding <paramref name="facts"/>, one statement a line; null for none.</summary>
    public static string? SystemPrompt(IEnumerable<StoredFact> facts)
    {
        var lines = facts.Select(Statement).ToList();
        return lines.Count == 0 ? null : Header + "\n" + string.Join("\n", lines);
    }

    /// <summary>
    /// The system prompt for a user message in <paramref name="mode"/>: none in weights mode, every
    /// active fact in prompt mode, the best <paramref name="ragCount"/> matches in rag mode, and in
    /// hybrid mode the best matches among the facts sleep has not yet consolidated (stage 0).
    /// </summary>
    public static string? For(MemoryStore store, MemoryMode mode, string message, int ragCount = DefaultRagCount) => mode switch
    {
        MemoryMode.Weights => null,
        MemoryMode.Prompt => SystemPrompt(store.ActiveFacts()),
        MemoryMode.Rag => SystemPrompt(store.Search(message, ragCount)),
        MemoryMode.Hybrid => SystemPrompt(store.Search(message, ragCount, maxStage: 0)),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };
}
