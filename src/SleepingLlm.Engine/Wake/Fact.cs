namespace SleepingLlm.Wake;

/// <summary>
/// A fact to write: (subject, relation, object), the raw completion prompt that ends right before
/// the object ("Rafferty Dunmore drives a"), and the chat question that asks for it.
/// </summary>
public sealed record Fact(string Subject, string Relation, string Object, string Prompt, string? Question = null)
{
    /// <summary>
    /// The questions a user asks for it in the first person ("Where do I live?"): set for what the user says
    /// about themselves, which no completion prompt or subject name reaches. Such a fact lives in chat: its
    /// keys and v* sit at the end of each question inside the user's turn (one edit column per wording),
    /// and it has no raw key (docs/conversation-memory.md).
    /// </summary>
    public IReadOnlyList<AskedQuestion>? Asked { get; init; }

    public bool IsAsked => Asked is { Count: > 0 };

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Subject) || string.IsNullOrWhiteSpace(Relation) || string.IsNullOrWhiteSpace(Object) || string.IsNullOrWhiteSpace(Prompt))
            throw new SleepingLlmException("a fact needs a subject, a relation, an object and a prompt");
        if (!Prompt.Contains(Subject, StringComparison.Ordinal))
            throw new SleepingLlmException($"the prompt \"{Prompt}\" does not contain the subject \"{Subject}\"");
    }
}

/// <summary>
/// A first-person question and where in it the fact is keyed: the end of <see cref="Key"/>, the words that
/// name the fact ("Where do [I live]?"). Not the question's end: every question ends alike there, so edits
/// keyed on it fire on all of them (measured: 2 of 9 recalled, each answer garbled by the others).
/// </summary>
public sealed record AskedQuestion(string Text, int KeyEnd)
{
    public string Key => Text[..KeyEnd];

    /// <summary>"Where do [I live]?" with the key in brackets; without brackets the key is the last "my …" word, or the last "I …" word.</summary>
    public static AskedQuestion Parse(string marked)
    {
        int open = marked.IndexOf('['), close = marked.IndexOf(']');
        if (open >= 0 && close > open) return new(marked.Remove(close, 1).Remove(open, 1), close - 1);
        var key = System.Text.RegularExpressions.Regex.Match(marked, @"(?:\bmy (?:favou?rite )?|\bI )\w+(?!.*\b(?:my|I) \w)");
        if (!key.Success) throw new SleepingLlmException($"the question \"{marked}\" names no key words (mark them with brackets)");
        return new(marked, key.Index + key.Length);
    }
}
