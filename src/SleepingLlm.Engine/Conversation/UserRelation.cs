using System.Text.RegularExpressions;

namespace SleepingLlm.Conversation;

/// <summary>
/// A canonical relation of the user: its name in the store, the statement it makes about a subject
/// ("{0} lives in"), the question that asks for it and the words that cue it. Every extractor maps
/// onto these names, so "I moved to Gdansk" and "I live in Tromso" hit the same (subject, relation)
/// and the store replaces the old object instead of keeping both. <see cref="Asked"/> are the questions
/// the user asks for it in the first person: the fact's keys in the weights sit at the end of each.
/// </summary>
public sealed record UserRelation(string Name, string Statement, string Question, string Cues, IReadOnlyList<Wake.AskedQuestion> Asked)
{
    /// <summary>The relations written together, one δ for all: the same key words in their questions (a relative's facts: "my sister").</summary>
    public string Group { get; init; } = Name;

    /// <summary>Whether the object is a name (the user's, a relative's, a pet's, the manager's): a model's triple must write it as one.</summary>
    public bool IsName { get; init; }

    /// <summary>
    /// Whether the relation was made for a noun the user happened to use ("blood type", "landlord's home")
    /// rather than one the memory knows; a triple typed on the command line keeps its own words for these.
    /// </summary>
    public bool IsGeneric { get; init; }

    /// <summary>"{0} lives in" for <paramref name="subject"/>: the MEMIT prompt, ending right before the object.</summary>
    public string PromptFor(string subject) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Statement, subject);

    public string QuestionFor(string subject) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Question, subject);

    /// <summary>Whether the text names this relation (a cue word), so a model's triple is grounded in what the user said.</summary>
    public bool IsCuedBy(string text) => Regex.IsMatch(text, $@"\b(?:{Cues})", RegexOptions.IgnoreCase);
}

/// <summary>
/// The canonical relations, and relations made on the fly: "favorite X", a relative's, pet's or other
/// person's name ("sister", "manager"), a fixed relation of someone the user names ("brother's home",
/// "sister's job"), where something of the user's is ("office's location"), and any other noun the user
/// says is theirs ("blood type", "anniversary").
/// </summary>
public static class UserRelations
{
    static readonly string[] FamilyNouns =
    [
        "mother", "father", "mom", "mum", "dad", "parent", "brother", "sister", "sibling", "son", "daughter", "child", "kid",
        "wife", "husband", "spouse", "partner", "girlfriend", "boyfriend", "fiancee", "fiance",
        "grandmother", "grandfather", "grandma", "grandpa", "granny", "grandson", "granddaughter", "grandchild",
        "aunt", "uncle", "cousin", "niece", "nephew", "stepmother", "stepfather", "stepson", "stepdaughter", "stepbrother", "stepsister",
        "godmother", "godfather", "godson", "goddaughter", "godchild",
        "mother-in-law", "father-in-law", "sister-in-law", "brother-in-law", "son-in-law", "daughter-in-law",
    ];

    static readonly string[] PetNouns =
    [
        "dog", "cat", "puppy", "kitten", "parrot", "rabbit", "bunny", "hamster", "horse", "pony", "turtle", "tortoise", "fish",
        "goldfish", "bird", "budgie", "canary", "cockatiel", "pet", "snake", "lizard", "gecko", "iguana", "ferret", "guinea pig",
        "chinchilla", "gerbil", "rat", "mouse", "hedgehog", "chicken", "hen", "goat", "donkey", "alpaca", "axolotl", "frog",
    ];

    // People the user has by role: named like relatives ("my manager is Hadrian Okonkwo").
    static readonly string[] RoleNouns =
    [
        "best friend", "friend", "boss", "manager", "line manager", "team lead", "supervisor", "mentor", "colleague", "coworker",
        "co-worker", "roommate", "flatmate", "housemate", "classmate", "teammate", "neighbour", "neighbor", "landlord", "landlady",
        "dentist", "doctor", "gp", "therapist", "physio", "physiotherapist", "psychologist", "counsellor", "counselor", "teacher",
        "tutor", "professor", "advisor", "adviser", "coach", "trainer", "lawyer", "accountant", "hairdresser", "barber", "vet",
        "nanny", "babysitter", "pastor", "priest", "rabbi", "imam",
    ];

