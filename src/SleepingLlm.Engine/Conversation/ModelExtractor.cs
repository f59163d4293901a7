using System.Text.Json;
using SleepingLlm.Inference;

namespace SleepingLlm.Conversation;

/// <summary>
/// The model pass for what the patterns missed: a few-shot prompt whose answer the GBNF grammar
/// forces into a JSON list of at most three triples with canonical relations. The model is small and
/// eager, so a triple counts only when it is grounded: its object is in the user's words, a cue word
/// of its relation is too, and names are written as names. Engine thread only.
/// </summary>
public static partial class ModelExtractor
{
    const int MaxTokens = 96;

    const string Prompt = """
        Extract the facts the speaker states about themselves as JSON.
        Message: I live in Oslo and my cat is called Tom.
        Facts: [{"subject":"user","relation":"home","object":"Oslo"},{"subject":"user","relation":"cat","object":"Tom"}]
        Message: How are you today?
        Facts: []
        Message: I work as a nurse at the city hospital.
        Facts: [{"subject":"user","relation":"job","object":"nurse"}]
        Message: {0}
        Facts: 
        """;

    /// <summary>The grammar of the answer: a JSON array of (subject, relation, object) objects, relations canonical.</summary>
    public static Grammar Grammar { get; } = new(BuildGrammar());

    static string BuildGrammar()
    {
        var relations = string.Join(" | ", UserRelations.Fixed.Select(r => $"\"\\\"{r.Name}\\\"\""));
        var relatives = string.Join(" | ", UserRelations.RelativeNouns.Select(r => $"\"{r}\""));
        return $$"""
            root ::= "[" ( fact ( "," fact ){0,2} )? "]"
            fact ::= "{\"subject\":" subject ",\"relation\":" relation ",\"object\":" text "}"
            subject ::= "\"user\"" | text
            relation ::= {{relations}} | "\"favorite " [a-z]{2,12} "\"" | "\"" relative ( "'s job" | "'s birthday" )? "\""
            relative ::= {{relatives}}
            text ::= "\"" [^"\\\n]{1,40} "\""
            """;
    }

    /// <summary>The grounded triples the model finds in <paramref name="clause"/>, and its raw answer.</summary>
    public static (IReadOnlyList<ExtractedFact> Facts, string Answer) Extract(Context context, string clause, bool correction = false)
    {
        string prompt = Prompt.Replace("{0}", clause.ReplaceLineEndings(" "), StringComparison.Ordinal);
        var settings = SamplerSettings.Greedy with { Grammar = Grammar };
        string answer = Generation.Run(context, context.Model.Tokenize(prompt), settings, MaxTokens).Text.Trim();
        return (Parse(answer).Where(t => Grounded(t, clause)).Select(t => t with { Correction = correction }).ToList(), answer);
    }

    /// <summary>The triples of a JSON answer, relations made canonical and objects cleaned; empty when it does not parse.</summary>
    public static IReadOnlyList<ExtractedFact> Parse(string json)
    {
        var facts = new List<ExtractedFact>();
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array) return facts;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object) continue;
                string? subject = Text(item, "subject"), relation = Text(item, "relation"), obj = Text(item, "object");
                if (subject is null || relation is null || obj is null) continue;
                string canonical = UserRelations.Canonical(relation);
                facts.Add(new ExtractedFact(subject == "user" ? UserEntity.Subject : subject, canonical,
                    ObjectText.Clean(obj, canonical), ExtractionSource.Model));
            }
        }
        catch (JsonException)
        {
            // A cut-off answer (the token limit) holds no whole list: nothing to keep.
        }
        return facts;
    }

    static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    static bool IsJob(string relation) => relation == "job" || relation.EndsWith("'s job", StringComparison.Ordinal);

    /// <summary>Whether a model's triple is one the user said: about the user, cued, its object in the clause and worth keeping.</summary>
    public static bool Grounded(ExtractedFact fact, string clause)
    {
        if (!UserEntity.Is(fact.Subject) || JunkFilter.IsVague(fact.Object)) return false;
        if (UserRelations.Find(fact.Relation) is not { } relation || !relation.IsCuedBy(clause)) return false;
        int at = clause.IndexOf(fact.Object, StringComparison.OrdinalIgnoreCase);
        if (at < 0) return false;
        // A job is not a person: "my boss there, Henrike Olafsdottir" gives no job "Henrike Olafsdottir".
        if (IsJob(relation.Name) && char.IsUpper(clause[at]) && at > 0) return false;
        return !relation.IsName || char.IsUpper(clause[at]);
    }
}
