using SleepingLlm.Inference;

namespace SleepingLlm.Wake;

/// <summary>Where the subject is, in tokens: MEMIT reads keys and adds δ at the subject's last token.</summary>
public static class Positions
{
    /// <summary>The token index of the subject's last token, for every occurrence of the subject in <paramref name="text"/>.</summary>
    public static int[] SubjectLastTokens(Model model, string text, string subject)
    {
        var found = new List<int>();
        for (int at = text.IndexOf(subject, StringComparison.Ordinal); at >= 0; at = text.IndexOf(subject, at + 1, StringComparison.Ordinal))
            found.Add(model.Tokenize(text[..(at + subject.Length)]).Length - 1);
        if (found.Count == 0) throw new SleepingLlmException($"\"{subject}\" does not occur in \"{text}\"");
        return [.. found.Distinct()];
    }

    /// <summary>The token indices of the first and last token of the subject's last occurrence in <paramref name="text"/>.</summary>
    public static (int First, int Last) LastSubjectSpan(Model model, string text, string subject)
    {
        int at = text.LastIndexOf(subject, StringComparison.Ordinal);
        if (at < 0) throw new SleepingLlmException($"\"{subject}\" does not occur in \"{text}\"");
        int last = model.Tokenize(text[..(at + subject.Length)]).Length - 1;
        // The subject's first token: the first index where the tokens of the text before it end.
        int first = Math.Min(model.Tokenize(text[..at]).Length, last);
        return (first, last);
    }

    /// <summary>The tokens of <paramref name="text"/> followed by the object's tokens, and where the object starts.</summary>
    public static (int[] Tokens, int ObjectStart) WithObject(Model model, string text, string obj)
    {
        int[] prompt = model.Tokenize(text);
        int[] target = model.Tokenize(" " + obj.Trim(), addSpecial: false, parseSpecial: false);
        return ([.. prompt, .. target], prompt.Length);
    }
}
