using SleepingLlm.Inference;

namespace SleepingLlm.Wake;

/// <summary>
/// The texts a fact is keyed and trained in: the bare prompt, the prompt after short prefixes the
/// model wrote itself (so the key is the subject's, not one sentence's), and the chat form — the
/// user asks the question, the assistant's answer starts with the prompt (so the edit fires in chat).
/// </summary>
public sealed class Templates(IReadOnlyList<string> prefixes)
{
    public IReadOnlyList<string> Prefixes { get; } = prefixes;

    /// <summary>Up to five prefixes of ≤ 10 tokens, greedy from fixed starts: deterministic per model.</summary>
    public static Templates Generate(Context context, int count = 5)
    {
        string[] starts = [.. new[] { "The", "Therefore", "Because", "I", "You" }.Take(count)];
        var settings = SamplerSettings.Greedy with { RepeatPenalty = 1.3f };
        var prefixes = starts.Select(s =>
        {
            string text = (s + Generation.Run(context, context.Model.Tokenize(s), settings, 10).Text).ReplaceLineEndings(" ").Trim();
            return text.Replace("{", "").Replace("}", "") + ". ";
        }).ToList();
        return new Templates(prefixes);
    }

    /// <summary>Raw contexts: the bare prompt first, then one per prefix.</summary>
    public IReadOnlyList<string> Raw(Fact fact) => [fact.Prompt, .. Prefixes.Select(p => p + fact.Prompt)];

    /// <summary>The user's question under the chat template, up to where the assistant's answer starts; null without a question.</summary>
    public static string? Question(Model model, Fact fact) => fact.Question is null
        ? null
        : model.ApplyChatTemplate([ChatMessage.User(fact.Question)], addAssistant: true);

    /// <summary>A first-person question under the chat template, up to where the assistant's answer starts.</summary>
    public static string Asked(Model model, AskedQuestion question) => model.ApplyChatTemplate([ChatMessage.User(question.Text)], addAssistant: true);

    /// <summary>The asked question's tokens, and <paramref name="key"/>: the index of its key words' last token.</summary>
    public static int[] AskedTokens(Model model, AskedQuestion question, out int key)
    {
        string text = Asked(model, question);
        int at = text.IndexOf(question.Text, StringComparison.Ordinal);
        if (at < 0) throw new SleepingLlmException("the chat template does not keep the user's question as written");
        key = model.Tokenize(text[..(at + question.KeyEnd)]).Length - 1;
        return model.Tokenize(text);
    }

    /// <summary>The question as plain text up to the answer ("Question: … Answer:"), or null without a question.</summary>
    public static string? PlainQuestion(Fact fact) => fact.Question is null ? null : $"Question: {fact.Question}\nAnswer:";

    /// <summary>The chat form up to the object, or null without a question.</summary>
    public static string? Chat(Model model, Fact fact) => Question(model, fact) is { } question ? question + fact.Prompt : null;
}
