using System.Text.RegularExpressions;

namespace SleepingLlm.Conversation;

/// <summary>
/// What one says of oneself, as regular expressions: name, home, hometown, birth, age, job and employer,
/// studies and where, allergies, languages, instruments and sports, car, diet, preferences. Each
/// predicate is written twice, as "I …" and as said of someone ("my brother lives in …"): the first-person
/// side is read here, the other by <see cref="PossessivePatterns"/>, which also reads "my N is O" for any
/// noun. Each match gives a canonical relation (see <see cref="UserRelations"/>) about
/// <see cref="UserEntity.Subject"/>; the object is cut down to the thing itself by <see cref="ObjectText"/>.
/// </summary>
public static class FirstPersonPatterns
{
    const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
    const string Im = @"I(?:'m| am)";
    const string Obj = @"(?<o>[^,;]+)";
    const string Year = @"(?<o>\d{4})\b";
    const string Place = @"(?-i:(?<o>[A-Z][^,;\d]+))";
    const string Age = @"(?<o>\d{1,3})";
    const string Job = @"(?<o>[a-z][a-z -]+)";
    const string SomeOf = @"(?:a (?:bit|little|smattering) of |a little |some |basic |decent |conversational )?";
    // "at a small firm called Nordkapp Geodata": the employer is the name (ObjectText cuts the rest).
    const string Firm = @"(?:(?:an?|the) (?:[a-z]+ ){0,2}(?:company|firm|startup|shop|studio|business|agency|practice|clinic|lab|bakery|restaurant|cafe|hospital|school|charity) (?:called|named) )?";
    // A degree: "a degree in", "my master's in", "a PhD in".
    const string Degree = @"(?:a|an|my) (?:[\w']+ )?(?:degree|master's|masters|PhD|doctorate|bachelor's|bachelors|BSc|MSc|BA|MA)(?: degree)?";
    const string DegreeVerb = @"I(?:'ve| have)? (?:did|done|finished|completed|got|gotten|earned|have|hold|took|taken)";
    // A day of a month, without the year: "22 October", "June 3rd", "the 14th of February".
    const string Date = @"(?<o>(?:the )?\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:January|February|March|April|May|June|July|August|September|October|November|December)|" +
                        @"(?:January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}(?:st|nd|rd|th)?)\b";

    // A proper name: capitalised words (case-sensitive inside an otherwise case-blind pattern).
    const string Name = @"(?-i:(?<o>[A-Z][\w'-]+(?: (?:[A-Z][\w'-]+|van|von|de|der|da|di|le|la)\b)*))";

    /// <summary>Nationalities: "I'm Dutch" says where one is from, not one's name.</summary>
    public const string Nationalities =
        "American|Argentinian|Australian|Austrian|Belgian|Brazilian|British|Bulgarian|Canadian|Chilean|Chinese|Colombian|Croatian|Czech|" +
        "Danish|Dutch|Egyptian|English|Estonian|Ethiopian|Filipino|Finnish|French|German|Ghanaian|Greek|Hungarian|Icelandic|Indian|" +
        "Indonesian|Iranian|Iraqi|Irish|Israeli|Italian|Jamaican|Japanese|Kenyan|Korean|Latvian|Lebanese|Lithuanian|Malaysian|Mexican|" +
        "Moroccan|Nigerian|Norwegian|Pakistani|Peruvian|Polish|Portuguese|Romanian|Russian|Scottish|Serbian|Slovak|Slovenian|" +
        "South African|Spanish|Swedish|Swiss|Syrian|Thai|Turkish|Ukrainian|Venezuelan|Vietnamese|Welsh";