    // Nouns whose object is a date: "my anniversary is on June 14th".
    const string DateNouns = "anniversary|birthday|day|date|deadline|appointment|exam|interview|graduation|wedding|surgery|flight|holiday|vacation";

    // Names the user says for a fixed relation.
    static readonly Dictionary<string, string> Synonyms = new(StringComparer.Ordinal)
    {
        ["profession"] = "job", ["occupation"] = "job", ["career"] = "job", ["line of work"] = "job",
        ["company"] = "employer", ["workplace"] = "employer", ["place of work"] = "employer",
        ["major"] = "studied", ["degree"] = "studied", ["field of study"] = "studied", ["university"] = "alma mater",
        ["native language"] = "language", ["mother tongue"] = "language", ["first language"] = "language", ["native tongue"] = "language",
        ["home town"] = "hometown", ["birth place"] = "birthplace", ["place of birth"] = "birthplace",
        ["first name"] = "name", ["full name"] = "name",
        ["bicycle"] = "bike", ["motorcycle"] = "motorbike",
    };

    // The questions for a fixed relation of someone the user names, {0} = "my brother".
    static readonly Dictionary<string, string[]> AskedOf = new(StringComparer.Ordinal);

    static readonly HashSet<string> People = [.. FamilyNouns.Concat(PetNouns).Concat(RoleNouns).Select(Canonical)];

    /// <summary>Relatives, pets and people by role the patterns know, longest first.</summary>
    public static IReadOnlyList<string> RelativeNouns { get; } = [.. FamilyNouns.Concat(PetNouns).Concat(RoleNouns).OrderByDescending(n => n.Length)];

    /// <summary><see cref="RelativeNouns"/> as one alternation (longest first, so "mother-in-law" wins over "mother").</summary>
    public static string Relatives { get; } = string.Join("|", RelativeNouns.Select(Regex.Escape));

    static readonly HashSet<string> Pets = [.. PetNouns.Select(Canonical)];
    static readonly HashSet<string> Kin = [.. FamilyNouns.Concat(PetNouns).Select(Canonical)];

    /// <summary>Whether <paramref name="noun"/> is a relative or a pet: "I'm a mother" is no job, "I'm a lawyer" is.</summary>
    public static bool IsKin(string noun) => Kin.Contains(LastNoun(Canonical(noun)));

    /// <summary>Whether <paramref name="noun"/> names a day ("anniversary", "wedding day"), whose object is a date.</summary>
    public static bool IsDate(string noun) => Regex.IsMatch(LastNoun(Canonical(noun)), $"^(?:{DateNouns})$");

    /// <summary>Whether one holds several of <paramref name="relation"/> at once (languages, sports): two in one turn are both kept.</summary>
    public static bool HoldsSeveral(string relation) => relation is "language" or "sport" or "instrument" or "allergy" or "learning";

    /// <summary>Whether <paramref name="noun"/> is a pet ("my dog is a labrador" is no job).</summary>
    public static bool IsPet(string noun) => Pets.Contains(LastNoun(Canonical(noun)));

    /// <summary>Whether <paramref name="noun"/> ("sister", "manager", "brother's wife") is someone, whose object is a name.</summary>
    public static bool IsPerson(string noun) => People.Contains(LastNoun(Canonical(noun)));

