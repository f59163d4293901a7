using System.Text.RegularExpressions;

namespace SleepingLlm.Conversation;

/// <summary>
/// A user turn cut into clauses a pattern can read whole: sentences, then clauses that start a new
/// statement ("…, my grandmother made…", "… because my mother is from Manila", "… and he never…"), with
/// lead-ins like "actually," or "correction:" taken off and a contrast ("…, not Noodle") cut away. A
/// statement that goes on without its subject is given it back ("I'm 34 and originally from Cork" is
/// also "I'm originally from Cork"). Junk clauses (questions, hedges, negations, small talk) are dropped here.
/// </summary>
public static partial class Utterance
{
    /// <summary>The clauses of <paramref name="message"/> that may state a fact, in order.</summary>
    /// <param name="people">Names the user gave people in earlier turns (name → noun: "Maren" → "daughter"), so a clause about one of them by name is theirs.</param>
    public static IReadOnlyList<string> Clauses(string message, IReadOnlyDictionary<string, string>? people = null)
    {
        string text = Normalise(message);
        var clauses = new List<string>();
        foreach (Match sentence in Sentence().Matches(text))
        {
            string s = sentence.Value.Trim();
            if (s.EndsWith('?')) continue; // a question asks, it does not tell
            // "…, not Noodle" says what the fact is not: the fact stands without it (and the turn is a correction).
            s = Rewording.Plain(Contrast().Replace(s.TrimEnd('.', '!', ' '), ""));
            s = GoesOn().Replace(s, " and I ");
            foreach (string part in ClauseBreak().Split(s))
            {
                string clause = StripLeadIn(part.Trim().TrimEnd(',', ' '));
                clause = Rewording.Known(Aside().Replace(clause, "").Trim(), people);
                foreach (string piece in StillMe(clause))
                    if (piece.Length > 0 && !JunkFilter.IsJunk(piece)) clauses.Add(piece);
            }
        }
        return clauses;
    }

    /// <summary>Whether the turn corrects something said before: the store replaces the old object either way.</summary>
    public static bool IsCorrection(string message)
    {
        string text = Normalise(message);
        return Correction().IsMatch(text) || Contrast().IsMatch(text);
    }

    /// <summary>Curly quotes as straight ones, runs of white space as one space, and "Dr." as "Dr" (its dot ends no sentence).</summary>
    public static string Normalise(string text) =>
        Title().Replace(Spaces().Replace(text.Replace('\u2019', '\'').Replace('\u2018', '\'').Replace('\u201C', '"').Replace('\u201D', '"'), " "), "$1").Trim();

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

    // "I'm 34 and originally from Cork": the part after "and" is said of "I'm" too.
    static IEnumerable<string> StillMe(string clause)
    {
        var be = BeAnd().Match(clause);
        if (!be.Success) return [clause];
        string subject = be.Groups["be"].Value;
        return [$"{subject} {be.Groups["first"].Value}", $"{subject} {be.Groups["second"].Value}"];
    }

    [GeneratedRegex(@"[^.!?]+(?:[.!?]+|$)")] private static partial Regex Sentence();
    // A new clause where a comma, colon, semicolon or a conjunction is followed by a fresh subject.
    [GeneratedRegex(@"(?:\s*[,;:]\s*|\s+(?:and|but|so|because|since|though|although|while|whereas|as)\s+)" +
                    @"(?=(?:I|my|My|we|We|our|Our|he|she|they|it|his|her|their|its|He|She|They|It|His|Her|Their|Its)\b)")]
    private static partial Regex ClauseBreak();
    [GeneratedRegex(@"^(?:actually|oh|also|and|so|well|anyway|btw|by the way|fyi|you know|just so you know|for the record|honestly|frankly|basically|" +
                    @"plus|fun fact|guess what|correction|[a-z]+-wise|sorry|oops|whoops|wait|no|nope|scratch that|to be clear|let me correct (?:that|myself)|update|" +
                    @"i meant|i mean|i misspoke|my mistake|" +
                    @"(?:please |can you |could you )?(?:remember|note|keep in mind|don't forget)(?: that)?|ok(?:ay)?|hey|hi|hello)\b[,:]?\s*",
        RegexOptions.IgnoreCase)]
    private static partial Regex LeadIn();
    // "Actually" and "in fact" inside a clause ("my dog's name is actually Pretzel") mark a correction and say nothing more.
    [GeneratedRegex(@"\b(?:actually|in fact),?\s*", RegexOptions.IgnoreCase)] private static partial Regex Aside();
    [GeneratedRegex(@"\s*(?:,|;|—|–|\s-)\s*(?:and |but )?not\s+[^,;:]*", RegexOptions.IgnoreCase)] private static partial Regex Contrast();
    // "I live in Oslo and work at Lumenfold": a second verb of the same "I".
    [GeneratedRegex(@"\s+and\s+(?:also\s+)?(?=(?:work|worked|live|lived|study|studied|play|speak|drive|teach|grew up|moved|relocated|own|" +
                    @"love|like|enjoy|prefer|go by)\b)")]
    private static partial Regex GoesOn();
    [GeneratedRegex(@"^(?<be>I(?:'m| am)) (?<first>[^,;]+?) and (?:also )?(?<second>(?:(?:originally|from|an?|fluent|allergic|learning|based|living|" +
                    @"studying|employed|vegan|vegetarian|pescatarian)\b|\d).*)$", RegexOptions.IgnoreCase)]
    private static partial Regex BeAnd();
    [GeneratedRegex(@"\b(?:actually|anymore|no longer|moved|relocated|now live|instead|correction|changed|sorry|oops|mistake|wrong|i meant|misspoke|" +
                    @"scratch that)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Correction();
    [GeneratedRegex(@"\b(Dr|Mr|Mrs|Ms|Prof|St|Mt|Jr|Sr)\.(?= )")] private static partial Regex Title();
    [GeneratedRegex(@"\s+")] private static partial Regex Spaces();
}
