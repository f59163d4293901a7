namespace SleepingLlm.Memory;

/// <summary>What <c>/forget TEXT</c> found: one match is forgotten, several are listed and none is.</summary>
public sealed record ForgetByText(IReadOnlyList<StoredFact> Matches, bool Forgotten);

/// <summary>Which stored facts a user's words name (for /forget TEXT).</summary>
public static class FactMatch
{
    static readonly char[] Separators = [' ', '\t', '\n', '|', ',', '.', ';', ':', '!', '?', '"', '\''];

    /// <summary>
    /// A fact whose "subject relation object" is the text (case and punctuation aside) is the one
    /// meant; otherwise every fact whose subject, relation and object hold all the text's words
    /// (whole words: "Ann" does not name "Anna").
    /// </summary>
    public static IReadOnlyList<StoredFact> Find(IEnumerable<StoredFact> facts, string text)
    {
        var query = Words(text);
        if (query.Length == 0) return [];
        var candidates = facts.Select(f => (Fact: f, Words: Words($"{f.Subject} {f.Relation} {f.Object}"))).ToList();
        var exact = candidates.Where(c => c.Words.SequenceEqual(query)).Select(c => c.Fact).ToList();
        return exact.Count > 0 ? exact : [.. candidates.Where(c => query.All(c.Words.Contains)).Select(c => c.Fact)];
    }

    static string[] Words(string text) =>
        text.ToLowerInvariant().Split(Separators, StringSplitOptions.RemoveEmptyEntries);
}