    public static readonly IReadOnlyList<UserRelation> Fixed =
    [
        R("name", "{0}'s name is", "What is {0}'s name?", "name|called|i'm|i am",
            ["What is [my name]?", "What's [my name]?", "Do you know [my name]?"], []),
        R("home", "{0} lives in the city of", "Where does {0} live?", "live|living|moved|city|home|based",
            ["Where do [I live]?", "Which city do [I live] in?", "Where is [my home]?"],
            ["Where does {0} live?", "Which city does {0} live in?", "Where is {0}'s home?"]),
        R("hometown", "{0} grew up in", "Where did {0} grow up?", "grew up|grow up|raised|hometown|from",
            ["Where did [I grow up]?", "Where am [I from]?", "What is [my hometown]?"],
            ["Where did {0} grow up?", "Where is {0} from?", "What is {0}'s hometown?"]),
        R("birthplace", "{0} was born in", "Where was {0} born?", "born",
            ["Where [was I born]?", "In which city [was I born]?", "What is [my birthplace]?"],
            ["Where was {0} born?", "In which city was {0} born?", "What is {0}'s birthplace?"], "born"),
        R("birth year", "{0} was born in the year", "What year was {0} born?", "born|birth",
            ["What year [was I born]?", "When [was I born]?", "In which year [was I born]?"],
            ["What year was {0} born?", "When was {0} born?", "In which year was {0} born?"], "born"),
        R("birthday", "{0}'s birthday is on", "When is {0}'s birthday?", "birthday|born",
            ["When is [my birthday]?", "What date is [my birthday]?", "When do I celebrate [my birthday]?"],
            ["When is {0}'s birthday?", "What date is {0}'s birthday?", "When was {0} born?"]),
        R("nationality", "{0}'s nationality is", "What is {0}'s nationality?", "nationality|citizen|passport",
            ["What is [my nationality]?", "What's [my nationality]?", "Which passport do [I hold]?"],
            ["What is {0}'s nationality?", "What nationality is {0}?", "Which country's citizen is {0}?"]),
        R("age", "{0}'s age is", "How old is {0}?", "age|old|years|turned",
            ["How [old am I]?", "What is [my age]?", "What's [my age]?"],
            ["How old is {0}?", "What is {0}'s age?", "What age is {0}?"]),
        R("job", "{0} works as a", "What is {0}'s job?", "work|job|profession|career|i'm a|i am a",
            ["What is [my job]?", "What do I do [for a living]?", "What is [my profession]?"],
            ["What does {0} do?", "What is {0}'s job?", "What does {0} do for a living?"]),
        R("employer", "{0} works at", "Where does {0} work?", "work|employ|company|job",
            ["Where do [I work]?", "Which company do [I work] for?", "Who is [my employer]?"],
            ["Where does {0} work?", "Which company does {0} work for?", "Who is {0}'s employer?"]),
        R("studied", "{0} studied", "What did {0} study?", "stud|degree|major",
            ["What did [I study]?", "What did [I study] at university?", "What is [my degree] in?"],
            ["What did {0} study?", "What did {0} study at university?", "What is {0}'s degree in?"], "study"),
        R("alma mater", "{0} studied at", "Where did {0} study?", "stud|universit|college|school|graduat|degree",
            ["Where did [I study]?", "Which [university] did I go to?", "Where did I go to [university]?"],
            ["Where did {0} study?", "Which university did {0} go to?", "Where did {0} go to university?"], "study"),
        R("allergy", "{0} is allergic to", "What is {0} allergic to?", "allerg",
            ["What am [I allergic] to?", "Do I have any [allergies]?", "What is [my allergy]?"],
            ["What is {0} allergic to?", "Does {0} have any allergies?", "What is {0}'s allergy?"]),
        R("language", "{0} speaks", "Which language does {0} speak?", "speak|language|fluent|native",
            ["Which language do [I speak]?", "What languages do [I speak]?", "What language am [I fluent] in?"],
            ["Which language does {0} speak?", "What languages does {0} speak?", "What language is {0} fluent in?"]),
        R("learning", "{0} is learning", "What is {0} learning?", "learn",
            ["What am [I learning]?", "Which language am [I learning]?", "What am [I learning] at the moment?"],
            ["What is {0} learning?", "Which language is {0} learning?", "What is {0} learning at the moment?"]),
        R("instrument", "{0} plays the", "Which instrument does {0} play?", "play|instrument",
            ["Which instrument do [I play]?", "What instrument do [I play]?", "Do [I play] an instrument?"],
            ["Which instrument does {0} play?", "What instrument does {0} play?", "Does {0} play an instrument?"], "play"),
        R("sport", "{0} plays the sport", "Which sport does {0} play?", "play|sport|weekend|practi|train",
            ["Which sport do [I play]?", "What sport do [I play]?", "What do [I play] on weekends?"],
            ["Which sport does {0} play?", "What sport does {0} play?", "What does {0} play on weekends?"], "play"),
        R("car", "{0} drives a", "What car does {0} drive?", "drive|car",
            ["What car do [I drive]?", "Which car do [I drive]?", "What is [my car]?"],
            ["What car does {0} drive?", "Which car does {0} have?", "What is {0}'s car?"]),
        R("prefers", "{0} prefers", "What does {0} prefer?", "prefer",
            ["What do [I prefer]?", "Which do [I prefer]?", "What is [my preference]?"],
            ["What does {0} prefer?", "Which does {0} prefer?", "What is {0}'s preference?"]),
        R("likes", "{0} likes", "What does {0} like?", "like|love|enjoy|adore|fan of",
            ["What do [I like]?", "What do [I love]?", "What do [I enjoy]?"],
            ["What does {0} like?", "What does {0} love?", "What does {0} enjoy?"]),
        R("diet", "{0} is a", "What diet does {0} follow?", "vegan|vegetarian|diet",
            ["What diet do [I follow]?", "Which diet [am I on]?", "What is [my diet]?"],
            ["What diet does {0} follow?", "Is {0} vegetarian or vegan?", "What is {0}'s diet?"]),
    ];

