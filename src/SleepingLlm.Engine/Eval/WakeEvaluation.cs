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
/// answers (locality) and WikiText perplexity are measured for all facts written so far. Last, the
/// memory is closed and reopened from its store and recall measured again. Engine thread only.
/// </summary>
public static class WakeEvaluation
{
    /// <summary>The bare model's answers that locality compares against.</summary>
    sealed record Baseline(IReadOnlyList<string> Others, IReadOnlyList<string> OthersBefore, IReadOnlyList<float[]> OthersNext,
        IReadOnlyList<string> CounterFact, IReadOnlyList<string> CounterFactBefore, double? Perplexity);

    public static WakeReport Run(WakeEvalOptions options, Action<string>? log = null)
    {
        using var model = Model.Load(options.ModelPath, options.ModelOptions);
        var facts = options.Records.Take(options.Count).ToList();
        var others = options.Records.Skip(options.Count).Where(r => facts.All(f => f.Subject != r.Subject)).Take(20).Select(r => r.Prompt).ToList();
        Baseline baseline;
        using (var bare = new Context(model))
            baseline = new Baseline(others, [.. others.Select(p => Probe.Complete(bare, p))], Probe.NextToken(model, null, others),
                options.CounterFactPrompts, [.. options.CounterFactPrompts.Select(p => Probe.Complete(bare, p))],
                options.WikiText is null ? null : Probe.Perplexity(model, null, options.WikiText));

        var checkpoints = Checkpoints.For(facts.Count, options.Curve);
        var written = new List<Remembered>();
        var curve = new List<CurvePoint>();
        Recall? last = null;
        IReadOnlyList<LocalityAnswer> lastLocality = [];
        WakeSettings used;
        (Recall Recall, double ExportedRaw, double LocalityFloor) restart;
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
                    (var point, last, lastLocality) = Measure(model, memory, facts[..written.Count], baseline, options,
                        [.. written.Skip(since).Select(w => w.Elapsed.TotalSeconds)]);
                    curve.Add(point);
                    log?.Invoke($"{point.Facts} facts: raw {point.Raw:F2} paraphrase {point.Paraphrase:F2}" + (point.Chat is { } chat ? $" chat {chat:F2}" : "") + $" locality {point.Locality:F2} (KL {point.LocalityDivergence:F3})" +
                                (point.CounterFactLocality is { } cf ? $" CounterFact locality {cf:F2}" : "") +
                                (point.Perplexity is { } ppl ? $" perplexity {ppl:F2}" : ""));
                }
            }
            restart = Restart(model, options, used, memoryDirectory, facts, baseline);
        }
        finally
        {
            if (options.KeepMemory is null) Directory.Delete(memoryDirectory, recursive: true);
        }

        var final = curve[^1];
        var outcomes = last!.Answers.Select((a, i) => new FactOutcome(a.Fact.Id, a.Fact.Object, a.Raw, a.Paraphrase, a.Chat,
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
            LocalityDivergence = final.LocalityDivergence,
            CounterFactLocality = final.CounterFactLocality,
            PerplexityBefore = baseline.Perplexity,
            PerplexityAfter = final.Perplexity,
            RestartRaw = restart.Recall.Raw,
            RestartParaphrase = restart.Recall.Paraphrase,
            RestartChat = restart.Recall.Chat,
            ExportedRaw = restart.ExportedRaw,
            LocalityFloor = restart.LocalityFloor,
            SecondsPerFactMedian = Benchmark.Median(seconds),
            SecondsPerFactP95 = seconds[(int)Math.Ceiling(0.95 * seconds.Count) - 1],
            FactorBytesPerFact = used.Layers.Count * 4L * ((info.FeedForwardLength ?? 0) + info.EmbeddingLength),
            DiskBytesPerFact = final.DiskBytesPerFact,
            MeanValueLoss = written.Average(w => w.ValueLoss),
            MeanRealised = written.Average(w => w.Realised[^1]),
            Curve = options.Curve ? curve : null,
            Outcomes = outcomes,
            LocalityAnswers = lastLocality,
        };
    }

    /// <summary>The measures of the memory as it is now, through its exported adapter on the base model.</summary>
    static (CurvePoint Point, Recall Recall, IReadOnlyList<LocalityAnswer> Locality) Measure(Model model, MemoryService memory, IReadOnlyList<FactRecord> facts, Baseline baseline,
        WakeEvalOptions options, IReadOnlyList<double> seconds)
    {
        using var adapter = LoadExport(model, memory, options.AdapterPath);
        using var context = new Context(model);
        context.SetAdapter(adapter);
        var recall = Probe.Facts(context, facts);
        var next = Probe.NextToken(model, adapter, baseline.Others);
        var locality = Probe.Locality(context, baseline.Others, baseline.OthersBefore)
            .Select((a, i) => a with { Divergence = Probe.Divergence(baseline.OthersNext[i], next[i]) }).ToList();
        double? counterFact = baseline.CounterFact.Count == 0 ? null : Probe.Unchanged(Probe.Locality(context, baseline.CounterFact, baseline.CounterFactBefore));
        double? perplexity = options.WikiText is null ? null : Probe.Perplexity(model, adapter, options.WikiText);
        double divergence = locality.Count == 0 ? 0 : locality.Average(a => a.Divergence!.Value);
        long disk = MemoryFootprint.DatabaseBytes(memory.Store.DatabasePath) / facts.Count;
        return (new CurvePoint(facts.Count, recall.Raw, recall.Paraphrase, recall.Chat, Probe.Unchanged(locality), counterFact, perplexity,
            Benchmark.Median(seconds), disk, divergence), recall, locality);
    }

    /// <summary>
    /// The memory opened again on its folder, as the next process would: the service rebuilds the
    /// adapter from the store and applies it to its context; then the file it exports, loaded on the
    /// base model by llama.cpp alone.
    /// </summary>
    static (Recall Recall, double ExportedRaw, double LocalityFloor) Restart(Model model, WakeEvalOptions options, WakeSettings settings, string directory,
        IReadOnlyList<FactRecord> facts, Baseline baseline)
    {
        using var context = new Context(model);
        using var memory = MemoryService.Open(model, context, directory, () => options.Corpus, settings, options.CacheDirectory);
        var recall = Probe.Facts(context, facts);
        using var adapter = LoadExport(model, memory, options.AdapterPath);
        using var exported = new Context(model);
        exported.SetAdapter(adapter);
        double raw = facts.Count(f => Probe.Names(Probe.Complete(exported, f.Prompt), f.Object)) / (double)facts.Count;
        exported.SetAdapter(adapter, FloorScale);
        double floor = Probe.Unchanged(Probe.Locality(exported, baseline.Others, baseline.OthersBefore));
        return (recall, raw, floor);
    }

    /// <summary>The adapter's scale for <see cref="WakeReport.LocalityFloor"/>: the edit shrunk to nothing, llama.cpp's adapter path still run.</summary>
    const float FloorScale = 1e-6f;

    static SafeLlamaAdapterHandle LoadExport(Model model, MemoryService memory, string path) =>
        model.LoadAdapter(memory.Export(path) ?? throw new SleepingLlmException("the memory exported no adapter: no active facts"));
}
