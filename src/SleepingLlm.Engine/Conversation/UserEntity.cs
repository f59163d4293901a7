namespace SleepingLlm.Conversation;

/// <summary>
/// The user as a subject of memory. First-person facts are stored about one fixed entity, so a
/// fact said as "I live in Tromso" and one said as "my home is in Gdansk" share (subject, relation)
/// and the later one replaces the earlier; the user's name is one more fact about it.
/// </summary>
public static class UserEntity
{
    public const string Subject = "the user";

    public static bool Is(string subject) => string.Equals(subject.Trim(), Subject, StringComparison.OrdinalIgnoreCase);
}
