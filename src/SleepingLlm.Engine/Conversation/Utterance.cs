using System.Text.RegularExpressions;

namespace SleepingLlm.Conversation;

/// <summary>
/// A user turn cut into clauses a pattern can read whole: sentences, then clauses that start a new
/// first-person statement ("…, my grandmother made…"), with lead-ins like "actually," or "please
/// remember that" taken off. Junk clauses (questions, hedges, negations, small talk) are dropped here.
/// </summary>
public static partial class Utterance
{
    /// <summary>The clauses of <paramref name="message"/> that may state a fact, in order.</summary>
    public static IReadOnlyList<string> Clauses(string message)
    {
        string text = Normalise(message);
        var clauses = new List<string>();
        foreach (Match sentence in Sentence().Matches(text))
        {
            string s = sentence.Value.Trim();
            if (s.EndsWith('?')) continue; // a question asks, it does not tell
            foreach (string part in ClauseBreak().Split(s.TrimEnd('.', '!', ' ')))
            {
                string clause = StripLeadIn(part.Trim().TrimEnd(',', ' '));
                if (clause.Length > 0 && !JunkFilter.IsJunk(clause)) clauses.Add(clause);
            }
        }
        return clauses;
    }

    /// <summary>Whether the turn corrects something said before: the store replaces the old object either way.</summary>
    public static bool IsCorrection(string message) => Correction().IsMatch(Normalise(message));

    /// <summary>Curly quotes as straight ones and runs of white space as one space.</summary>
    public static string Normalise(string text) =>
        Spaces().Replace(text.Replace('\u2019', '\'').Replace('\u2018', '\'').Replace('\u201C', '"').Replace('\u201D', '"'), " ").Trim();

    static string StripLeadIn(string clause)
    {
        string before;
        do
        {
            before = clause;
            clause = LeadIn().Replace(clause, "").Trim();
        } while (clause != before);
        return clause;
    }

    [GeneratedRegex(@"[^.!?]+(?:[.!?]+|$)")] private static partial Regex Sentence();
    // A new clause where a comma, colon, semicolon or "and"/"but" is followed by a fresh "I" or "my".
    [GeneratedRegex(@"(?:\s*[,;:]\s*|\s+(?:and|but|so)\s+)(?=(?:I|my|My)\b)")] private static partial Regex ClauseBreak();
    [GeneratedRegex(@"^(?:actually|oh|also|and|so|well|anyway|btw|by the way|fyi|you know|just so you know|for the record|" +
                    @"(?:please |can you |could you )?(?:remember|note|keep in mind|don't forget)(?: that)?|ok(?:ay)?|hey|hi|hello)\b[,:]?\s*",
        RegexOptions.IgnoreCase)]
    private static partial Regex LeadIn();
    [GeneratedRegex(@"\b(?:actually|anymore|no longer|moved|now live|instead|correction|changed)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Correction();
    [GeneratedRegex(@"\s+")] private static partial Regex Spaces();
}
