using System.Text.RegularExpressions;

namespace SleepingLlm.Conversation;

/// <summary>
/// What the user says of what is theirs, for any noun: "my manager is Hadrian Okonkwo", "my anniversary is
/// on June 14th", "my blood type is O negative", "my office is in Rotterdam"; of someone they name, with any
/// predicate of <see cref="FirstPersonPatterns.Predicates"/> ("my brother Rurik lives in Bergen" gives
/// brother = Rurik and brother's home = Bergen); and the same turned round ("Teal has always been my
/// favourite colour") or introduced ("I have a ferret called Noodle", "I have two nephews, Bram and Joost").
/// The noun becomes the relation (see <see cref="UserRelations.Find"/>), so a correction in other words
/// ("my dog's name is Pretzel" after "my dog is called Marble") hits the same one.
/// </summary>
public static partial class PossessivePatterns
{
    const string Obj = @"(?<o>[^,;]+)";
    const string Names = @"(?-i:(?<o>[A-Z][\w'-]+(?: [A-Z][\w'-]+)*(?:(?:,|,? and) [A-Z][\w'-]+(?: [A-Z][\w'-]+)*)*))";

    // Words that end a noun after "my": verbs, prepositions, articles, adverbs.
    static readonly HashSet<string> NotNouns =
    [
        "is", "was", "are", "were", "am", "be", "been", "being", "has", "have", "had", "and", "or", "but", "nor", "in", "at", "on", "of",
        "to", "for", "with", "from", "by", "as", "into", "about", "the", "a", "an", "this", "that", "these", "those", "who", "whom", "which",
        "whose", "called", "named", "goes", "went", "lives", "lived", "works", "worked", "plays", "played", "drives", "drove", "speaks",
        "spoke", "studies", "studied", "grew", "teaches", "taught", "loves", "loved", "likes", "liked", "enjoys", "adores", "prefers",
        "moved", "relocated", "turned", "died", "passed", "just", "also", "still", "now", "currently", "recently", "really", "always",
        "never", "not", "actually", "very", "so", "too", "will", "would", "can", "could", "should", "might", "must", "does", "did", "do",
        "gets", "got", "makes", "made", "says", "said", "thinks", "started", "keeps", "runs", "owns", "comes", "came", "left", "retired",
        "became", "resides", "practises", "practices", "trains", "majored", "hates", "used", "here", "there", "then", "when", "where",
        "while", "if", "because", "since", "though", "although", "how", "what", "why", "isn't", "wasn't", "can't", "won't", "doesn't",
    ];

    // "My day is going well", "my point is…": nouns of conversation, not facts.
    static readonly HashSet<string> Conversational =
    [
        "day", "week", "weekend", "morning", "afternoon", "evening", "night", "year", "month", "life", "mind", "head", "back", "point",
        "guess", "question", "answer", "plan", "idea", "opinion", "view", "feeling", "feelings", "fault", "bad", "pleasure", "turn",
        "problem", "issue", "concern", "advice", "hope", "wish", "god", "gosh", "goodness", "heart", "mood", "thought", "thoughts",
        "reason", "excuse", "bet", "understanding", "impression", "way", "thing", "things", "stuff", "own", "apologies", "condolences",
        "congratulations", "stomach", "body", "energy", "schedule", "time", "battery", "internet", "wifi", "dream", "goal",
    ];

    // A one-word state, not a thing: "my phone is dead", "my room is messy".
    [GeneratedRegex(@"^(?:fine|good|great|bad|ok|okay|dead|broken|busy|tired|sick|sore|messy|late|early|done|full|empty|old|new|big|small|huge|tiny|" +
                    @"long|short|nice|weird|strange|boring|amazing|awesome|terrible|awful|horrible|better|worse|same|different|gone|over|back|ready|" +
                    @"free|open|closed|low|high|hot|cold|warm|wet|dry|loud|quiet|clean|dirty|cheap|expensive|fast|slow|perfect|important|complicated|" +
                    @"simple|easy|hard|difficult|funny|cool|lovely|beautiful|ugly|crazy|insane|wild|fun|tight|off|on|out|up|down|away|missing|lost|" +
                    @"fixed|finished|coming|here|there|mine|yours|mess|disaster|nightmare|joke|pain|wreck|mystery|problem|\w+ed)$", RegexOptions.IgnoreCase)]
    private static partial Regex State();

