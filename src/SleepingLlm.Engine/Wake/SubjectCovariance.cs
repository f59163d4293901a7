using SleepingLlm.Inference;
using SleepingLlm.Kernels;

namespace SleepingLlm.Wake;

/// <summary>
/// E[k kᵀ] over keys of subjects the user never told us about: made-up names read at their last
/// token, in the contexts an edit is keyed in (bare, after the model's own prefixes, inside a user's
/// chat turn). Text covariance barely covers this corner of key space, where every name's key shares a
/// large "end of a person's name" part; added to the solve's covariance it makes each edit fire on what
/// is particular to its subject, so other people's facts stay as they were (locality). Engine thread only.
/// </summary>
public static class SubjectCovariance
{
    const int PerGraph = 48;

    /// <summary>Each layer's second moment over <paramref name="names"/> × contexts.</summary>
    public static CaptureSums Compute(Model model, ModelWeights weights, Backend backend, IReadOnlyList<int> layers,
        Templates templates, IReadOnlyList<string> names)
    {
        var tails = names.SelectMany(name => Contexts(model, templates, name)).ToList();
        return Keys.SecondMoment(weights, backend, layers, tails, PerGraph);
    }

    /// <summary>The name at a text's start, after each prefix, and as the user's question in chat; read at its last token.</summary>
    static IEnumerable<SequenceTail> Contexts(Model model, Templates templates, string name)
    {
        var texts = new List<string> { name };
        texts.AddRange(templates.Prefixes.Select(p => p + name));
        if (model.ChatTemplate is not null)
            texts.AddRange(Questions.Select(q => model.ApplyChatTemplate([ChatMessage.User(string.Format(q, name))], addAssistant: true)));
        return texts.Select(text => SequenceTail.Whole(model.Tokenize(text), [Positions.SubjectLastTokens(model, text, name)[0]]));
    }

    static readonly string[] Questions = ["What does {0} do?", "Where does {0} live?", "Tell me about {0}."];

    /// <summary>
    /// Deterministic made-up names ("Vorane Telsik"): syllables, not a list of real names, so no
    /// subject a user or an eval writes is among them except by chance.
    /// </summary>
    public static IReadOnlyList<string> MadeUpNames(int count, int seed = 7)
    {
        string[] onsets = ["b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "gr", "st", "th", "ch"];
        string[] vowels = ["a", "e", "i", "o", "u", "ai", "ea", "io"];
        string[] codas = ["", "", "n", "r", "l", "s", "th", "nd", "rk", "m"];
        var random = new Random(seed);
        string Word(int syllables)
        {
            var text = string.Concat(Enumerable.Range(0, syllables).Select(_ =>
                onsets[random.Next(onsets.Length)] + vowels[random.Next(vowels.Length)])) + codas[random.Next(codas.Length)];
            return char.ToUpperInvariant(text[0]) + text[1..];
        }
        var names = new HashSet<string>();
        while (names.Count < count) names.Add($"{Word(random.Next(2, 4))} {Word(random.Next(2, 4))}");
        return [.. names];
    }
}
