namespace SleepingLlm.Conversation;

/// <summary>How what the user says about themselves reaches later chats (measured in docs/conversation-memory.md).</summary>
public enum UserFactsMode
{
    /// <summary>A short profile of the user's stored facts in the system prompt; the facts are stored as text, no edit.</summary>
    Profile,
    /// <summary>MEMIT edits with <see cref="UserEntity.Subject"/> as the subject; nothing in the prompt.</summary>
    Weights,
    /// <summary>The edits and the profile.</summary>
    Both,
}

public static class UserFactsModes
{
    /// <summary>The mode that recalled most after a restart on chat-facts.json.</summary>
    public const UserFactsMode Default = UserFactsMode.Profile;

    public static string Name(this UserFactsMode mode) => mode.ToString().ToLowerInvariant();

    public static bool UsesWeights(this UserFactsMode mode) => mode is UserFactsMode.Weights or UserFactsMode.Both;

    public static bool UsesProfile(this UserFactsMode mode) => mode is UserFactsMode.Profile or UserFactsMode.Both;

    public static UserFactsMode Parse(string name)
    {
        foreach (var mode in Enum.GetValues<UserFactsMode>())
            if (mode.Name() == name.Trim().ToLowerInvariant()) return mode;
        throw new SleepingLlmException($"unknown user facts mode '{name}' (profile, weights or both)");
    }
}