    [GeneratedRegex(@"\b(?:my|our) ", RegexOptions.IgnoreCase)] private static partial Regex My();
    [GeneratedRegex(@"^ ?(?<w>[a-z][a-z-]*(?:'s)?)(?=$|[\s,.;:!?])")] private static partial Regex Word();
    // "my sister Odette", "my dentist, Dr Amadi,": the name of someone just named by role.
    [GeneratedRegex(@"^,? (?-i:(?<name>[A-Z][\w'-]+(?: (?:[A-Z][\w'-]+|van|von|de|der|da|di|le|la)\b)*))(?!'s)(?:,|(?= )|$)")]
    private static partial Regex Apposition();
    // "my manager at work is…", "my brother in Oslo is…": where, skipped on the way to the verb.
    // "my boss there, Henrike", "our neighbour across the landing, Grisha,": a short phrase of where before the name.
    [GeneratedRegex(@"^,? (?:(?:at|from|in|back in|back home in) (?:work|the office|school|college|uni|university|home|the gym|(?-i:[A-Z][\w'-]+(?: [A-Z][\w'-]+)*))|" +
                    @"there|here|(?:across|next|down|up|over|opposite|below|above|upstairs|downstairs|along|at|from|in|on)\b[^,;]{0,30}(?=, (?-i:[A-Z]))),?(?= )")]
    private static partial Regex Where();
    [GeneratedRegex(@"^ (?:is|are|goes by|'s name is)(?: (?:actually|now|still|also|really))?(?: (?:named|called))? " + Names + @"(?!'s)(?!\w)")]
    private static partial Regex IsNamed();
    [GeneratedRegex(@"^ (?:is|are|has always been|has been|was always|will always be|remains)(?: (?:actually|now|still|also|really|definitely))?(?: (?:called|named))? " +
                    @"(?!(?:in|at|on|from|with|near|by|under|over) )" + Obj)]
    private static partial Regex IsFixed();
    // "my home is in Gdansk", "my birthday is on May 2nd", "my degree is in geology": where a preposition belongs to the object's relation
    // (not "my car is in the garage").
    // "my landlord is a retired fisherman called Torbjorn".
    [GeneratedRegex(@"^ (?:is|'s) (?:an?|the) (?:[a-z-]+ ){1,4}?(?:called|named) " + Names + @"(?!'s)(?!\w)")]
    private static partial Regex Described();
    [GeneratedRegex(@"^ (?:is|are)(?: (?:actually|now|still|also|really|definitely))? (?:in|at|on|from) " + Obj)]
    private static partial Regex IsFixedAt();
    [GeneratedRegex(@"(?:^|'s )(?:home|hometown|birthplace|birthday|studied|alma mater|employer)$")] private static partial Regex TakesPreposition();
    // "my sister Ana, a nurse, lives…": the job said in passing.
    [GeneratedRegex(@"^,? an? (?<o>[a-z][a-z -]+?),(?= )")] private static partial Regex AppositiveJob();
    [GeneratedRegex(@"^ is(?: (?:actually|now|still|also|always))?(?: (?:on|in))? (?!(?:at|by|from|with|in|on) )" + Obj)] private static partial Regex IsWhen();
    [GeneratedRegex(@"^ is(?: (?:actually|now|still|also))? (?:in|at|on) (?-i:(?<o>[A-Z][^,;]*))")] private static partial Regex IsWhere();
    [GeneratedRegex(@"^ is(?: (?:actually|now|still|also|really))?(?: (?:called|named))? " + Obj)] private static partial Regex IsThing();
    // "my phone is almost out of battery", "my cat is sleeping on…", "my wife is the cook": a state, a doing, another person.
    [GeneratedRegex(@"^(?:my|your|his|her|our|their|a bit|kind|sort|almost|nearly|out|off|in|at|on|with|under|over|by|near|still|quite|pretty|" +
                    @"so|too|totally|completely|always|never|getting|being|the)\b|^\w+ing ", RegexOptions.IgnoreCase)]
    private static partial Regex NotAThing();
    [GeneratedRegex(@"^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|" +
                    @"october|november|december|i|i'm|" + FirstPersonPatterns.Nationalities + ")$", RegexOptions.IgnoreCase)]
    private static partial Regex NotAName();

