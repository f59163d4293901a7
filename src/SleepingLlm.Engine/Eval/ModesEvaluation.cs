using SleepingLlm.Inference;
using SleepingLlm.Memory;
using SleepingLlm.Wake;

namespace SleepingLlm.Eval;

/// <summary>What a modes evaluation compares, and on which facts.</summary>
public sealed record ModesEvalOptions
{
    public required string ModelPath { get; init; }
    public ModelOptions? ModelOptions { get; init; }
    /// <summary>The first <see cref="Count"/> are remembered; later ones of other subjects give the locality questions.</summary>
    public required IReadOnlyList<FactRecord> Records { get; init; }
    public required int Count { get; init; }
    public required IReadOnlyList<MemoryMode> Modes { get; init; }
    public int RagCount { get; init; } = MemoryPrompt.DefaultRagCount;
    /// <summary>Measure at 10, 50, 200 and 500 facts (those below <see cref="Count"/>) as well as at the end.</summary>
    public bool Curve { get; init; }
    /// <summary>A memory already written (a folder as <c>chat --memory</c> takes) whose first facts are the records'; null writes one when a mode needs weights.</summary>
    public string? Memory { get; init; }
    /// <summary>For writing a memory: the wake settings, key-statistics corpus and cache.</summary>
    public WakeSettings? Settings { get; init; }
    public Func<Corpus>? Corpus { get; init; }
    public string? CacheDirectory { get; init; }
    public int LocalityQuestions { get; init; } = 20;
    public int TimedQuestions { get; init; } = 20;
}

/// <summary>
/// The memory modes side by side on one model and the same facts: each mode's chat recall, paraphrase
/// recall, locality, prompt tokens added, time to first token, decode speed and bytes on disk. The
/// weights come from one MEMIT memory (written here, or given), cut to its first n facts at each
/// checkpoint; prompt and rag serve the same facts from a store of their text. Engine thread only.
/// </summary>
public static class ModesEvaluation
{
    public static readonly IReadOnlyList<int> CurvePoints = [10, 50, 200, 500];

