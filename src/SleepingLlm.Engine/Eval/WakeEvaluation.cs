using SleepingLlm.Inference;
using SleepingLlm.Memory;
using SleepingLlm.Native;
using SleepingLlm.Wake;

namespace SleepingLlm.Eval;

/// <summary>What an eval run writes and what it measures against.</summary>
public sealed record WakeEvalOptions
{
    public required string ModelPath { get; init; }
    public ModelOptions? ModelOptions { get; init; }
    /// <summary>The first <see cref="Count"/> are written; later ones of other subjects are the locality prompts.</summary>
    public required IReadOnlyList<FactRecord> Records { get; init; }
    public required int Count { get; init; }
    public WakeSettings? Settings { get; init; }
    public required Corpus Corpus { get; init; }
    public required string CacheDirectory { get; init; }
    /// <summary>Where the memory's adapter is exported for llama.cpp to load (overwritten at each checkpoint).</summary>
    public required string AdapterPath { get; init; }
    public string? WikiText { get; init; }
    public IReadOnlyList<string> CounterFactPrompts { get; init; } = [];
    /// <summary>Measure at <see cref="Checkpoints"/> while writing, not only after the last fact.</summary>
    public bool Curve { get; init; }
    /// <summary>Write the memory here (an empty or new folder) and keep it, e.g. for `eval --modes` or `chat --memory`.</summary>
    public string? KeepMemory { get; init; }
}

/// <summary>
/// Writes facts one at a time into a fresh memory (MEMIT on the kernel graph) and measures with
/// llama.cpp as a user would meet them: at each checkpoint the memory's adapter is exported and loaded
/// on the base model, then greedy raw completion, paraphrases, the chat answer, other subjects'
/// answers (locality: first token and next-token KL, on unrelated people and on namesakes) and
/// perplexity on held-apart WikiText and self-written chat text are measured for all facts written so far. Last, the
/// memory is closed and reopened from its store and recall measured again. Engine thread only.
/// </summary>
public static class WakeEvaluation
{
    /// <summary>What the memory is measured against: the bare model on the locality prompts and the perplexity texts.</summary>
    sealed record Baseline(LocalityBaseline Others, IReadOnlyList<string> OthersContinued, LocalityBaseline Namesakes, LocalityBaseline? CounterFact,
        PerplexityText? WikiText, double? Perplexity, PerplexityText? ChatText, double? ChatPerplexity);

