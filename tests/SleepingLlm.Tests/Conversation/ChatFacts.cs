using SleepingLlm.Eval;

namespace SleepingLlm.Tests.Conversation;

/// <summary>../shared/data/chat-facts.json: 24 first-person messages with recall questions.</summary>
static class ChatFacts
{
    public static string Path => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(WikiText.Path)!, "chat-facts.json");

    public static IReadOnlyList<ChatFactRecord> All => ChatFactSet.Load(Path);
}
