namespace SleepingLlm.Wake;

/// <summary>
/// A fact to write: (subject, relation, object), the raw completion prompt that ends right before
/// the object ("Rafferty Dunmore drives a"), and the chat question that asks for it.
/// </summary>
public sealed record Fact(string Subject, string Relation, string Object, string Prompt, string? Question = null)
{
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Subject) || string.IsNullOrWhiteSpace(Relation) || string.IsNullOrWhiteSpace(Object) || string.IsNullOrWhiteSpace(Prompt))
            throw new SleepingLlmException("a fact needs a subject, a relation, an object and a prompt");
        if (!Prompt.Contains(Subject, StringComparison.Ordinal))
            throw new SleepingLlmException($"the prompt \"{Prompt}\" does not contain the subject \"{Subject}\"");
    }
}
