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

    /// <summary>"{0} lives in" for <paramref name="subject"/>: the MEMIT prompt, ending right before the object.</summary>
    public string PromptFor(string subject) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Statement, subject);

    public string QuestionFor(string subject) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Question, subject);

    /// <summary>Whether the text names this relation (a cue word), so a model's triple is grounded in what the user said.</summary>
    public bool IsCuedBy(string text) => Regex.IsMatch(text, $@"\b(?:{Cues})", RegexOptions.IgnoreCase);
}

/// <summary>The canonical relations, and relations made on the fly for favourites and relatives.</summary>
public static class UserRelations
{
    const string Family = "mother|father|mom|mum|dad|brother|sister|son|daughter|wife|husband|partner|girlfriend|boyfriend|" +
                          "grandmother|grandfather|grandma|grandpa|aunt|uncle|cousin|niece|nephew|fiancee|fiance|child";
    const string Pets = "dog|cat|puppy|kitten|parrot|rabbit|hamster|horse|turtle|fish|bird|pet|goldfish|snake|lizard";

    /// <summary>Relatives and pets the patterns know, as one alternation.</summary>
    public static string Relatives => Family + "|" + Pets + "|best friend|friend|boss|roommate|neighbou?r";

    public static readonly IReadOnlyList<UserRelation> Fixed =
    [
        R("name", "{0}'s name is", "What is {0}'s name?", "name|called|i'm|i am", "What is [my name]?", "What's [my name]?", "Do you know [my name]?"),
        R("home", "{0} lives in the city of", "Where does {0} live?", "live|living|moved|city|home|based", "Where do [I live]?", "Which city do [I live] in?", "Where is [my home]?"),
        R("hometown", "{0} grew up in", "Where did {0} grow up?", "grew up|grow up|raised|hometown|from", "Where did [I grow up]?", "Where am [I from]?", "What is [my hometown]?"),
        R("birthplace", "{0} was born in", "Where was {0} born?", "born", Group("born"), "Where [was I born]?", "In which city [was I born]?", "What is [my birthplace]?"),
        R("birth year", "{0} was born in the year", "What year was {0} born?", "born|birth", Group("born"), "What year [was I born]?", "When [was I born]?", "In which year [was I born]?"),
        R("birthday", "{0}'s birthday is on", "When is {0}'s birthday?", "birthday|born", "When is [my birthday]?", "What date is [my birthday]?", "When do I celebrate [my birthday]?"),
        R("job", "{0} works as a", "What is {0}'s job?", "work|job|profession|career|i'm a|i am a", "What is [my job]?", "What do I do [for a living]?", "What is [my profession]?"),
        R("employer", "{0} works at", "Where does {0} work?", "work|employ|company|job", "Where do [I work]?", "Which company do [I work] for?", "Who is [my employer]?"),
        R("studied", "{0} studied", "What did {0} study?", "stud|degree|major", "What did [I study]?", "What did [I study] at university?", "What is [my degree] in?"),
        R("allergy", "{0} is allergic to", "What is {0} allergic to?", "allerg", "What am [I allergic] to?", "Do I have any [allergies]?", "What is [my allergy]?"),
        R("language", "{0} speaks", "Which language does {0} speak?", "speak|language|fluent", "Which language do [I speak]?", "What languages do [I speak]?", "What language am [I fluent] in?"),
        R("learning", "{0} is learning", "What is {0} learning?", "learn", "What am [I learning]?", "Which language am [I learning]?", "What am [I learning] at the moment?"),
        R("instrument", "{0} plays the", "Which instrument does {0} play?", "play|instrument", Group("play"), "Which instrument do [I play]?", "What instrument do [I play]?", "Do [I play] an instrument?"),
        R("sport", "{0} plays the sport", "Which sport does {0} play?", "play|sport|weekend", Group("play"), "Which sport do [I play]?", "What sport do [I play]?", "What do [I play] on weekends?"),
        R("car", "{0} drives a", "What car does {0} drive?", "drive|car", "What car do [I drive]?", "Which car do [I drive]?", "What is [my car]?"),
        R("prefers", "{0} prefers", "What does {0} prefer?", "prefer", "What do [I prefer]?", "Which do [I prefer]?", "What is [my preference]?"),
        R("likes", "{0} likes", "What does {0} like?", "like|love|enjoy|adore|fan of", "What do [I like]?", "What do [I love]?", "What do [I enjoy]?"),
        R("diet", "{0} is a", "What diet does {0} follow?", "vegan|vegetarian|diet", "What diet do [I follow]?", "Which diet [am I on]?", "What is [my diet]?"),
    ];

