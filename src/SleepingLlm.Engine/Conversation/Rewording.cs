using System.Text.RegularExpressions;

namespace SleepingLlm.Conversation;

/// <summary>
/// Roundabout ways of stating a fact, said the plain way the patterns read: "Ragnar and I got married" is
/// "I got married to Ragnar", "If I had to pick one dish forever it would be kedgeree" is "my favourite dish
/// is kedgeree", "the book I keep rereading is X" is "my favourite book is X", and a name the user gave
/// someone in an earlier turn stands for them ("Maren turns nine…" after "my daughter Maren" is "my
/// daughter Maren turns nine…").
/// </summary>
public static partial class Rewording
{
    /// <summary><paramref name="sentence"/> with its roundabout statements said plainly.</summary>
    public static string Plain(string sentence)
    {
        string s = Together().Replace(sentence, m => $"I {Was(m.Groups["v"].Value)} {m.Groups["what"].Value} to {m.Groups["name"].Value}");
        s = OnlyOne().Replace(s, m => IsKind(m.Groups["n"].Value) ? $"my favourite {m.Groups["n"].Value} is {m.Groups["o"].Value}" : m.Value);
        return MostOf().Replace(s, m => IsKind(m.Groups["n"].Value) && Most().IsMatch(m.Groups["v"].Value)
            ? $"{m.Groups["pre"].Value}my favourite {m.Groups["n"].Value} is "
            : m.Value);
    }

    /// <summary>A clause that starts with a name in <paramref name="people"/> (name → noun) as said of "my noun".</summary>
    public static string Known(string clause, IReadOnlyDictionary<string, string>? people)
    {
        if (people is null || Named().Match(clause) is not { Success: true } m || !people.TryGetValue(m.Groups["name"].Value, out var noun))
            return clause;
        string rest = clause[m.Length..];
        // "Anselm's workshop" is "my brother's workshop"; "Maren turns nine" is "my daughter Maren turns nine".
        return m.Groups["s"].Success ? $"my {noun}'s{rest}" : $"my {noun} {m.Groups["name"].Value}{rest}";
    }

    static string Was(string verb) => verb switch { "are" => "am", "were" => "was", "'ve been" => "have been", _ => verb };

    // "the thing I love most", "the day I…": no kind of favourite.
    static bool IsKind(string noun) => noun is not ("thing" or "things" or "one" or "part" or "day" or "time" or "moment" or "reason" or "way" or "problem");

    // "Ragnar and I got married on…": one statement, though "and I" starts a clause elsewhere.
    [GeneratedRegex(@"(?:^|(?<=, ))(?<name>[A-Z][\w'-]+(?: [A-Z][\w'-]+)*) and I (?<v>got|are|were|have been|'ve been) (?<what>married|engaged)\b")]
    private static partial Regex Together();
    // "If I had to pick one dish forever it would be kedgeree", "If I could only keep one album, it'd be Blue".
    [GeneratedRegex(@"(?:^|(?<=, ))if (?:I|you) (?:had to|could only|could|were to|was to|'d have to|only got to) (?:pick|choose|name|eat|keep|have|take|listen to|read|watch|drink|play) " +
                    @"(?:just |only )?(?:one|a single) (?<n>[a-z]+)(?: [a-z' ]+?)?,? (?:it|that|mine)(?:'d| would| will) (?:be|have to be|definitely be) (?<o>[^,;.!?]+)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OnlyOne();
    // "The book I keep rereading is…", "and the band I've seen live more than any other is…".
    [GeneratedRegex(@"(?<pre>^|\band |, )(?:the|my) (?<n>[a-z]+) (?:that |which )?(?:I|we)(?<v>(?:'ve|'d| have| would| always| still)? [^,;]*?) " +
                    @"(?:is|was|has to be|would be|has always been) ", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MostOf();
    // What makes it a favourite: coming back to it, or liking it most.
    [GeneratedRegex(@"\b(?:keep|kept|most|best|more than any|over and over|again and again|all the time|love|adore|never get tired|never tire|forever|" +
                    @"favou?rite|go back to|come back to|return to|always)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Most();
    [GeneratedRegex(@"^(?-i:(?<name>[A-Z][\w-]+))(?<s>'s)?(?= )")] private static partial Regex Named();
}
