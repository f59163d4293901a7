using System.Text.RegularExpressions;

namespace SleepingLlm.Conversation;

/// <summary>
/// Extraction of one user turn: the patterns first, then, for each clause they found nothing in
/// (and that the junk filter let through), the model pass. One fact per relation and turn; a relation
/// one holds several of ("I speak Norwegian and English, plus a bit of Basque") keeps them all in one object.
/// </summary>
public static partial class FactExtractor
{
    /// <param name="modelPass">The model pass for one clause (null: patterns only, as in unit tests).</param>
    /// <param name="people">Names the user gave people before (see <see cref="People"/>), so "Maren turns nine on June 3rd" is the daughter's.</param>
    public static IReadOnlyList<ExtractedFact> Extract(string message, Func<string, bool, IReadOnlyList<ExtractedFact>>? modelPass = null,
        IReadOnlyDictionary<string, string>? people = null)
    {
        bool correction = Utterance.IsCorrection(message);
        var facts = new List<ExtractedFact>();
        foreach (string clause in Utterance.Clauses(message, people))
        {
            var found = FirstPersonPatterns.Read(clause, correction).ToList();
            if (found.Count == 0 && modelPass is not null) found = [.. modelPass(clause, correction)];
            facts.AddRange(found);
        }
        return [.. facts.GroupBy(f => (f.Subject.ToLowerInvariant(), f.Relation)).Select(Joined)];
    }

    /// <summary>
    /// The people the user has named, name → noun ("Maren" → "daughter"), by full name and by first name,
    /// from what the memory holds of them: the user's relatives, pets and people by role.
    /// </summary>
    public static IReadOnlyDictionary<string, string> People(IEnumerable<(string Relation, string Object)> facts)
    {
        var people = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (relation, name) in facts)
        {
            if (relation.Contains("'s", StringComparison.Ordinal) || !UserRelations.IsPerson(relation) || !OneName().IsMatch(name)) continue;
            people.TryAdd(name, relation);
            people.TryAdd(name.Split(' ')[0], relation);
        }
        return people;
    }

    // The first fact of a relation, or all its objects where one holds several ("bouldering and ski orienteering").
    static ExtractedFact Joined(IEnumerable<ExtractedFact> same)
    {
        var first = same.First();
        if (!UserRelations.HoldsSeveral(first.Relation)) return first;
        var objects = same.SelectMany(f => ListSeparator().Split(f.Object)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return objects.Count == 1 ? first : first with { Object = $"{string.Join(", ", objects[..^1])} and {objects[^1]}" };
    }

    [GeneratedRegex(@"^(?-i:[A-Z][\w'-]+)(?: (?-i:[A-Z][\w'-]+))*$")] private static partial Regex OneName();
    [GeneratedRegex(@",\s*(?:and\s+)?|\s+and\s+")] private static partial Regex ListSeparator();
}
