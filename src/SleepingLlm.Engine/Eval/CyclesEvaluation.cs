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

/// <summary>
/// After one cycle (its facts written in wake, then a sleep): recall of every fact so far, locality (<see cref="Eval.Locality"/>)
/// on people the run never writes and on made-up namesakes of those written so far, and the memory's state.
/// </summary>
public sealed record CyclePoint(int Cycle, int Facts, double Raw, double Paraphrase, double? Chat, LocalityScore Locality,
    LocalityScore NamesakeLocality, int AtScaleZero, int ActiveEdits, long ConsolidatedBytes, double? Perplexity, double SleepSeconds,
    int TrainedFacts, bool? Committed, string? Verdict, SleepTimes? SleepTimes = null);

/// <summary>The cycles, and recall of every fact once more after the memory was closed and opened again from its store.</summary>
public sealed record CyclesReport(string Model, int Cycles, int PerCycle, bool Sleep, double? BasePerplexity, IReadOnlyList<CyclePoint> Points,
    Recall? Reopened)
{
    /// <summary>Median seconds of the sleeps that ran; null without sleep.</summary>
    public double? MedianSleepSeconds => Sleep && Points.Count > 0
        ? Points.Select(p => p.SleepSeconds).Order().ElementAt(Points.Count / 2) : null;
}

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

        var unrelated = LocalityBaseline.Of(model, scorer, [.. LocalityPrompts.Unrelated(options.Records, total).Select(r => r.Prompt)]);

        string directory = Directory.CreateTempSubdirectory("sleepingllm-cycles-").FullName;
        var points = new List<CyclePoint>();
        Recall reopened;
        try
        {
            using (var memory = MemoryService.Open(model, context, directory, () => options.Corpus, settings, options.CacheDirectory))
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
                var namesakes = LocalityBaseline.Of(model, scorer, [.. LocalityPrompts.Namesakes(options.Records, so.Count).Select(r => r.Prompt)]);
                double? perplexity = null;
                LocalityScore locality, namesakeLocality;
                using (var adapters = AdapterSet.Load(model, memory.Store, memory.Architecture))
                {
                    locality = Locality.Score(unrelated.With(scorer, adapters.Entries));
                    namesakeLocality = Locality.Score(namesakes.With(scorer, adapters.Entries));
                    if (text is not null) perplexity = Perplexity.MeasureWith(scorer, text, adapters.Entries);
                }
                var point = new CyclePoint(cycle, so.Count, recall.Raw, recall.Paraphrase, recall.Chat, locality, namesakeLocality,
                    stored.Count(f => f.Scale == 0), stored.Count(f => f.Scale > 0), memory.Store.Consolidated()?.Adapter.LongLength ?? 0, perplexity,
                    sleep?.Times.Total.TotalSeconds ?? 0, sleep?.TrainedFacts ?? 0, sleep?.Committed, sleep?.Verdict, sleep?.Times);
                points.Add(point);
                log?.Invoke($"cycle {cycle}: {point.Facts} facts: raw {point.Raw:F2} paraphrase {point.Paraphrase:F2} chat {point.Chat:F2}; " +
                            $"locality {locality.Unchanged:F2} (KL {locality.Divergence:F3}), namesakes {namesakeLocality.Unchanged:F2} (KL {namesakeLocality.Divergence:F3}); " +
                            $"{point.AtScaleZero} at MEMIT scale 0, {point.ActiveEdits} with an edit; PPL {perplexity:F2}" +
                            (sleep is null ? "" : $"; sleep {point.SleepSeconds:F0} s (audit {sleep.Times.Audit.TotalSeconds:F0}, consolidate " +
                                                  $"{sleep.Times.Consolidate.TotalSeconds:F0} in {sleep.TrainingSteps} steps, dissolve {sleep.Times.Dissolve.TotalSeconds:F0}, " +
                                                  $"gate {sleep.Times.Gate.TotalSeconds:F0}) on {sleep.TrainedFacts} facts ({sleep.ReplayedFacts} replayed), " +
                                                  (sleep.Committed ? "committed" : "rolled back: " + sleep.Verdict)));
            }
            // What a restart gives: a new context, the memory read back from its store, both adapters loaded by llama.cpp.
            using var fresh = new Context(model, 1024);
            using (MemoryService.Open(model, fresh, directory, () => options.Corpus, settings, options.CacheDirectory))
                reopened = Probe.Facts(fresh, facts);
            log?.Invoke($"reopened: {facts.Count} facts: raw {reopened.Raw:F2} paraphrase {reopened.Paraphrase:F2} chat {reopened.Chat:F2}");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
        return new CyclesReport(Path.GetFileName(options.ModelPath), options.Cycles, options.PerCycle, !options.NoSleep, basePerplexity, points, reopened);
    }
}