    /// <summary>Sports one does, practises or goes to ("I do judo", "I go climbing").</summary>
    public const string Sports =
        "ski orienteering|cross-country skiing|ski touring|trail running|sea kayaking|ice climbing|orienteering|paddleboarding|snowshoeing|biathlon|" +
        "table tennis|ping pong|ice hockey|field hockey|water polo|rock climbing|mountain biking|ice skating|figure skating|horse riding|" +
        "ultimate frisbee|muay thai|kung fu|jiu-jitsu|jiu jitsu|football|soccer|tennis|badminton|squash|golf|rugby|cricket|hockey|" +
        "basketball|volleyball|handball|baseball|softball|lacrosse|netball|judo|karate|taekwondo|aikido|kendo|boxing|kickboxing|" +
        "wrestling|fencing|archery|rowing|canoeing|kayaking|sailing|surfing|windsurfing|kitesurfing|swimming|diving|running|jogging|" +
        "cycling|triathlons?|marathons|athletics|skiing|snowboarding|skating|climbing|bouldering|gymnastics|yoga|pilates|crossfit|" +
        "weightlifting|powerlifting|curling|darts|bowling|snooker|billiards|parkour|capoeira|mma|hiking";

    // A job, not a state or a relative: "I'm a paramedic", not "I'm a teenager" or "I'm a mother".
    const string Profession = @"(?:er|or|ist|ian|ant|eer|ect|nurse|chef|doctor|cook|pilot|vet|lawyer|smith|wright|maker|keeper|monk|clerk|" +
                              @"artist|writer|student|teacher|engineer|scientist|biologist|chemist|analyst|medic|mechanic|surgeon|midwife|" +
                              @"barista|judge|nanny|man|woman|person)$";
    const string NotProfession = @"(?:teenager|toddler|beginner|member|lover|foreigner|stranger|winner|loser|smoker|drinker|believer|survivor|" +
                                 @"newcomer|insider|outsider|user|customer|owner|player|fan|person|other|gentleman|human|freshman|layman|speaker|learner)$";

    /// <summary>Whether an object names a job: a profession's ending, and neither a state nor a relative.</summary>
    public static bool IsProfession(string job) =>
        Regex.IsMatch(job, Profession, Options) && !Regex.IsMatch(job, NotProfession, Options) && !UserRelations.IsKin(job);

    /// <summary>
    /// One relation as said of oneself (<see cref="Mine"/>, anywhere in the clause) and of someone else
    /// (<see cref="Theirs"/>, right after "my sister" or "my sister Odette"); the object is the group "o".
    /// <see cref="Accepts"/> checks the match and the cleaned object.
    /// </summary>
    public sealed record Predicate(string Relation, Regex? Mine, Regex? Theirs, Func<Match, string, bool>? Accepts = null);

    static Predicate P(string relation, string? mine, string? theirs, Func<Match, string, bool>? accepts = null) =>
        new(relation, mine is null ? null : new Regex($@"\b(?:{mine})", Options), theirs is null ? null : new Regex($"^(?:{theirs})", Options), accepts);

    static bool IsJob(Match _, string job) => IsProfession(job);

