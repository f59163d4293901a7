using System.Text.RegularExpressions;

namespace SleepingLlm.Conversation;

/// <summary>
/// The model's own thoughts in a reply (<c>&lt;think&gt;…&lt;/think&gt;</c>, as reasoning models write
/// them): the first thing the window lets go, since the answer that follows them is what the conversation keeps.
/// </summary>
public static partial class Thoughts
{
    // An unclosed span (a reply cut at --max-tokens mid-thought) runs to the end.
    [GeneratedRegex(@"<think>.*?(</think>|\z)\s*", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Span();

    public static bool Contains(string text) => Span().IsMatch(text);

    public static string Strip(string text) => Span().Replace(text, "").Trim();
}
