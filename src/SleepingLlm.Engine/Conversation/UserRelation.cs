using System.Text.RegularExpressions;

namespace SleepingLlm.Conversation;

/// <summary>
/// A canonical relation of the user: its name in the store, the statement it makes about a subject
/// ("{0} lives in"), the question that asks for it and the words that cue it. Every extractor maps
/// onto these names, so "I moved to Gdansk" and "I live in Tromso" hit the same (subject, relation)
/// and the store replaces the old object instead of keeping both.
/// </summary>
public sealed record UserRelation(string Name, string Statement, string Question, string Cues)
{
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
        new("name", "{0}'s name is", "What is {0}'s name?", "name|called|i'm|i am"),
        new("home", "{0} lives in the city of", "Where does {0} live?", "live|living|moved|city|home|based"),
        new("hometown", "{0} grew up in", "Where did {0} grow up?", "grew up|grow up|raised|hometown|from"),
        new("birthplace", "{0} was born in", "Where was {0} born?", "born"),
        new("birth year", "{0} was born in the year", "What year was {0} born?", "born|birth"),
        new("birthday", "{0}'s birthday is on", "When is {0}'s birthday?", "birthday|born"),
        new("job", "{0} works as a", "What is {0}'s job?", "work|job|profession|career|i'm a|i am a"),
        new("employer", "{0} works at", "Where does {0} work?", "work|employ|company|job"),
        new("studied", "{0} studied", "What did {0} study?", "stud|degree|major"),
        new("allergy", "{0} is allergic to", "What is {0} allergic to?", "allerg"),
        new("language", "{0} speaks", "Which language does {0} speak?", "speak|language|fluent"),
        new("learning", "{0} is learning", "What is {0} learning?", "learn"),
        new("instrument", "{0} plays the", "Which instrument does {0} play?", "play|instrument"),
        new("sport", "{0} plays the sport", "Which sport does {0} play?", "play|sport|weekend"),
        new("car", "{0} drives a", "What car does {0} drive?", "drive|car"),
        new("prefers", "{0} prefers", "What does {0} prefer?", "prefer"),
        new("likes", "{0} likes", "What does {0} like?", "like|love|enjoy|adore|fan of"),
        new("diet", "{0} is a", "What diet does {0} follow?", "vegan|vegetarian|diet"),
    ];

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
            return new(name, $"{{0}}'s {name} is", $"What is {{0}}'s {name}?", $"favou?rite|{Regex.Escape(name[9..])}");
        var relative = Regex.Match(name, $@"^(?<who>{Relatives})(?<what>'s job|'s birthday)?$");
        if (!relative.Success) return null;
        string who = relative.Groups["who"].Value, cue = Regex.Escape(who);
        return relative.Groups["what"].Value switch
        {
            "'s job" => new(name, $"{{0}}'s {who} works as a", $"What does {{0}}'s {who} do?", cue),
            "'s birthday" => new(name, $"{{0}}'s {who}'s birthday is on", $"When is {{0}}'s {who}'s birthday?", cue),
            _ => new(name, $"{{0}}'s {who} is named", $"What is the name of {{0}}'s {who}?", cue),
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