    /// <summary>The predicates, each in the first person and the third.</summary>
    public static readonly IReadOnlyList<Predicate> Predicates =
    [
        P("home",
            $@"(?:I|we) (?:now |currently |still )?(?:live|reside) in {Obj}|(?:I|we) (?:now )?live with [^,;]+? in {Place}|(?:{Im}|we're|we are) (?:now |currently )?(?:living|based|settled) in {Obj}|" +
            $@"(?:I|we)(?:'ve| have)? (?:just |recently |finally )?(?:moved|relocated) to {Obj}",
            $@"(?:now |currently |still |also )?(?:lives|resides) in {Obj}|is (?:now |currently )?(?:living|based|settled) in {Obj}|" +
            $@"(?:has )?(?:just |recently )?(?:moved|relocated) to {Obj}"),
        P("hometown",
            $@"(?:I grew up in|I was (?:born and )?raised in|{Im} originally from|{Im} from|I come from|I hail from) {Obj}|^{Im} an? [^,;]+? from {Place}",
            $@"(?:is (?:originally )?from|comes from|grew up in|was raised in) {Obj}"),
        P("birth year", $@"I was born in {Year}", $@"was born in {Year}"),
        P("birthplace", $@"I was born (?:and raised )?in {Place}", $@"was born (?:and raised )?in {Place}"),
        P("birthday", $@"I was born on {Obj}|I turn [\w-]+ on {Date}", $@"was born on {Obj}|(?:turns|will turn|is turning) [\w-]+ on {Date}"),
        P("age",
            $@"{Im} {Age}(?= years? old\b| years of age\b|$| and\b|,| now\b| this\b| next\b)|{Im} an? {Age}[- ]year[- ]old\b|I (?:just )?turned {Age}\b",
            $@"is {Age}(?= years? old\b| years of age\b|$| and\b|,| now\b| this\b| next\b)|(?:just )?turned {Age}\b"),
        P("job",
            $@"(?:I work as|I(?:'ve| have) (?:been )?work(?:ed|ing) as|{Im} employed as) (?:an? )?{Obj}|" +
            $@"I(?:'ve| have)? (?:been )?work(?:ed|ing)? (?:at|for) [^,;]+? as an? {Obj}",
            $@"(?:works|worked|is working) as (?:an? )?{Obj}"),
        // "I'm a nurse", "I'm a 34-year-old accountant at Brightwater Mills".
        P("job", $@"^{Im} an? (?:\d{{1,3}}[- ]year[- ]old )?(?<o>(?:\w+ ){{0,2}}\w+?)(?: by (?:profession|trade))?(?: (?:at|for|with|in|from) [^,;]+)?(?:$|,)",
            $@"(?:is|was|'s) an? {Job}", IsJob),
        P("employer",
            // In "I work as a glassblower at a small studio" only a named place is the employer.
            $@"I(?:'ve| have)? (?:now |currently |still |been )?work(?:ed|ing)? (?:(?:at|for) {Obj}|as an? [a-z ]+? (?:at|for) {Firm}{Place})|{Im} employed (?:by|at) {Obj}|" +
            $@"{Im} (?:now |currently |still )?working (?:at|for) {Obj}",
            $@"(?:works|worked|is working) (?:as an? [a-z ]+? )?(?:at|for) {Obj}|is employed (?:by|at) {Obj}"),
        P("employer", $@"^{Im} an? (?:\d{{1,3}}[- ]year[- ]old )?(?<job>(?:\w+ ){{0,2}}\w+?) (?:at|for) {Firm}{Place}(?:$|,)", null,
            (m, _) => IsProfession(m.Groups["job"].Value)),
        P("studied",
            $@"(?:I stud(?:ied|y)|{Im} studying|I majored in|I did a degree in|I(?:'ve| have)(?: got)? an? (?:degree|master's|masters|PhD|bachelor's) in|{DegreeVerb} {Degree} in) {Obj}",
            $@"(?:studies|studied|is studying|majored in) {Obj}"),
        P("alma mater",
            $@"(?:I stud(?:ied|y)|{Im} studying|I majored in|I did (?:a|my) [\w']+(?: degree)?(?: in [a-z ]+?)?|{DegreeVerb} {Degree}) [^,;]*?\b(?:in|at|from) (?:the )?{Place}|" +
            $@"I (?:went to|go to|graduated from) (?:university|college|uni|grad school|school) (?:in|at) {Obj}|I graduated from {Place}",
            $@"(?:studies|studied|is studying) [^,;]*?\b(?:in|at) {Place}|(?:goes|went) to (?:university|college|uni|school) (?:in|at) {Obj}"),
        P("nationality", $@"{Im} (?:a )?(?-i:(?<o>{Nationalities}))(?: citizen| national)?\b(?! (?:food|music|film|movie|book|language))|I have (?:an? )?(?-i:(?<o>{Nationalities})) (?:passport|citizenship)",
            $@"is (?:a )?(?-i:(?<o>{Nationalities}))(?: citizen| national)?\b(?! (?:food|music|film|movie|book|language))"),
        P("allergy", $@"{Im} allergic to {Obj}|I have an? (?<o>[\w ]+?) allergy\b", $@"is allergic to {Obj}"),
        P("language",
            $@"(?:I speak|{Im} fluent in|I grew up speaking) {Obj}|{Im} an? native (?-i:(?<o>[A-Z]\w+)) speaker",
            $@"(?:speaks|is fluent in) {Obj}"),
        // "I speak Norwegian and English, plus a bit of Basque": the languages after the comma (joined by FactExtractor).
        P("language", $@"I speak [^;]+?,? (?:plus|as well as|and also) {SomeOf}(?-i:(?<o>[A-Z]\w+))",
            $@"speaks [^;]+?,? (?:plus|as well as|and also) {SomeOf}(?-i:(?<o>[A-Z]\w+))"),
        P("learning", $@"{Im} (?:currently |now )?learning {Obj}", $@"is (?:currently |now )?learning {Obj}"),
        P("instrument", $@"I (?:also )?play the {Obj}", $@"plays the {Obj}"),
        P("sport",
            $@"I (?:also )?play (?!the\b){Obj}|I (?:also |regularly |mostly )?(?:do|practi[cs]e|train(?: in)?|compete in|go) (?<o>{Sports})\b|" +
            $@"{Im} (?:really )?into (?<o>{Sports})\b|I(?:'ve| have) been (?:doing|practi[cs]ing|training in) (?<o>{Sports})\b|" +
            // "On weekends I'm usually bouldering" (not "I'm always running late"); "in winter I switch to ski orienteering".
            $@"{Im} (?:usually|often|always|mostly|normally|generally) (?:out )?(?<o>{Sports})\b(?! (?:late|behind|around|errands|out of|away))|" +
            $@"I (?:then |usually |always )?(?:switch|change|move|swap)(?: over)? to (?<o>{Sports})\b",
            $@"plays (?!the\b){Obj}|(?:does|practi[cs]es|trains in) (?<o>{Sports})\b"),
        P("car", $@"I drive (?:an? )?{Obj}", $@"drives (?:an? )?{Obj}"),
        P("diet", $@"{Im} (?:an? )?(?<o>vegan|vegetarian|pescatarian)\b", $@"is (?:an? )?(?<o>vegan|vegetarian|pescatarian)\b"),
        P("prefers", $@"I prefer {Obj}", $@"prefers {Obj}"),
        P("likes", $@"I (?:really )?(?:love|like|enjoy|adore) {Obj}", $@"(?:really )?(?:loves|likes|enjoys|adores) {Obj}"),
    ];