    /// <summary>
    /// A relation whose first-person questions mark their key with brackets ("Where do [I live]?"): the phrase
    /// whose last token the edit is keyed on. An item <see cref="Group"/>("…") first names the group the
    /// relation shares a key with (default: its own name).
    /// </summary>
    static UserRelation R(string name, string statement, string question, string cues, params string[] asked)
    {
        string group = asked.Length > 0 && asked[0].StartsWith(GroupMark, StringComparison.Ordinal) ? asked[0][GroupMark.Length..] : name;
        return new(name, statement, question, cues, [.. asked.Where(a => !a.StartsWith(GroupMark, StringComparison.Ordinal)).Select(Wake.AskedQuestion.Parse)])
            { Group = group };
    }

    const string GroupMark = "group:";

    /// <summary>Relations asked on the same words ("was I born", "I play") share one key, so they are written together.</summary>
    static string Group(string group) => GroupMark + group;

    static readonly Dictionary<string, UserRelation> ByName = Fixed.ToDictionary(r => r.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The canonical relation called <paramref name="name"/>: a fixed one, "favorite X", "X" (a relative
    /// or pet's name), "X's job" or "X's birthday"; null for any other name.
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
        var relative = Regex.Match(name, $@"^(?<who>{Relatives})(?<what>'s job|'s birthday)?$");
        if (!relative.Success) return null;
        string who = relative.Groups["who"].Value, cue = Regex.Escape(who);
        return relative.Groups["what"].Value switch
        {
            "'s job" => R(name, $"{{0}}'s {who} works as a", $"What does {{0}}'s {who} do?", cue, Group(who),
                $"What does [my {who}] do?", $"What is [my {who}]'s job?", $"What does [my {who}] do for a living?"),
            "'s birthday" => R(name, $"{{0}}'s {who}'s birthday is on", $"When is {{0}}'s {who}'s birthday?", cue, Group(who),
                $"When is [my {who}]'s birthday?", $"What date is [my {who}]'s birthday?", $"When was [my {who}] born?"),
            _ => R(name, $"{{0}}'s {who} is named", $"What is the name of {{0}}'s {who}?", cue, Group(who),
                $"What is [my {who}]'s name?", $"Who is [my {who}]?", $"What is [my {who}] called?"),
        };
    }

    /// <summary>Lower case, single spaces, British spellings and "mum" as their American and plain forms.</summary>
    public static string Canonical(string name)
    {
        name = AmericanSpelling(Regex.Replace(name.Trim().ToLowerInvariant(), @"\s+", " "));
        name = Regex.Replace(name, @"\b(?:mum|mom)\b", "mother");
        name = Regex.Replace(name, @"\b(?:dad)\b", "father");
        return name.Replace("'s name", "", StringComparison.Ordinal);
    }

    /// <summary>"favourite colour" as "favorite color", so relations and questions meet whichever spelling the user has.</summary>
    public static string AmericanSpelling(string text) =>
        Regex.Replace(Regex.Replace(text, @"\b(favou?rite)s?\b", "favorite", RegexOptions.IgnoreCase), @"\b(col|flav|hum|neighb)our", "$1or", RegexOptions.IgnoreCase);
}
