using SleepingLlm.Memory;

namespace SleepingLlm.Conversation;

/// <summary>
/// The user's stored facts as memory: each extracted triple as a fact to write (the MEMIT prompt and
/// question from its canonical relation), and all of them as a short profile for the system prompt.
/// </summary>
public static class UserProfile
{
    const string Header = "You are talking with the user. What the user told you about themselves:";

    /// <summary>The fact to store for a triple; null when its relation is not a canonical one.</summary>
    public static Wake.Fact? ToFact(ExtractedFact fact)
    {
        if (UserRelations.Find(fact.Relation) is not { } relation) return null;
        return new Wake.Fact(fact.Subject, relation.Name, fact.Object, relation.PromptFor(fact.Subject), relation.QuestionFor(fact.Subject));
    }

    /// <summary>The system prompt of the user's facts, one sentence a line; null while there are none.</summary>
    public static string? SystemPrompt(IEnumerable<StoredFact> facts)
    {
        var lines = facts.Where(f => UserEntity.Is(f.Subject)).Select(f => "- " + Sentence(MemoryPrompt.Statement(f))).ToList();
        return lines.Count == 0 ? null : Header + "\n" + string.Join("\n", lines);
    }

    static string Sentence(string statement) => char.ToUpperInvariant(statement[0]) + statement[1..];
}
