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

    /// <summary>The tokens of <paramref name="text"/> followed by the object's tokens, and where the object starts.</summary>
    public static (int[] Tokens, int ObjectStart) WithObject(Model model, string text, string obj)
    {
        int[] prompt = model.Tokenize(text);
        int[] target = model.Tokenize(" " + obj.Trim(), addSpecial: false, parseSpecial: false);
        return ([.. prompt, .. target], prompt.Length);
    }
}