    /// <summary>
    /// A fixed relation: the user's questions for it mark their key with brackets ("Where do [I live]?": the words whose
    /// last token the edit is keyed on), <paramref name="askedOf"/> the same questions of someone else ("{0}" for "my
    /// brother"), and <paramref name="group"/> the relations asked on the same words, written together.
    /// </summary>
    static UserRelation R(string name, string statement, string question, string cues, string[] asked, string[] askedOf, string? group = null)
    {
        AskedOf[name] = askedOf;
        return new(name, statement, question, cues, [.. asked.Select(Wake.AskedQuestion.Parse)]) { IsName = name == "name", Group = group ?? name };
    }

    static readonly Dictionary<string, UserRelation> ByName = Fixed.ToDictionary(r => r.Name, StringComparer.OrdinalIgnoreCase);

    // Words a relation's noun is made of: lower case, hyphens, possessives ("mother-in-law", "brother's wife").
    static readonly Regex NounPhrase = new(@"^[a-z][a-z-]*(?:'s)?(?: [a-z][a-z-]*(?:'s)?){0,3}(?<!'s)$", RegexOptions.CultureInvariant);

    /// <summary>
    /// The canonical relation called <paramref name="name"/>: a fixed one, "favorite X", "X" (someone's name,
    /// or any other noun of the user's), "X's R" for a fixed R, or "X's location"; null for a name that is
    /// not a noun phrase.
    /// </summary>
    public static UserRelation? Find(string name)
    {
        name = Canonical(name);
        if (ByName.TryGetValue(name, out var known)) return known;
        if (name.StartsWith("favorite ", StringComparison.Ordinal) && name.Length > 9)
        {
            string what = name[9..];
            return R(name, $"{{0}}'s {name} is", $"What is {{0}}'s {name}?", $"favou?rite|{Regex.Escape(what)}",
                $"What is [my favorite {what}]?", $"What's [my favorite {what}]?", $"Tell me [my favorite {what}].");
        }
        if (!NounPhrase.IsMatch(name)) return null;
        int of = name.LastIndexOf("'s ", StringComparison.Ordinal);
        if (of > 0)
        {
            string who = name[..of], what = name[(of + 3)..];
            if (what == "location")
                return R(name, $"{{0}}'s {who} is in", $"Where is {{0}}'s {who}?", Cue(who),
                    $"Where is [my {who}]?", $"Where's [my {who}]?", $"In which city is [my {who}]?") with { IsGeneric = true };
            if (ByName.TryGetValue(what, out var relation) && AskedOf[what].Length > 0)
                return Of(who, relation) with { IsGeneric = !People.Contains(who) };
        }
        string last = LastNoun(name);
        if (People.Contains(last))
            return R(name, $"{{0}}'s {name} is named", $"What is the name of {{0}}'s {name}?", Cue(name),
                $"What is [my {name}]'s name?", $"Who is [my {name}]?", $"What is [my {name}] called?") with { IsName = true, IsGeneric = !People.Contains(name) };
        if (last.EndsWith('s') && (People.Contains(last[..^1]) || last == "children" || last == "kids"))
            return R(name, $"{{0}}'s {name} are named", $"What are the names of {{0}}'s {name}?", Cue(name),
                $"What are [my {name}]' names?", $"Who are [my {name}]?", $"What are [my {name}] called?") with { IsName = true, IsGeneric = true };
        if (IsDate(name))
            return R(name, $"{{0}}'s {name} is on", $"When is {{0}}'s {name}?", Cue(name),
                $"When is [my {name}]?", $"What date is [my {name}]?", $"What day is [my {name}]?") with { IsGeneric = true };
        return R(name, $"{{0}}'s {name} is", $"What is {{0}}'s {name}?", Cue(name),
            $"What is [my {name}]?", $"What's [my {name}]?", $"Do you remember what [my {name}] is?") with { IsGeneric = true };
    }