    // "Teal has always been my favourite colour", "Hildegard is my godmother" (not "my favourite food is my dad's lasagne").
    [GeneratedRegex(@"^(?!(?:my|our|your|his|her|their)\b)(?<o>[^,;]+?) (?:is|'s|are|has always been|has been|will always be|remains|was always)(?: (?:also|still|definitely|easily|" +
                    @"hands down|by far|now|officially))? (?:my|our) (?<n>[a-z][a-z' -]*?)(?: of all time| ever)?$", RegexOptions.IgnoreCase)]
    private static partial Regex Turned();
    // "I have a ferret called Noodle", "I have two nephews, Bram and Joost".
    // "We use an accountant called Evander", "I see a physio named Ilse": people by role are introduced like pets.
    [GeneratedRegex(@"(?:\b(?:I|we) (?:also )?(?:have|own|'ve got|have got|got|adopted|rescued|use|see|go to|hired|'ve hired|have hired|found)|\band) (?:an?|one|two|three|four|five|six|\d+) (?<n>[a-z][a-z -]*?)" +
                    @"(?: (?:named|called)|,|:) " + Names, RegexOptions.IgnoreCase)]
    private static partial Regex Introduced();
    [GeneratedRegex(@"\b(?:of all time|ever)(?= is\b)", RegexOptions.IgnoreCase)] private static partial Regex Ever();
    // "I ride a green Brompton folding bike", "we have a Miele dishwasher": the make of a thing of the user's.
    [GeneratedRegex(@"\b(?:I|[Ww]e) (?:also |usually |now )?(?:ride|own|have|use|'ve got|have got) (?:an?|my|our) (?<a>(?:[a-z-]+ ){0,3})" +
                    @"(?<o>[A-Z][\w-]*(?: [A-Z0-9][\w-]*)*) (?<a2>(?:[a-z-]+ ){0,2})(?<n>[a-z]+)" +
                    @"(?=$|[,;.!]| (?:to|for|that|which|with|and|but|because|since|when|on|in|at|from|every)\b)")]
    private static partial Regex Owned();

    /// <summary>(relation, raw object) for what <paramref name="clause"/> says of the user's own people and things.</summary>
    public static IEnumerable<(string Relation, string Object)> Read(string clause)
    {
        clause = Ever().Replace(clause, "").Replace("  ", " ", StringComparison.Ordinal);
        var found = new List<(string, string)>();
        if (Turned().Match(clause) is { Success: true } turned && Noun(turned.Groups["n"].Value) is { } turnedNoun)
        {
            string obj = turned.Groups["o"].Value;
            if (!UserRelations.IsPerson(turnedNoun) || Regex.IsMatch(obj, $"^{Names}$")) found.Add((turnedNoun, obj));
        }
        foreach (Match introduced in Introduced().Matches(clause))
            if (Noun(introduced.Groups["n"].Value) is { } introducedNoun && UserRelations.Find(introducedNoun) is { IsName: true })
                found.Add((introducedNoun, introduced.Groups["o"].Value));
        foreach (Match owned in Owned().Matches(clause))
        {
            string words = $"{owned.Groups["a"].Value}{owned.Groups["a2"].Value}";
            if (!NotNouns.Contains(owned.Groups["n"].Value) && Noun(owned.Groups["n"].Value) is { } ownedNoun && !UserRelations.IsPerson(ownedNoun) && !NotAName().IsMatch(owned.Groups["o"].Value)
                && !words.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(NotNouns.Contains))
                found.Add((ownedNoun, owned.Groups["o"].Value));
        }
        foreach (Match my in My().Matches(clause))
            found.AddRange(ReadMy(clause[(my.Index + my.Length - 1)..]));
        return found;
    }

