using System.Text.RegularExpressions;

namespace SleepingLlm.Conversation;

/// <summary>
/// The common first-person statements as regular expressions: name, home, work, studies, family and
/// pets, favourites and likes, allergies, languages, instruments and sports, dates, car. Each match
/// gives canonical relations (see <see cref="UserRelations"/>) about <see cref="UserEntity.Subject"/>;
/// the object is cut down to the thing itself by <see cref="ObjectText"/>.
/// </summary>
public static class FirstPersonPatterns
{
    const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
    const string Im = @"I(?:'m| am)";
    const string Obj = @"(?<o>[^,;]+)";
    // A proper name: capitalised words (case-sensitive inside an otherwise case-blind pattern).
    const string Name = @"(?-i:(?<o>[A-Z][\w'-]+(?: (?:[A-Z][\w'-]+|van|von|de|der|da|di|le|la))*))";
    const string Profession = @"(?:er|or|ist|ian|ant|eer|ect|nurse|chef|doctor|cook|pilot|vet|lawyer|smith|wright|maker|keeper|monk|clerk|" +
                              @"artist|writer|student|teacher|engineer|scientist|biologist|chemist|analyst)$";

    sealed record Pattern(Regex Regex, Func<Match, IEnumerable<(string Relation, string Object)>> Read);

    static Pattern One(string regex, string relation) =>
        new(new Regex(regex, Options), m => [(relation, m.Groups["o"].Value)]);

    static Pattern Of(string regex, Func<Match, IEnumerable<(string, string)>> read) => new(new Regex(regex, Options), read);

    static readonly string Relative = $"(?<who>{UserRelations.Relatives})";

    static readonly IReadOnlyList<Pattern> Patterns =
    [
        One($@"\bmy name(?:'s| is) {Obj}", "name"),
        One($@"\b(?:call me|I go by|people call me) {Obj}", "name"),
        One($@"^{Im} {Name}$", "name"),
        One($@"\bI (?:now |currently |still )?(?:live|reside) in {Obj}", "home"),
        One($@"\b(?:{Im} (?:now )?(?:living|based) in|I(?:'ve| have)? (?:just )?moved to|my home is in) {Obj}", "home"),
        One($@"\b(?:I grew up in|I was raised in|my hometown is|{Im} originally from|{Im} from) {Obj}", "hometown"),
        One(@"\bI was born in (?<o>\d{4})\b", "birth year"),
        One(@"\bI was born in (?-i:(?<o>[A-Z][^,;\d]+))", "birthplace"),
        One($@"\b(?:I was born on|my birthday is(?: on)?) {Obj}", "birthday"),
        One($@"\b(?:I work as|my job is|I'm employed as|I am employed as) (?:an? )?{Obj}", "job"),
        Of($@"^{Im} (?:an?) (?<o>(?:\w+ ){{0,2}}\w+?)(?: by (?:profession|trade))?$",
            m => Regex.IsMatch(m.Groups["o"].Value, Profession, Options) ? [("job", m.Groups["o"].Value)] : []),
        One($@"\bI work (?:at|for) {Obj}", "employer"),
        One($@"\b(?:I stud(?:ied|y)|{Im} studying|I majored in|I did a degree in|my degree is in) {Obj}", "studied"),
        One($@"\b{Im} allergic to {Obj}", "allergy"),
        One(@"\bI have an? (?<o>[\w ]+?) allergy\b", "allergy"),
        One($@"\b(?:I speak|my (?:native|first|mother) (?:language|tongue) is) {Obj}", "language"),
        One($@"\b{Im} (?:currently |now )?learning {Obj}", "learning"),
        One($@"\bI (?:also )?play the {Obj}", "instrument"),
        One($@"\bI (?:also )?play (?!the\b){Obj}", "sport"),
        One($@"\b(?:I drive|my car is) (?:an? )?{Obj}", "car"),
        One($@"\b{Im} (?:an? )?(?<o>vegan|vegetarian|pescatarian)\b", "diet"),
        Of($@"\bmy favou?rite (?<what>[a-z ]{{2,30}}?) is {Obj}", m => [($"favorite {m.Groups["what"].Value}", m.Groups["o"].Value)]),
        One($@"\bI prefer {Obj}", "prefers"),
        One($@"\bI (?:really )?(?:love|like|enjoy|adore) {Obj}", "likes"),
        Of($@"\bmy {Relative}(?:'s name is| is (?:named|called)| goes by| named| called) {Name}",
            m => [(m.Groups["who"].Value, m.Groups["o"].Value)]),
        Of($@"\bmy {Relative} is {Name}$", m => [(m.Groups["who"].Value, m.Groups["o"].Value)]),
        Of($@"\bI have an? {Relative} (?:named|called) {Name}", m => [(m.Groups["who"].Value, m.Groups["o"].Value)]),
        Of($@"\bmy {Relative},? {Name},? (?:is an?|works as an?) (?<job>[a-z][a-z ]+)",
            m => [(m.Groups["who"].Value, m.Groups["o"].Value), ($"{m.Groups["who"].Value}'s job", m.Groups["job"].Value)]),
        Of($@"\bmy {Relative} (?:is an?|works as an?) (?<job>[a-z][a-z ]+)",
            m => Regex.IsMatch(m.Groups["job"].Value.Trim(), Profession, Options) ? [($"{m.Groups["who"].Value}'s job", m.Groups["job"].Value)] : []),
        Of($@"\bmy {Relative}'s birthday is(?: on)? {Obj}", m => [($"{m.Groups["who"].Value}'s birthday", m.Groups["o"].Value)]),
    ];

    /// <summary>The facts one clause states.</summary>
    public static IEnumerable<ExtractedFact> Read(string clause, bool correction = false)
    {
        foreach (var pattern in Patterns)
            foreach (Match match in pattern.Regex.Matches(clause))
                foreach (var (relation, raw) in pattern.Read(match))
                {
                    string canonical = UserRelations.Canonical(relation);
                    if (UserRelations.Find(canonical) is null) continue;
                    string obj = ObjectText.Clean(raw, canonical);
                    if (!JunkFilter.IsVague(obj))
                        yield return new ExtractedFact(UserEntity.Subject, canonical, obj, ExtractionSource.Pattern, correction);
                }
    }
}