    public static WakeReport Run(WakeEvalOptions options, Action<string>? log = null)
    {
        using var model = Model.Load(options.ModelPath, options.ModelOptions);
        using var scorer = new Scorer(model, Perplexity.WindowTokens);
        var facts = options.Records.Take(options.Count).ToList();
        var covarianceTokens = (options.Settings ?? WakeSettings.For(Models.ModelInfo.Read(options.ModelPath).LayerCount)).CovarianceTokens;
        Baseline baseline;
        using (var bare = new Context(model))
        {
            var others = LocalityBaseline.Of(model, scorer, [.. LocalityPrompts.Unrelated(options.Records, options.Count).Select(r => r.Prompt)]);
            var wiki = options.WikiText is null ? null : Perplexity.HeldOut(model, options.WikiText, options.Corpus, covarianceTokens, log);
            var chat = model.ChatTemplate is null ? null : Perplexity.Chat(model);
            baseline = new Baseline(others, [.. others.Text.Select(p => Probe.Complete(bare, p))],
                LocalityBaseline.Of(model, scorer, [.. LocalityPrompts.Namesakes(options.Records, options.Count).Select(r => r.Prompt)]),
                options.CounterFactPrompts.Count == 0 ? null : LocalityBaseline.Of(model, scorer, options.CounterFactPrompts),
                wiki, wiki is null ? null : Perplexity.Measure(scorer, wiki, null), chat, chat is null ? null : Perplexity.Measure(scorer, chat, null));
        }
        if (baseline.Namesakes.Text.Count < 20)
            log?.Invoke($"note: only {baseline.Namesakes.Text.Count} namesake prompts could be made from the facts file");

        var checkpoints = Checkpoints.For(facts.Count, options.Curve);
        var written = new List<Remembered>();
        var curve = new List<CurvePoint>();
        Measured? last = null;
        WakeSettings used;
        (Recall Recall, double ExportedRaw) restart;
        // A fresh memory, written one fact at a time through the same path as `remember`.
        if (options.KeepMemory is { } keep && Directory.Exists(keep) && Directory.EnumerateFileSystemEntries(keep).Any())
            throw new SleepingLlmException($"{keep} is not empty: the eval writes a fresh memory");
        string memoryDirectory = options.KeepMemory ?? Directory.CreateTempSubdirectory("sleepingllm-eval-").FullName;
        try
        {
            using (var context = new Context(model))
            using (var memory = MemoryService.Open(model, context, memoryDirectory, () => options.Corpus, options.Settings, options.CacheDirectory))
            {
                used = memory.Settings;
                foreach (var record in facts)
                {
                    // The first write sets the memory up (key statistics, the null space): its steps go to the log.
                    var done = memory.Remember(record.ToFact(), record.Paraphrases, written.Count == 0 && log is not null ? new InlineProgress<string>(log) : null);
                    written.Add(done);
                    log?.Invoke($"{record.Id} {record.Subject} → {record.Object}: v* loss {done.ValueLoss:F3}, " +
                                $"realised {string.Join(" ", done.Realised.Select(r => r.ToString("F2")))}, {done.Elapsed.TotalSeconds:F1} s (v* {done.ValueSteps} steps {done.ValueTime.TotalSeconds:F1} s)");
                    if (!checkpoints.Contains(written.Count)) continue;
                    int since = curve.Count == 0 ? 0 : curve[^1].Facts;
                    last = Measure(model, scorer, memory, facts[..written.Count], baseline, options,
                        [.. written.Skip(since).Select(w => w.Elapsed.TotalSeconds)]);
                    curve.Add(last.Point);
                    log?.Invoke(Describe(last.Point));
                }
            }
            restart = Restart(model, options, used, memoryDirectory, facts);
        }
        finally
        {
            if (options.KeepMemory is null) Directory.Delete(memoryDirectory, recursive: true);
        }

        var final = curve[^1];
        var outcomes = last!.Recall.Answers.Select((a, i) => new FactOutcome(a.Fact.Id, a.Fact.Object, a.Raw, a.Paraphrase, a.Chat,
            a.RawAnswer, a.ChatAnswer, restart.Recall.Answers[i].RawAnswer, written[i].Elapsed.TotalSeconds, written[i].ValueLoss)).ToList();
        var info = Models.ModelInfo.Read(options.ModelPath);
        var seconds = written.Select(w => w.Elapsed.TotalSeconds).Order().ToList();
        return new WakeReport
        {
            Model = Path.GetFileName(options.ModelPath),
            Facts = facts.Count,
            Layers = used.Layers,
            Lambda = used.Lambda,
            RawRecall = final.Raw,
            ParaphraseRecall = final.Paraphrase,
            ChatRecall = final.Chat,
            Locality = final.Locality,
            LocalityFloor = final.LocalityFloor,
            NamesakeLocality = final.NamesakeLocality,
            NamesakeFloor = final.NamesakeFloor,
            LocalityPrompts = baseline.Others.Text.Count,
            NamesakePrompts = baseline.Namesakes.Text.Count,
            ContinuationUnchanged = final.ContinuationUnchanged,
            CounterFactLocality = final.CounterFactLocality,
            PerplexityText = baseline.WikiText?.Description,
            PerplexityTokens = baseline.WikiText?.ScoredTokens,
            PerplexityBefore = baseline.Perplexity,
            PerplexityAfter = final.Perplexity,
            ChatPerplexityBefore = baseline.ChatPerplexity,
            ChatPerplexityAfter = final.ChatPerplexity,
            ChatPerplexityTokens = baseline.ChatText?.ScoredTokens,
            RestartRaw = restart.Recall.Raw,
            RestartParaphrase = restart.Recall.Paraphrase,
            RestartChat = restart.Recall.Chat,
            ExportedRaw = restart.ExportedRaw,
            SecondsPerFactMedian = Benchmark.Median(seconds),
            SecondsPerFactP95 = seconds[(int)Math.Ceiling(0.95 * seconds.Count) - 1],
            FactorBytesPerFact = used.Layers.Count * 4L * ((info.FeedForwardLength ?? 0) + info.EmbeddingLength),
            DiskBytesPerFact = final.DiskBytesPerFact,
            MeanValueLoss = written.Average(w => w.ValueLoss),
            MeanRealised = written.Average(w => w.Realised[^1]),
            Curve = options.Curve ? curve : null,
            Outcomes = outcomes,
            LocalityAnswers = last.Locality,
            NamesakeAnswers = last.Namesakes,
            ContinuationAnswers = last.Continuations,
        };
    }

