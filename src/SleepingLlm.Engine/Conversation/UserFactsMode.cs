namespace SleepingLlm.Conversation;

/// <summary>How what the user says about themselves reaches later chats (measured in docs/conversation-memory.md).</summary>
public enum UserFactsMode
{
    /// <summary>The user's stored facts that match the message (at most a few) in the system prompt; stored as text, no edit.</summary>
    Relevant,
    /// <summary>All of the user's stored facts as a profile in the system prompt; stored as text, no edit.</summary>
    Profile,
    /// <summary>MEMIT edits keyed on the user's first-person questions (<see cref="Wake.Fact.Asked"/>); nothing in the prompt.</summary>
    Weights,
    /// <summary>The edits and the relevant facts in the system prompt.</summary>
    Both,
}

public static class UserFactsModes
{
    /// <summary>The mission's path: the user's facts in the weights, nothing about them in the context (docs/conversation-memory.md).</summary>
    public const UserFactsMode Default = UserFactsMode.Weights;

    public static string Name(this UserFactsMode mode) => mode.ToString().ToLowerInvariant();

    public static bool UsesWeights(this UserFactsMode mode) => mode is UserFactsMode.Weights or UserFactsMode.Both;

    public static bool UsesPrompt(this UserFactsMode mode) => mode is not UserFactsMode.Weights;

    public static UserFactsMode Parse(string name)
    {
        foreach (var mode in Enum.GetValues<UserFactsMode>())
            if (mode.Name() == name.Trim().ToLowerInvariant()) return mode;
        throw new SleepingLlmException($"unknown user facts mode '{name}' (relevant, profile, weights or both)");
    }
}
