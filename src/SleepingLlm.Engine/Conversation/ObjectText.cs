using System.Text.RegularExpressions;

namespace SleepingLlm.Conversation;

/// <summary>
/// The object of a statement cut down to the thing itself: "a glassblower at a small studio" →
/// "glassblower", "Tromso these days" → "Tromso", "a company called Lumenfold" → "Lumenfold"; a list of
/// names stays whole ("Bram and Joost").
/// </summary>
public static partial class ObjectText
{
    public static string Clean(string raw, string relation)
    {
        string o = raw.Trim().TrimEnd('.', '!', ',', ';', ':', ' ', '"', '\'').TrimStart('"', '\'');
        o = Named().Replace(o, "");
        // Titles keep their words ("The Left Hand of Darkness"); everything else stops at its first qualifier.
        bool title = relation.StartsWith("favorite ", StringComparison.Ordinal) && TitleKinds().IsMatch(relation) || NameList().IsMatch(o);
        if (!title) o = Qualifier().Split(o)[0];
        if (!title) o = Article().Replace(o, "");
        if (relation == "prefers") o = Comparison().Split(o)[0];
        return o.Trim();
    }

    [GeneratedRegex(@"^(?:an?|the) (?:\w+ ){0,2}(?:company|firm|startup|place|shop|studio|business|agency|practice|clinic|lab|bakery|restaurant|cafe|hospital|" +
                    @"school|charity|band|team|club) (?:called|named) ", RegexOptions.IgnoreCase)]
    private static partial Regex Named();
    [GeneratedRegex(@"\b(?:book|novel|movie|film|show|series|song|album|band|game|play|poem|podcast)$")]
    private static partial Regex TitleKinds();
    // Words after which an object has ended: a preposition, a conjunction, a time.
    [GeneratedRegex(@"\s+(?:and|but|so|because|since|who|which|that|when|where|while|with|for|at|in|on|near|before|after|during|until|" +
                    @"these days|nowadays|now|right now|currently|lately|recently|though|too|as well|from|by|every|each|last|next|this|years?|" +
                    @"ago|already|again|instead|since|although|whenever|mostly|usually|always|sometimes|often|a lot|as|fluently|natively|originally|twice|once|daily|weekly)\b.*$", RegexOptions.IgnoreCase)]
    private static partial Regex Qualifier();
    // Case matters for "a": "A positive" is a blood type, not an article.
    [GeneratedRegex(@"^(?:a|an|An|the|The|my|My|some|Some) ")] private static partial Regex Article();
    [GeneratedRegex(@"^[A-Z][\w'-]+(?: [A-Z][\w'-]+)*(?:(?:,|,? and) [A-Z][\w'-]+(?: [A-Z][\w'-]+)*)+$")] private static partial Regex NameList();
    [GeneratedRegex(@"\s+(?:over|to|rather than|more than|than)\s+", RegexOptions.IgnoreCase)] private static partial Regex Comparison();
}
