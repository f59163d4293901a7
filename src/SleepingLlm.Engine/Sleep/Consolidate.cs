using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using SleepingLlm.Memory;
using SleepingLlm.Wake;

namespace SleepingLlm.Sleep;

/// <summary>What the Consolidate step produced: the adapter's GGUF bytes, what it was trained on, and its size per layer.</summary>
public sealed record Consolidated(byte[] Adapter, int Facts, int Sequences, int Anchors, TrainingResult Training, IReadOnlyList<LayerNorm> Norms);

/// <summary>
/// Sleep's Consolidate step: the facts' raw prompts and chat answers (<see cref="Consolidation.Sequences"/>)
/// trained into one LoRA adapter on the kernel graph, held in place by the bare model's own answers to
/// other subjects' prompts and questions, namesakes of the facts' subjects first (so the adapter fires on
/// "Caspian Tanaka" and not on "Clementine Tanaka"), strangers asked each fact's questions (without them the
/// adapter answered for anyone: next-token KL 0.97 nats on unrelated people's prompts, with them 0.35), and to
/// a few ordinary starts and everyday replies. The adapter's size is
/// bounded by its rank and layers, whatever the number of facts.
/// </summary>
public static class Consolidate
{
    static readonly string[] OrdinaryStarts = ["The history of the city", "Scientists have found that", "My favourite recipe is", "The weather today"];

    /// <summary>
    /// Everyday requests whose chat replies the model keeps (its own greedy answers): each sleep trains on top of
    /// the last, so without text of the chat's own kind the replies drift sleep after sleep. None is among the
    /// gate's perplexity messages or the chat-locality turns, which measure that drift.
    /// </summary>
    static readonly string[] OrdinaryQuestions =
    [
        "How do I boil an egg?", "Suggest a name for a small bakery.", "What are some good habits for sleeping well?", "How often should I water a cactus?",
        "Explain how a rainbow forms.", "Write a haiku about autumn leaves.", "What are the rules of tennis?", "How can I save money on groceries?",
        "Describe a typical day for a firefighter.", "What is the capital of Australia?", "Give me three tips for a job interview.", "How do bees make honey?",
    ];

    /// <summary>
    /// Tokens of the bare model's own continuation held per anchor: other people's prompts and questions are
    /// decided in their first words; ordinary text and replies are held longer, as the gate measures whole replies.
    /// </summary>
    const int AnchorTokens = 10, OrdinaryTokens = 32, StrangerTokens = 4;

    /// <summary>
    /// Made-up names for <see cref="Strangers"/>: people who share no name with the facts' subjects, so the
    /// adapter learns to answer for the subjects and not for anyone asked in the facts' words.
    /// </summary>
    static readonly string[] StrangerFirst = ["Odile", "Barnaby", "Ingrid", "Tobias", "Marisol", "Dashiell", "Wilhelmina", "Cormac", "Yara", "Emeric", "Saoirse", "Lazlo"];
    static readonly string[] StrangerLast = ["Quigley", "Okonkwo", "Vasquez", "Lindqvist", "Pemberton", "Szabo", "Achterberg", "Moreau", "Kowalczyk", "Ashworth", "Delacroix"];