    public static string Describe(CurvePoint p) =>
        $"{p.Facts} facts: raw {p.Raw:F2} paraphrase {p.Paraphrase:F2}" + (p.Chat is { } chat ? $" chat {chat:F2}" : "") +
        $" locality {p.Locality.Unchanged:F2} (KL {p.Locality.Divergence:F3}; floor {p.LocalityFloor.Unchanged:F2}, KL {p.LocalityFloor.Divergence:F4})" +
        $" namesakes {p.NamesakeLocality.Unchanged:F2} (KL {p.NamesakeLocality.Divergence:F3}) continuations {p.ContinuationUnchanged:F2}" +
        (p.CounterFactLocality is { } cf ? $" CounterFact locality {cf.Unchanged:F2}" : "") +
        (p.Perplexity is { } ppl ? $" perplexity {ppl:F2}" : "") + (p.ChatPerplexity is { } cp ? $" chat-text perplexity {cp:F2}" : "");

    /// <summary>A checkpoint's measures, and the per-prompt detail the report keeps of the last one.</summary>
    sealed record Measured(CurvePoint Point, Recall Recall, IReadOnlyList<LocalityAnswer> Locality, IReadOnlyList<LocalityAnswer> Namesakes,
        IReadOnlyList<ContinuationAnswer> Continuations);

    /// <summary>The measures of the memory as it is now, through its exported adapter on the base model.</summary>
    static Measured Measure(Model model, Scorer scorer, MemoryService memory, IReadOnlyList<FactRecord> facts, Baseline baseline,
        WakeEvalOptions options, IReadOnlyList<double> seconds)
    {
        using var adapter = LoadExport(model, memory, options.AdapterPath);
        using var context = new Context(model);
        context.SetAdapter(adapter);
        var recall = Probe.Facts(context, facts);
        var othersFloor = baseline.Others.With(scorer, adapter, Eval.Locality.FloorScale);
        var namesakesFloor = baseline.Namesakes.With(scorer, adapter, Eval.Locality.FloorScale);
        var locality = baseline.Others.With(scorer, adapter).Zip(othersFloor, (a, f) => a with { FloorDivergence = f.Divergence }).ToList();
        var namesakes = baseline.Namesakes.With(scorer, adapter).Zip(namesakesFloor, (a, f) => a with { FloorDivergence = f.Divergence }).ToList();
        var floor = Eval.Locality.Score(othersFloor);
        var namesakeFloor = Eval.Locality.Score(namesakesFloor);
        var continuations = Probe.Continuations(context, baseline.Others.Text, baseline.OthersContinued);
        var counterFact = baseline.CounterFact is { } cf ? Eval.Locality.Score(cf.With(scorer, adapter)) : null;
        double? perplexity = baseline.WikiText is { } wiki ? Perplexity.Measure(scorer, wiki, adapter) : null;
        double? chatPerplexity = baseline.ChatText is { } chat ? Perplexity.Measure(scorer, chat, adapter) : null;
        long disk = MemoryFootprint.DatabaseBytes(memory.Store.DatabasePath) / facts.Count;
        var point = new CurvePoint(facts.Count, recall.Raw, recall.Paraphrase, recall.Chat, Eval.Locality.Score(locality), floor,
            Eval.Locality.Score(namesakes), namesakeFloor, Probe.Unchanged(continuations), counterFact, perplexity, chatPerplexity,
            Benchmark.Median(seconds), disk);
        return new Measured(point, recall, locality, namesakes, continuations);
    }

    /// <summary>
    /// The memory opened again on its folder, as the next process would: the service rebuilds the
    /// adapter from the store and applies it to its context; then the file it exports, loaded on the
    /// base model by llama.cpp alone.
    /// </summary>
    static (Recall Recall, double ExportedRaw) Restart(Model model, WakeEvalOptions options, WakeSettings settings, string directory,
        IReadOnlyList<FactRecord> facts)
    {
        using var context = new Context(model);
        using var memory = MemoryService.Open(model, context, directory, () => options.Corpus, settings, options.CacheDirectory);
        var recall = Probe.Facts(context, facts);
        using var adapter = LoadExport(model, memory, options.AdapterPath);
        using var exported = new Context(model);
        exported.SetAdapter(adapter);
        double raw = facts.Count(f => Probe.Names(Probe.Complete(exported, f.Prompt), f.Object)) / (double)facts.Count;
        return (recall, raw);
    }

    static SafeLlamaAdapterHandle LoadExport(Model model, MemoryService memory, string path) =>
        model.LoadAdapter(memory.Export(path) ?? throw new SleepingLlmException("the memory exported no adapter: no active facts"));
}
