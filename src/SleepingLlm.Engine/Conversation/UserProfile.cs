using System.Text.RegularExpressions;
using SleepingLlm.Memory;

namespace SleepingLlm.Conversation;

/// <summary>
/// The user's stored facts as memory: each extracted triple as a fact to write (the MEMIT prompt and
/// question from its canonical relation), and all of them as a short profile for the system prompt.
/// </summary>
public static class UserProfile
{
    /// <summary>Facts a message gets in the relevant mode: a small model answers from two lines, not from twenty.</summary>
    public const int DefaultRelevant = 2;

    // The header the prompt memory mode uses: on SmolLM2-135M, "You are talking with the user. What the user
    // told you…" and "The user said: …" made it answer "as an AI I don't know"; this one does not.
    const string Header = "Facts you know:";

    /// <summary>The fact to store for a triple; null when its relation is not a canonical one.</summary>
    public static Wake.Fact? ToFact(ExtractedFact fact) => Canonical(fact.Subject, fact.Relation, fact.Object);

    static Wake.Fact? Canonical(string subject, string relation, string obj)
    {
        if (UserRelations.Find(relation) is not { } known) return null;
        var asked = AskedFor(subject, known.Name);
        return new Wake.Fact(subject, known.Name, obj, known.PromptFor(subject), asked?[0].Text ?? known.QuestionFor(subject)) { Asked = asked };
    }

    /// <summary>
    /// The first-person questions the user asks for one of their own facts (<see cref="Wake.Fact.Asked"/>), the
    /// first of them the one it is audited with; null for a fact about anyone else.
    /// </summary>
    public static IReadOnlyList<Wake.AskedQuestion>? AskedFor(string subject, string relation) =>
        UserEntity.Is(subject) && UserRelations.Find(relation) is { } known ? known.Asked : null;

    /// <summary>The group a fact of the user's is written with (<see cref="UserRelation.Group"/>); null for anyone else's.</summary>
    public static string? GroupOf(string subject, string relation) =>
        UserEntity.Is(subject) && UserRelations.Find(relation) is { } known ? known.Group : null;

    /// <summary>
    /// The fact for a triple typed on the command line: a canonical relation ("car", "job", "home") brings
    /// the prompt and chat question the chat uses; any other, a noun the user's own facts make into a relation
    /// ("blood type") included, is written as "{subject} {relation}" with
    /// <paramref name="question"/> (null: no chat form to train, so it is recalled on its prompt).
    /// </summary>
    public static Wake.Fact FromTriple(string subject, string relation, string obj, string? question) =>
        UserRelations.Find(relation) is { IsGeneric: false } && Canonical(subject, relation, obj) is { } known
            ? question is null ? known : known with { Question = question }
            : new Wake.Fact(subject, relation, obj, $"{subject} {relation}", question);

    /// <summary>The system prompt of the user's facts, one sentence a line; null while there are none.</summary>
    public static string? SystemPrompt(IEnumerable<StoredFact> facts)
    {
        var lines = facts.Where(f => UserEntity.Is(f.Subject)).Select(f => Sentence(MemoryPrompt.Statement(f))).ToList();
        return lines.Count == 0 ? null : Header + "\n" + string.Join("\n", lines);
    }

    /// <summary>
    /// The user's facts that <paramref name="message"/> is about, at most <paramref name="limit"/>, best first:
    /// a word of the relation's name in the message ("dog", "favorite book") weighs 2, a cue word 1, the
    /// same question word as the relation's question ("where … work") 1 more, and a relative named by the message
    /// or by the relation but not by both takes 3. Facts more than a point
    /// behind the best are left out: a second, weaker line distracts a small model.
    /// </summary>
    public static IReadOnlyList<StoredFact> Relevant(IEnumerable<StoredFact> facts, string message, int limit = DefaultRelevant)
    {
        // As the relations name them: "my neighbour" and "my mum" are "neighbor" and "mother".
        var relatives = Regex.Matches(message, $@"\b(?:{UserRelations.Relatives})\b", RegexOptions.IgnoreCase).Select(m => UserRelations.Canonical(m.Value)).ToHashSet();
        var scored = facts.Where(f => UserEntity.Is(f.Subject))
            .Select(f => (Fact: f, Score: Score(f.Relation, message, relatives)))
            .Where(x => x.Score > 0).OrderByDescending(x => x.Score).ThenBy(x => x.Fact.Id).ToList();
        return [.. scored.TakeWhile(x => x.Score >= scored[0].Score - 1).Take(limit).Select(x => x.Fact)];
    }

    static int Score(string relationName, string message, HashSet<string> relatives)
    {
        message = UserRelations.PlainWords(message);
        if (UserRelations.Find(relationName) is not { } relation) return 0;
        var words = relationName.Replace("'s", " ", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w != "favorite").ToList();
        int score = words.Count(w => Regex.IsMatch(message, $@"\b{Regex.Escape(w)}\b", RegexOptions.IgnoreCase)) * 2;
        if (relation.IsCuedBy(message)) score++;
        // The question word only breaks ties between relations the message names ("which" alone names none).
        if (score > 0 && string.Equals(FirstWord(message), FirstWord(relation.Question), StringComparison.OrdinalIgnoreCase)) score++;
        // A relative on one side only: "my dog's name" is not the user's name, "my job" not the sister's.
        string? about = Regex.Match(relationName, $@"^(?:{UserRelations.Relatives})\b") is { Success: true } m ? m.Value : null;
        if (relatives.Count > 0 ? about is null || !relatives.Contains(about) : about is not null) score -= 3;
        return score;
    }

    static string FirstWord(string text) => Regex.Match(text, @"[A-Za-z]+").Value;

    static string Sentence(string statement) => char.ToUpperInvariant(statement[0]) + statement[1..];
}