    /// <param name="facts">What this sleep trains: the facts not yet consolidated and a replay sample of those that are (<see cref="Replay"/>).</param>
    /// <param name="start">The last sleep's adapter to continue from; null trains a new one.</param>
    /// <param name="edits">The memory's MEMIT edit columns at the scales they take after this sleep: the facts are trained on the model with them.</param>
    /// <param name="keyFactors">Per trained layer, the Cholesky factor of its ffn_down key statistics (<see cref="LoraOptions.KeyWeight"/>); null: no such term.</param>
    public static Consolidated Run(Model model, Context bare, string architecture, IReadOnlyList<StoredFact> facts, LoraOptions options,
        string scratchDirectory, IProgress<string>? progress, byte[]? start = null, IReadOnlyList<EditColumn>? edits = null,
        IReadOnlyDictionary<int, float[]>? keyFactors = null)
    {
        var sequences = Consolidation.Sequences(model, facts.Select(f => f.ToFact()));
        var (prompts, questions) = Namesakes(facts);
        var (strangerPrompts, strangerQuestions) = Strangers(facts);
        var anchors = Consolidation.Anchors(bare, prompts, questions, AnchorTokens)
            .Concat(Consolidation.Anchors(bare, strangerPrompts, strangerQuestions, StrangerTokens))
            .Concat(Consolidation.Anchors(bare, OrdinaryStarts, model.ChatTemplate is null ? [] : OrdinaryQuestions, OrdinaryTokens)).ToList();
        var earlier = start is null ? null : Consolidation.ReadAdapter(start);
        progress?.Report($"consolidate: {facts.Count} facts as {sequences.Count} sequences, {anchors.Count} anchors ({sequences.Concat(anchors).Sum(s => s.Tokens.Length)} tokens); " +
                         $"rank {options.Rank} on {string.Join("/", options.Matrices)} of layers {options.FirstLayer}-{options.EndLayer - 1}" +
                         (earlier is null ? ", a new adapter" : ", on top of the last sleep's adapter"));
        using var backend = Backend.Cpu(model.Options.Threads);
        using var weights = ModelWeights.LoadForBackward(model.Path, backend, options.FirstLayer, head: true, ServedWeights.Of(model));
        var eta = new Eta(options.Steps);
        var steps = new InlineProgress<TrainingStep>(s =>
            progress?.Report($"consolidate: step {s.Step}/{options.Steps}, answer NLL {s.Nll:F3}, anchor KL {s.AnchorKl:F4}" +
                             (keyFactors is null ? "" : $", key term {s.Penalty:F4}") + eta.Next()));
        using var carried = new LowRankSet(backend, weights.Hparams, edits ?? []);
        var result = LoraTrainer.Train(weights, backend, sequences, anchors, options, steps, earlier, carried.Terms, keyFactors);

        string path = Path.Combine(scratchDirectory, $"memory-{Environment.ProcessId}-consolidated-{Guid.NewGuid():N}.gguf");
        byte[] bytes;
        try
        {
            Consolidation.WriteAdapter(path, architecture, result.Factors);
            bytes = File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
        return new Consolidated(bytes, facts.Count, sequences.Count, anchors.Count, result.Training, Norms(result.Factors));
    }

    /// <summary>
    /// Prompts and questions of made-up people who share a surname with a fact's subject: the subject's first
    /// name swapped for another subject's, when that person is not a subject too. At most one per fact.
    /// </summary>
    public static (IReadOnlyList<string> Prompts, IReadOnlyList<string> Questions) Namesakes(IReadOnlyList<StoredFact> facts)
    {
        var subjects = facts.Select(f => f.Subject).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var firstNames = facts.Select(f => f.Subject.Split(' ')).Where(p => p.Length >= 2).Select(p => p[0]).Distinct().ToList();
        var prompts = new List<string>();
        var questions = new List<string>();
        for (int i = 0; i < facts.Count; i++)
        {
            string[] parts = facts[i].Subject.Split(' ');
            if (parts.Length < 2) continue;
            string? other = Enumerable.Range(1, firstNames.Count).Select(k => firstNames[(i + k) % firstNames.Count])
                .Select(first => $"{first} {string.Join(' ', parts[1..])}")
                .FirstOrDefault(name => !subjects.Contains(name) && !name.StartsWith(parts[0] + " ", StringComparison.Ordinal));
            if (other is null) continue;
            prompts.Add(facts[i].Prompt.Replace(facts[i].Subject, other, StringComparison.Ordinal));
            if (facts[i].Question is { } q) questions.Add(q.Replace(facts[i].Subject, other, StringComparison.Ordinal));
        }
        return (prompts, questions);
    }

    /// <summary>
    /// Each fact's prompt and question asked about a stranger: a made-up person whose first and last names no
    /// subject has (the names in turn, so the strangers differ from fact to fact).
    /// </summary>
    public static (IReadOnlyList<string> Prompts, IReadOnlyList<string> Questions) Strangers(IReadOnlyList<StoredFact> facts)
    {
        var taken = facts.SelectMany(f => f.Subject.Split(' ')).ToHashSet(StringComparer.OrdinalIgnoreCase);
        string[] first = [.. StrangerFirst.Where(n => !taken.Contains(n))], last = [.. StrangerLast.Where(n => !taken.Contains(n))];
        var prompts = new List<string>();
        var questions = new List<string>();
        for (int i = 0; i < facts.Count && first.Length > 0 && last.Length > 0; i++)
        {
            string stranger = $"{first[i % first.Length]} {last[(i + i / last.Length) % last.Length]}";
            if (!facts[i].Prompt.Contains(facts[i].Subject, StringComparison.Ordinal)) continue;
            prompts.Add(facts[i].Prompt.Replace(facts[i].Subject, stranger, StringComparison.Ordinal));
            if (facts[i].Question is { } q) questions.Add(q.Replace(facts[i].Subject, stranger, StringComparison.Ordinal));
        }
        return (prompts, questions);
    }

    /// <summary>‖B·A‖_F per layer (summed over its matrices in quadrature), through the r×r Gram matrices.</summary>
    static IReadOnlyList<LayerNorm> Norms(IReadOnlyList<LoraFactors> factors) =>
        [.. factors.GroupBy(f => f.Layer).OrderBy(g => g.Key).Select(g => new LayerNorm(g.Key, Math.Sqrt(g.Sum(SquaredNorm))))];

    static double SquaredNorm(LoraFactors f)
    {
        // A: Rank rows of InputDim; B: OutputDim rows of Rank. ‖BA‖² = Σ_jk (BᵀB)_jk (AAᵀ)_jk.
        int r = f.Rank;
        double sum = 0;
        for (int j = 0; j < r; j++)
            for (int k = 0; k < r; k++)
            {
                double aa = 0, bb = 0;
                for (int i = 0; i < f.InputDim; i++) aa += (double)f.A[j * f.InputDim + i] * f.A[k * f.InputDim + i];
                for (int o = 0; o < f.OutputDim; o++) bb += (double)f.B[o * r + j] * f.B[o * r + k];
                sum += aa * bb;
            }
        return sum;
    }
}