    // What only the user says of themselves: their name.
    static readonly IReadOnlyList<Predicate> Own =
    [
        // A nickname, unless the clause says the name itself ("my name's Ottilie Brannigan, but everyone calls me Tilly").
        P("name", $@"(?<!\bmy name(?:'s| is)\b.*)(?:call me|I go by|people call me|everyone calls me) {Obj}", null),
        P("name", $@"^{Im} (?!(?:{Nationalities})\b){Name}(?:$|,)", null),
        P("spouse", $@"(?:{Im}|I was|I(?:'ve| have) been|I got) married to {Name}|I (?:married|wed) {Name}", null),
        // "Ragnar and I got married on 22 October 2015": the day comes round each year.
        P("wedding anniversary", $@"(?:I|we) (?:got |were )?(?:married|wed)(?: to [^,;]+?)? on {Date}", null),
        P("fiance", $@"(?:{Im}|I got) engaged to {Name}", null),
    ];

    /// <summary>The facts one clause states in the first person, and those of <see cref="PossessivePatterns"/>.</summary>
    public static IEnumerable<ExtractedFact> Read(string clause, bool correction = false)
    {
        var found = Own.Concat(Predicates).Where(p => p.Mine is not null).SelectMany(p => Matches(p, p.Mine!, clause, p.Relation)).ToList();
        found.AddRange(PossessivePatterns.Read(clause));
        foreach (var (relation, raw) in found)
        {
            string canonical = UserRelations.Canonical(relation);
            if (UserRelations.Find(canonical) is null) continue;
            string obj = ObjectText.Clean(raw, canonical);
            if (!JunkFilter.IsVague(obj))
                yield return new ExtractedFact(UserEntity.Subject, canonical, obj, ExtractionSource.Pattern, correction);
        }
    }

    /// <summary>(relation, raw object) for each match of one side of a predicate that its check accepts.</summary>
    public static IEnumerable<(string Relation, string Object)> Matches(Predicate predicate, Regex regex, string text, string relation)
    {
        foreach (Match match in regex.Matches(text))
        {
            string raw = match.Groups["o"].Value;
            if (predicate.Accepts is null || predicate.Accepts(match, ObjectText.Clean(raw, UserRelations.Canonical(relation))))
                yield return (relation, raw);
        }
    }
}