    // The shortest noun after "my" that something is said of: "my team lead is Priya" is about "team lead", not "team".
    static IEnumerable<(string, string)> ReadMy(string after)
    {
        var words = new List<(string Word, int End)>();
        for (int at = 0; words.Count < 4 && Word().Match(after[at..]) is { Success: true } word && !NotNouns.Contains(word.Groups["w"].Value); at += word.Length)
            words.Add((word.Groups["w"].Value, at + word.Length));
        for (int k = 1; k <= words.Count; k++)
        {
            string noun = string.Join(' ', words.Take(k).Select(w => w.Word)), rest = after[words[k - 1].End..];
            if (noun.EndsWith("'s", StringComparison.Ordinal))
            {
                if (k < words.Count) continue; // "my dog's name": the noun goes on
                (noun, rest) = (noun[..^2], " is" + rest); // "my brother's a pilot"
            }
            var facts = Noun(noun) is { } relation ? About(relation, rest).ToList() : [];
            if (facts.Count > 0) return facts;
        }
        return [];
    }

    // The canonical relation a noun names, unless it is one of conversation ("my day", "my point").
    static string? Noun(string noun)
    {
        string relation = UserRelations.Canonical(noun.Trim());
        return Conversational.Contains(relation) || UserRelations.Find(relation) is null ? null : relation;
    }

    // What the rest of the clause says of the user's noun.
    static IEnumerable<(string, string)> About(string noun, string rest) =>
        UserRelations.IsPerson(noun) ? AboutSomeone(noun, rest) : AboutSomething(noun, rest);

    // "my brother Rurik lives in Bergen", "my sister Ana, a nurse,", "my manager is Hadrian Okonkwo".
    static IEnumerable<(string, string)> AboutSomeone(string noun, string rest)
    {
        bool named = false;
        if (Where().Match(rest) is { Success: true } whereFirst) rest = rest[whereFirst.Length..];
        if (Apposition().Match(rest) is { Success: true } apposition && !NotAName().IsMatch(apposition.Groups["name"].Value))
        {
            named = true;
            yield return (noun, apposition.Groups["name"].Value);
            rest = rest[apposition.Length..];
            if (AppositiveJob().Match(rest) is { Success: true } job && FirstPersonPatterns.IsProfession(job.Groups["o"].Value))
            {
                yield return ($"{noun}'s job", job.Groups["o"].Value);
                rest = rest[job.Length..];
            }
        }
        if (Where().Match(rest) is { Success: true } where) rest = rest[where.Length..];
        bool pet = UserRelations.IsPet(noun), said = false;
        foreach (var predicate in FirstPersonPatterns.Predicates)
            if (predicate.Theirs is { } theirs && !(pet && predicate.Relation == "job"))
                foreach (var (of, obj) in FirstPersonPatterns.Matches(predicate, theirs, rest.TrimStart(' ', ','), $"{noun}'s {predicate.Relation}"))
                {
                    said = true;
                    yield return (of, obj);
                }
        if (!named && !said && (IsNamed().Match(rest) is { Success: true } plain ? plain : Described().Match(rest)) is { Success: true } name
            && !NotAName().IsMatch(name.Groups["o"].Value))
            yield return (noun, name.Groups["o"].Value);
    }

    // "my employer is Statkraft", "my anniversary is on June 14th", "my office is in Rotterdam", "my blood type is O negative".
    static IEnumerable<(string, string)> AboutSomething(string noun, string rest)
    {
        if (Where().Match(rest) is { Success: true } where) rest = rest[where.Length..];
        if (!UserRelations.Find(noun)!.IsGeneric)
        {
            var fixedObject = TakesPreposition().IsMatch(noun) && IsFixedAt().Match(rest) is { Success: true } at ? at : IsFixed().Match(rest);
            if (fixedObject.Success) yield return (noun, fixedObject.Groups["o"].Value);
        }
        else if (UserRelations.IsDate(noun))
        {
            if (IsWhen().Match(rest) is { Success: true } when) yield return (noun, when.Groups["o"].Value);
        }
        else if (IsWhere().Match(rest) is { Success: true } place)
            yield return ($"{noun}'s location", place.Groups["o"].Value);
        else if (IsThing().Match(rest) is { Success: true } thing)
        {
            string obj = thing.Groups["o"].Value.Trim();
            if (!NotAThing().IsMatch(obj) && !State().IsMatch(ObjectText.Clean(obj, noun))) yield return (noun, obj);
        }
    }
}