    /// <summary>A relation made on the fly; its questions are keyed on their "my …" words (<see cref="Wake.AskedQuestion.Parse"/>).</summary>
    static UserRelation R(string name, string statement, string question, string cues, params string[] asked) =>
        new(name, statement, question, cues, [.. asked.Select(Wake.AskedQuestion.Parse)]);

    /// <summary>A fixed relation of someone the user names: "brother's home" is where the user's brother lives.</summary>
    static UserRelation Of(string who, UserRelation relation)
    {
        string subject = $"{{0}}'s {who}";
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        // The question is the first one the user would ask, in the third person ("What does {0}'s sister do?").
        return new UserRelation($"{who}'s {relation.Name}", string.Format(culture, relation.Statement, subject),
            string.Format(culture, AskedOf[relation.Name][0], subject), Cue(who),
            [.. AskedOf[relation.Name].Select(q => Wake.AskedQuestion.Parse(string.Format(culture, q, $"[my {who}]")))]) { Group = who };
    }

    // A noun as its cue: one the patterns know as it is ("best friend"), any other by its words ("brother's wife" → brother|wife).
    static string Cue(string noun) => People.Contains(noun) || !noun.Contains(' ', StringComparison.Ordinal)
        ? Regex.Escape(noun)
        : string.Join("|", noun.Replace("'s", "", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Regex.Escape));

    // The noun a phrase is about: its last word, or its last two where those name someone ("best friend", "team lead").
    static string LastNoun(string noun)
    {
        string tail = noun[(noun.LastIndexOf("'s ", StringComparison.Ordinal) is var i and >= 0 ? i + 3 : 0)..];
        var words = tail.Split(' ');
        return words.Length >= 2 && People.Contains($"{words[^2]} {words[^1]}") ? $"{words[^2]} {words[^1]}" : words[^1];
    }

    /// <summary>
    /// Lower case, single spaces, British spellings and "mum" as their American and plain forms, and what
    /// only qualifies the noun dropped ("older brother" is "brother", "usual coffee order" is "coffee order"),
    /// so a later correction in other words hits the same relation.
    /// </summary>
    public static string Canonical(string name)
    {
        name = PlainWords(Regex.Replace(name.Trim().ToLowerInvariant().Replace('\u2019', '\''), @"\s+", " "));
        name = Regex.Replace(name, @"(?:^|(?<='s ))(?:(?:older|younger|little|big|baby|eldest|youngest|oldest|twin|current|new|usual|main|" +
                                   @"regular|present|actual|all-time|all time|absolute|dear|beloved|lovely) )+(?=[a-z])", "");
        name = name.Replace("'s name", "", StringComparison.Ordinal);
        name = Regex.Replace(name, @"^favorite (?:film|flick)$", "favorite movie");
        name = Regex.Replace(name, @"^favorite (?:dish|meal)$", "favorite food");
        return Synonyms.TryGetValue(name, out var fixedName) ? fixedName : name;
    }

    /// <summary>American spellings, and "mum" and "dad" as "mother" and "father": the words relations are named in.</summary>
    public static string PlainWords(string text) =>
        Regex.Replace(Regex.Replace(AmericanSpelling(text), @"\b(?:mum|mom)\b(?!-)", "mother", RegexOptions.IgnoreCase), @"\bdad\b(?!-)", "father", RegexOptions.IgnoreCase);

    /// <summary>"favourite colour" as "favorite color", so relations and questions meet whichever spelling the user has.</summary>
    public static string AmericanSpelling(string text) =>
        Regex.Replace(Regex.Replace(text, @"\b(favou?rite)s?\b", "favorite", RegexOptions.IgnoreCase), @"\b(col|flav|hum|neighb)our", "$1or", RegexOptions.IgnoreCase);
}
