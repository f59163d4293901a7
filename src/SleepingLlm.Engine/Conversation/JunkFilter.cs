using System.Text.RegularExpressions;

namespace SleepingLlm.Conversation;

/// <summary>
/// What must never become a memory: questions, hedged or negated statements, greetings and small
/// talk, and objects too vague to recall ("it", "something", a whole sentence). The assistant's own
/// claims never reach extraction at all: only the user's turn is read, and a model's triple counts
/// only if its object is in the user's words.
/// </summary>
public static partial class JunkFilter
{
    /// <summary>Whether a clause should not be read for facts.</summary>
    public static bool IsJunk(string clause) =>
        clause.EndsWith('?') || QuestionStart().IsMatch(clause) || Hedge().IsMatch(clause) || Negation().IsMatch(clause)
        || SmallTalk().IsMatch(clause) || !FirstPerson().IsMatch(clause);

    /// <summary>Whether an object is too vague to be worth remembering.</summary>
    public static bool IsVague(string obj)
    {
        string o = obj.Trim();
        // One character is too little, unless it is a number ("my daughter is 7").
        if (o.Length == 0 || (o.Length == 1 && !char.IsDigit(o[0])) || o.Split(' ').Length > 6) return true;
        return VagueObject().IsMatch(o);
    }

    // Questions, and requests or remarks addressed to the assistant ("tell me more", "that sounds nice").
    [GeneratedRegex(@"^(?:what|who|whom|whose|where|when|why|how|which|do|does|did|can|could|would|will|is|are|was|were|should|shall|am|have|has|" +
                    @"tell|give|show|explain|help|let|please|guess|that|this|it|it's|you|your|sounds)\b",
        RegexOptions.IgnoreCase)]
    private static partial Regex QuestionStart();
    [GeneratedRegex(@"\b(?:maybe|perhaps|probably|possibly|might|may be|i think|i guess|i suppose|i believe|not sure|unsure|i wonder|kind of|sort of|" +
                    @"could be|if i|i'd|i would|said|says|told me|claims?|claimed|according to|i wish|i hope|hopefully|someday|one day|pretend|imagine|let's say|what if|joking|kidding)\b",
        RegexOptions.IgnoreCase)]
    private static partial Regex Hedge();
    [GeneratedRegex(@"\b(?:not|never|don't|doesn't|didn't|isn't|wasn't|aren't|can't|cannot|won't|no longer|nobody|nothing|neither)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Negation();
    [GeneratedRegex(@"^(?:i'm|i am|i was|i feel|i've been|i had|i have had) (?:(?:so|very|really|just|pretty|quite|a bit|a little) )*" +
                    @"(?:fine|good|great|well|ok|okay|alright|tired|bored|busy|hungry|happy|sad|sorry|glad|back|here|curious|confused|excited|" +
                    @"stressed|sleepy|done|ready|doing(?! (?:" + FirstPersonPatterns.Sports + @")\b)|having|feeling|going|thinking|wondering|looking|trying|getting|a long|a good|a great|a bad|a rough|a busy)\b|" +
                    @"^(?:i see|i know|i agree|i understand|i mean|i get it|i got it|i love that|i like that|i like it|i love it|i like your|i love your|" +
                    @"i'm not sure|thanks|thank you|me too|my bad|my pleasure|my god|oh my)\b", RegexOptions.IgnoreCase)]
    private static partial Regex SmallTalk();
    // "We live in Utrecht", "our anniversary": the user and theirs too.
    [GeneratedRegex(@"\b(?:I|my|me|I'm|I've|mine|we|we're|we've|our|ours)\b", RegexOptions.IgnoreCase)] private static partial Regex FirstPerson();
    [GeneratedRegex(@"^(?:it|this|that|these|those|them|they|he|she|him|her|you|your|yours|us|we|something|anything|everything|nothing|stuff|things?|" +
                    @"someone|somebody|one|lots?|a lot|some|many|much|more|all|here|there|to|how|what|when|why|where|who|which|because|so|very|really|too|" +
                    @"today|tomorrow|yesterday|tonight|soon|later)\b",
        RegexOptions.IgnoreCase)]
    private static partial Regex VagueObject();
}