    public static ModesReport Run(ModesEvalOptions options, Action<string>? log = null)
    {
        if (options.Modes.Count == 0) throw new ArgumentException("no memory modes to compare", nameof(options));
        using var model = Model.Load(options.ModelPath, options.ModelOptions);
        if (model.ChatTemplate is null) throw new SleepingLlmException($"{Path.GetFileName(options.ModelPath)} has no chat template: the modes are chat modes");
        var facts = options.Records.Take(options.Count).ToList();
        if (facts.Count < options.Count || facts.Any(f => f.Question is null))
            throw new SleepingLlmException($"the facts file needs {options.Count} facts, each with a question");
        var others = new LocalityQuestions(Questions(LocalityPrompts.Unrelated(options.Records, options.Count, int.MaxValue), options.LocalityQuestions),
            Questions(LocalityPrompts.Namesakes(options.Records, options.Count, int.MaxValue), options.LocalityQuestions));

        string sha = Models.ModelIdentity.Sha256(options.ModelPath, options.CacheDirectory ?? MemoryService.DefaultCacheDirectory);
        string name = Path.GetFileName(options.ModelPath), architecture = Models.ModelInfo.Read(options.ModelPath).Architecture;
        var checkpoints = options.Curve ? [.. CurvePoints.Where(p => p < facts.Count), facts.Count] : new List<int> { facts.Count };
        bool weights = options.Modes.Any(m => m.UsesWeights());
        if (weights && checkpoints.FirstOrDefault(n => ModesMemory.SplitsASubject(facts, n)) is > 0 and var split)
            log?.Invoke($"note: at {split} facts a subject's facts are split; its weights there are not exactly those of writing {split} facts");

        string work = Directory.CreateTempSubdirectory("sleepingllm-modes-").FullName;
        try
        {
            string? written = null;
            if (weights)
            {
                written = Path.Combine(work, "written");
                if (options.Memory is { } given) ModesMemory.Copy(given, sha, written);
                else Write(model, options, facts, written, log);
                using var store = MemoryStore.Open(written, sha, name);
                ModesMemory.KeepFirst(store, facts);
            }

            var baseline = Baseline(model, facts, others);
            var points = new List<ModePoint>();
            var answers = new List<ModeAnswer>();
            foreach (int n in checkpoints)
            {
                using var text = MemoryStore.Open(Path.Combine(work, $"text-{n}"), sha, name);
                ModesMemory.AddText(text, facts.Take(n));
                using var edited = written is null ? null : OpenCut(written, Path.Combine(work, $"weights-{n}"), sha, name, facts[..n]);
                var disk = new Dictionary<MemoryMode, long>
                {
                    [MemoryMode.Prompt] = ModesMemory.CompactedBytes(text.DatabasePath),
                };
                text.BuildSearchIndex();
                disk[MemoryMode.Rag] = ModesMemory.CompactedBytes(text.DatabasePath);
                if (edited is not null)
                {
                    disk[MemoryMode.Weights] = ModesMemory.CompactedBytes(edited.DatabasePath);
                    edited.BuildSearchIndex();
                    disk[MemoryMode.Hybrid] = ModesMemory.CompactedBytes(edited.DatabasePath);
                }
                foreach (var mode in options.Modes)
                {
                    var store = mode.UsesWeights() ? edited! : text;
                    var (point, modeAnswers) = Measure(model, architecture, store, mode, options, facts[..n], others, baseline, disk[mode]);
                    points.Add(point);
                    if (n == facts.Count) answers.AddRange(modeAnswers);
                    log?.Invoke(Describe(point));
                }
            }
            return new ModesReport
            {
                Model = name,
                Facts = facts.Count,
                Modes = [.. options.Modes.Select(m => m.Name())],
                RagCount = options.RagCount,
                Threads = model.Options.Threads,
                WeightsMemory = weights ? options.Memory ?? "written" : null,
                LocalityQuestions = others.Unrelated.Count,
                NamesakeQuestions = others.Namesakes.Count,
                TimedQuestions = Math.Min(options.TimedQuestions, facts.Count),
                Points = points,
                Answers = answers,
            };
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    public static string Describe(ModePoint p) => p.Problem is { } problem
        ? $"{p.Facts} facts, {p.Mode}: not measured: {problem}"
        : $"{p.Facts} facts, {p.Mode}: chat {p.ChatRecall:F2} paraphrase {p.ParaphraseRecall:F2} locality {p.Locality:F2} (first token {p.LocalityFirstToken:F2}, KL {p.LocalityDivergence:F3}) " +
          $"namesakes {p.NamesakeLocality:F2} (KL {p.NamesakeDivergence:F3}) " +
          $"+{p.PromptTokensAdded:F1} tokens, first token {p.TimeToFirstTokenMs:F0} ms, {p.DecodeTokensPerSecond:F1} tokens/s, {p.DiskBytes} B on disk";

    /// <summary>Other people's questions: of people sharing no name with a remembered subject, and of made-up namesakes of them.</summary>
    sealed record LocalityQuestions(IReadOnlyList<string> Unrelated, IReadOnlyList<string> Namesakes);

    static List<string> Questions(IReadOnlyList<FactRecord> records, int count) =>
        [.. records.Select(r => r.Question).OfType<string>().Take(count)];

    /// <summary>The bare model's next-token distributions after the locality questions, and its prompt tokens for each fact's question.</summary>
    sealed record BareAnswers(IReadOnlyList<float[]> Others, IReadOnlyList<float[]> Namesakes, IReadOnlyDictionary<string, int> PromptTokens);

    static BareAnswers Baseline(Model model, IReadOnlyList<FactRecord> facts, LocalityQuestions others)
    {
        var tokens = facts.Select(f => f.Question!).Distinct().ToDictionary(q => q, q => ChatPrompt(model, null, q).Length);
        using var scorer = new Scorer(model); // the bare questions: a few dozen tokens each
        return new BareAnswers(Locality.NextToken(scorer, [.. others.Unrelated.Select(q => ChatPrompt(model, null, q))], null),
            Locality.NextToken(scorer, [.. others.Namesakes.Select(q => ChatPrompt(model, null, q))], null), tokens);
    }

    /// <summary>A question as the chat sends it, with the mode's system prompt (if any), up to where the reply starts.</summary>
    static int[] ChatPrompt(Model model, string? system, string question) =>
        model.Tokenize(model.ApplyChatTemplate(system is null ? [ChatMessage.User(question)] : [ChatMessage.System(system), ChatMessage.User(question)], addAssistant: true));

    static (ModePoint, IReadOnlyList<ModeAnswer>) Measure(Model model, string architecture, MemoryStore store, MemoryMode mode,
        ModesEvalOptions options, IReadOnlyList<FactRecord> facts, LocalityQuestions others, BareAnswers bare, long disk)
    {
        using var context = new Context(model);
        using var adapter = mode.UsesWeights() ? LoadAdapter(model, architecture, store) : null;
        context.SetAdapter(adapter);
        var probe = new ModeProbe(context, store, mode, options.RagCount);
        try
        {
            var answers = new List<ModeAnswer>();
            var added = new List<double>();
            foreach (var f in facts)
            {
                var reply = probe.Ask(f.Question!, f.Object);
                added.Add(reply.PromptTokens - bare.PromptTokens[f.Question!]);
                var paraphrases = f.Paraphrases ?? [];
                double para = paraphrases.Count == 0 ? 0 : paraphrases.Count(p => Probe.Names(probe.Ask(p, f.Object).Text, f.Object)) / (double)paraphrases.Count;
                answers.Add(new ModeAnswer(mode.Name(), f.Id, f.Object, Probe.Names(reply.Text, f.Object), reply.Text.Trim(), para));
            }
            // Locality through the same measure as wake's: the first token of the reply and the next-token KL, with what this mode adds (adapter, system prompt).
            using var scorer = new Scorer(model, context.Size);
            LocalityScore Score(IReadOnlyList<string> questions, IReadOnlyList<float[]> before) => Locality.Score(Locality.Compare(questions, before,
                Locality.NextToken(scorer, [.. questions.Select(q => ChatPrompt(model, MemoryPrompt.For(store, mode, q, options.RagCount), q))], adapter)));
            var locality = Score(others.Unrelated, bare.Others);
            var namesakes = Score(others.Namesakes, bare.Namesakes);
            var timed = facts.Take(options.TimedQuestions).Select(f => probe.Timed(f.Question!)).ToList();
            return (new ModePoint(mode.Name(), facts.Count, answers.Average(a => a.Chat ? 1.0 : 0), answers.Average(a => a.Paraphrase), locality.Unchanged,
                added.Average(), Median(timed.Select(t => t.TimeToFirstTokenMs)), Median(timed.Select(t => t.DecodeTokensPerSecond)), disk,
                LocalityDivergence: locality.Divergence, LocalityFirstToken: locality.FirstTokenUnchanged, NamesakeLocality: namesakes.Unchanged, NamesakeDivergence: namesakes.Divergence), answers);
        }
        catch (SleepingLlmException e)
        {
            // A system prompt of every fact can outgrow the context: that is a measured outcome, not a failed run.
            return (new ModePoint(mode.Name(), facts.Count, null, null, null, null, null, null, disk, e.Message), []);
        }
    }

    static double? Median(IEnumerable<double?> samples) =>
        samples.OfType<double>().ToList() is { Count: > 0 } values ? Benchmark.Median(values) : null;

    static Native.SafeLlamaAdapterHandle? LoadAdapter(Model model, string architecture, MemoryStore store)
    {
        string path = Path.Combine(store.AdapterDirectory, "modes-eval.gguf");
        if (AdapterBuilder.Build(store, architecture, path) is not { } built) return null;
        try
        {
            return model.LoadAdapter(built);
        }
        finally
        {
            File.Delete(built);
        }
    }

    /// <summary>A copy of the written memory holding only its first facts.</summary>
    static MemoryStore OpenCut(string written, string target, string sha, string name, IReadOnlyList<FactRecord> facts)
    {
        ModesMemory.Copy(written, sha, target);
        var store = MemoryStore.Open(target, sha, name);
        ModesMemory.KeepFirst(store, facts);
        store.DropSearchIndex();
        ModesMemory.DropRetired(store.DatabasePath);
        return store;
    }

    /// <summary>Writes the facts one at a time with MEMIT, as <c>remember</c> does.</summary>
    static void Write(Model model, ModesEvalOptions options, IReadOnlyList<FactRecord> facts, string directory, Action<string>? log)
    {
        using var context = new Context(model);
        using var memory = MemoryService.Open(model, context, directory, options.Corpus, options.Settings, options.CacheDirectory);
        foreach (var f in facts)
        {
            var done = memory.Remember(f.ToFact(), f.Paraphrases);
            log?.Invoke($"{f.Id} {f.Subject} → {f.Object}: written in {done.Elapsed.TotalSeconds:F1} s");
        }
    }
}
