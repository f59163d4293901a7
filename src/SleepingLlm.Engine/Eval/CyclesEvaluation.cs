using SleepingLlm.Inference;
using SleepingLlm.Memory;
using SleepingLlm.Sleep;
using SleepingLlm.Wake;

namespace SleepingLlm.Eval;

/// <summary>What a cycles eval writes and measures.</summary>
public sealed record CyclesEvalOptions
{
    public required string ModelPath { get; init; }
    public ModelOptions? ModelOptions { get; init; }
    public required IReadOnlyList<FactRecord> Records { get; init; }
    public required int Cycles { get; init; }
    public required int PerCycle { get; init; }
    public required Corpus Corpus { get; init; }
    public required string CacheDirectory { get; init; }
    public WakeSettings? Settings { get; init; }
    public SleepOptions Sleep { get; init; } = new();
    /// <summary>The wake-only baseline: the same facts, no sleep.</summary>
    public bool NoSleep { get; init; }
    /// <summary>WikiText for perplexity, on a range the covariance never read (<see cref="Perplexity.HeldOut"/>).</summary>
    public string? WikiText { get; init; }
}

/// <summary>After one cycle (its facts written in wake, then a sleep): recall of every fact so far and the memory's state.</summary>
public sealed record CyclePoint(int Cycle, int Facts, double Raw, double Paraphrase, double? Chat, int AtScaleZero, int ActiveEdits,
    long ConsolidatedBytes, double? Perplexity, double SleepSeconds, bool? Committed, string? Verdict);

public sealed record CyclesReport(string Model, int Cycles, int PerCycle, bool Sleep, double? BasePerplexity, IReadOnlyList<CyclePoint> Points);

/// <summary>
/// C cycles of (N facts written one at a time, then a sleep) into a fresh memory; after each, every fact
/// written so far is asked as a user would (<see cref="Probe.Facts"/>: raw, paraphrases, chat) on the model
/// as it runs, both adapters loaded. With <see cref="CyclesEvalOptions.NoSleep"/>, the same writes without
/// sleep: the wake-only baseline. Engine thread only.
/// </summary>
public static class CyclesEvaluation
{
    public static CyclesReport Run(CyclesEvalOptions options, Action<string>? log = null)
    {
        int total = options.Cycles * options.PerCycle;
        var facts = options.Records.Take(total).ToList();
        if (facts.Count < total) throw new SleepingLlmException($"the facts file has {facts.Count} facts; {options.Cycles} cycles of {options.PerCycle} need {total}");
        using var model = Model.Load(options.ModelPath, options.ModelOptions);
        using var context = new Context(model, 1024);
        var settings = options.Settings ?? WakeSettings.For(model.LayerCount);
        var text = options.WikiText is null ? null : Perplexity.HeldOut(model, options.WikiText, options.Corpus, settings.CovarianceTokens, log);
        using var scorer = new Scorer(model, Perplexity.WindowTokens);
        double? basePerplexity = text is null ? null : Perplexity.MeasureWith(scorer, text, []);

        string directory = Directory.CreateTempSubdirectory("sleepingllm-cycles-").FullName;
        var points = new List<CyclePoint>();
        try
        {
            using var memory = MemoryService.Open(model, context, directory, () => options.Corpus, settings, options.CacheDirectory);
            for (int cycle = 1; cycle <= options.Cycles; cycle++)
            {
                int n = 0;
                foreach (var record in facts.Skip((cycle - 1) * options.PerCycle).Take(options.PerCycle))
                {
                    var done = memory.Remember(record.ToFact(), record.Paraphrases);
                    log?.Invoke($"cycle {cycle}: wrote {++n}/{options.PerCycle} \"{record.Prompt} {record.Object}\" in {done.Elapsed.TotalSeconds:F1} s");
                }
                SleepReport? sleep = null;
                if (!options.NoSleep)
                    sleep = memory.Sleep(options.Sleep, log is null ? null : new InlineProgress<string>(line =>
                    {
                        if (!line.Contains('/') || line.StartsWith("gate: pass", StringComparison.Ordinal)) log(line);
                    }));
                var so = facts.Take(cycle * options.PerCycle).ToList();
                var recall = Probe.Facts(context, so);
                var stored = memory.Store.ActiveFacts();
                double? perplexity = null;
                if (text is not null)
                    using (var adapters = AdapterSet.Load(model, memory.Store, memory.Architecture))
                        perplexity = Perplexity.MeasureWith(scorer, text, adapters.Entries);
                var point = new CyclePoint(cycle, so.Count, recall.Raw, recall.Paraphrase, recall.Chat, stored.Count(f => f.Scale == 0),
                    stored.Count(f => f.Scale > 0), memory.Store.Consolidated()?.Adapter.LongLength ?? 0, perplexity,
                    sleep?.Times.Total.TotalSeconds ?? 0, sleep?.Committed, sleep?.Verdict);
                points.Add(point);
                log?.Invoke($"cycle {cycle}: {point.Facts} facts: raw {point.Raw:F2} paraphrase {point.Paraphrase:F2} chat {point.Chat:F2}; " +
                            $"{point.AtScaleZero} at MEMIT scale 0, {point.ActiveEdits} with an edit; PPL {perplexity:F2}" +
                            (sleep is null ? "" : $"; sleep {point.SleepSeconds:F0} s, {(sleep.Committed ? "committed" : "rolled back: " + sleep.Verdict)}"));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
        return new CyclesReport(Path.GetFileName(options.ModelPath), options.Cycles, options.PerCycle, !options.NoSleep, basePerplexity, points);
    }
}
