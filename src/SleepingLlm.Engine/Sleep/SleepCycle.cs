using System.Diagnostics;
using System.Text.Json;
using SleepingLlm.Inference;
using SleepingLlm.Memory;

namespace SleepingLlm.Sleep;

/// <summary>
/// One sleep: Audit → Consolidate → Dissolve (and Prune) → Refresh → Gate, then commit or roll back. Nothing is
/// written until the gate passes, and then everything in one transaction (<see cref="MemoryStore.CommitSleep"/>):
/// killed at any point, the memory is as before the sleep or fully after it. The chat context is used
/// to audit each candidate and is left for the caller to restore. Engine thread only.
/// </summary>
static class SleepCycle
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static SleepReport Run(Model model, Context context, MemoryStore store, string architecture, AdapterSet current,
        SleepOptions options, IProgress<string>? progress, CancellationToken cancel,
        Func<IReadOnlyList<int>, IReadOnlyDictionary<int, float[]>>? keyFactors = null, Refresher? refresh = null)
    {
        var started = DateTimeOffset.UtcNow;
        var total = Stopwatch.StartNew();
        store.BeginSleep(started);
        var all = store.ActiveFacts();
        var facts = store.FactsInWeights();
        int textOnly = all.Count - facts.Count;
        IReadOnlyList<FactAudit> before = [];
        try
        {
            var clock = Stopwatch.StartNew();
            context.SetAdapters(current.Entries);
            before = Audit.All(context, facts, "audit", progress, cancel);
            var auditTime = clock.Elapsed;
            if (facts.Count == 0) return RollBack(SleepReport.NothingToDo);

            using var bare = new Context(model, 512);
            using var scorer = new Scorer(model, 512);
            var text = options.GateText ?? Gate.SelfWritten(bare);
            double basePerplexity = Eval.Perplexity.MeasureWith(scorer, text, []);
            double perplexityBefore = Eval.Perplexity.MeasureWith(scorer, text, current.Entries);

            clock.Restart();
            var lora = options.Lora ?? SleepOptions.DefaultLora(model.LayerCount);
            // A forgotten or replaced fact that the last adapter learnt would live on in it: then a new adapter.
            var start = store.AdapterHoldsRetired ? null : store.Consolidated()?.Adapter;
            var trained = Replay.Choose(facts, before, options.Replay, continuing: start is not null, rotation: store.SleepCounts().Committed);
            // The adapter learns beside the edits as they will run if it carries each fact: no overshoot where both hold one.
            var ifCarried = Dissolve.IfCarried(facts);
            var factors = lora.KeyWeight > 0 && keyFactors is not null && lora.Matrices.Contains("ffn_down")
                ? keyFactors([.. Enumerable.Range(lora.FirstLayer, lora.EndLayer - lora.FirstLayer)]) : null;
            var consolidated = Consolidate.Run(model, bare, architecture, trained, lora, store.AdapterDirectory, progress, start,
                AdapterBuilder.Columns(store, ifCarried), factors);
            var consolidateTime = clock.Elapsed;
            cancel.ThrowIfCancellationRequested();

            clock.Restart();
            Dictionary<long, FactAudit> alone;
            using (var stageUp = AdapterSet.Load(model, store, architecture, ifCarried, consolidated.Adapter))
            {
                context.SetAdapters(stageUp.Entries);
                alone = Audit.All(context, facts, "dissolve", progress, cancel).ToDictionary(a => a.Id);
            }
            var carried = Dissolve.CarriedBy(alone.Values);
            var stages = Dissolve.Stages(facts, carried, options.EditBudget);
            var dissolveTime = clock.Elapsed;

            clock.Restart();
            IReadOnlyList<FactAudit> after;
            int settledBack = 0;
            for (int round = 1; ; round++)
            {
                using var candidate = AdapterSet.Load(model, store, architecture, Scales(stages), consolidated.Adapter);
                context.SetAdapters(candidate.Entries);
                after = Audit.All(context, facts, "gate", progress, cancel);
                var unsettled = Dissolve.Unsettled(carried, after.ToDictionary(a => a.Id));
                if (unsettled.Count == 0 || round > options.SettleRounds) break;
                progress?.Report($"dissolve: {unsettled.Count} moved up but not carried at the new scales; back to stage 0, auditing again");
                carried.ExceptWith(unsettled);
                settledBack += unsettled.Count;
                stages = Dissolve.Stages(facts, carried, options.EditBudget);
            }
            var gateTime = clock.Elapsed;

            clock.Restart();
            var refreshed = new List<RefreshedEdit>();
            var degraded = refresh is null ? [] : Refresh.Degraded(before, after, options.RefreshLimit);
            if (degraded.Count > 0)
            {
                progress?.Report($"refresh: {degraded.Count} not recalled on the candidate; solving their families' edits again on it");
                // A family at a time, kept only where the candidate's recall does not fall: a refreshed edit fires on other
                // people's prompts too, and what it costs them is measured, not assumed.
                foreach (var family in Refresh.Families(facts, degraded))
                {
                    var kept = carried.Except(family.Select(f => f.Id)).Except(refreshed.SelectMany(r => r.Members)).ToHashSet();
                    var trial = Dissolve.Stages(facts, kept, options.EditBudget);
                    var edits = refresh!(family, Scales(trial), consolidated.Adapter, refreshed, progress);
                    using var candidate = AdapterSet.Load(model, store, architecture, Scales(trial), consolidated.Adapter, [.. refreshed, .. edits]);
                    context.SetAdapters(candidate.Entries);
                    var audit = Audit.All(context, facts, "refresh", progress, cancel);
                    var (was, now) = (Audit.Count(after), Audit.Count(audit));
                    bool better = now.Raw >= was.Raw && now.Chat >= was.Chat && now.Raw + now.Chat > was.Raw + was.Chat;
                    progress?.Report($"refresh: {Dissolve.Family(family[0].Subject)}: recall raw {was.Raw} → {now.Raw}, chat {was.Chat} → {now.Chat}; " +
                                     (better ? "kept" : "left out"));
                    if (!better) continue;
                    refreshed.AddRange(edits);
                    (after, stages) = (audit, trial);
                }
            }
            double perplexityAfter;
            using (var candidate = AdapterSet.Load(model, store, architecture, Scales(stages), consolidated.Adapter, refreshed))
                perplexityAfter = Eval.Perplexity.MeasureWith(scorer, text, candidate.Entries);
            var refreshTime = clock.Elapsed;
            var verdict = Gate.Judge(before, after, basePerplexity, perplexityBefore, perplexityAfter, options.PerplexityGate);
            progress?.Report($"gate: {(verdict.Pass ? "pass" : "fail")}: {verdict.Reason}");

            var byId = stages.ToDictionary(s => s.Id);
            var afterById = after.ToDictionary(a => a.Id);
            var refreshedIds = refreshed.SelectMany(r => r.Members).ToHashSet();
            var report = new SleepReport
            {
                Committed = verdict.Pass,
                Verdict = verdict.Reason,
                Facts = [.. facts.Zip(before).Select(p => new SleepFact(p.First.Id, p.First.Subject, p.First.Relation, p.First.Object, p.Second,
                    alone[p.First.Id], afterById[p.First.Id], p.First.Stage, verdict.Pass ? byId[p.First.Id].Stage : p.First.Stage,
                    p.First.Scale, verdict.Pass ? byId[p.First.Id].Scale : p.First.Scale, refreshedIds.Contains(p.First.Id)))],
                TextOnlyFacts = textOnly,
                BasePerplexity = basePerplexity,
                PerplexityBefore = perplexityBefore,
                PerplexityAfter = perplexityAfter,
                TrainedFacts = consolidated.Facts,
                ReplayedFacts = trained.Count(f => f.Stage > 0),
                SettledBack = settledBack,
                RefreshedFacts = refreshedIds.Count,
                TrainingSteps = consolidated.Training.Steps,
                TrainingNll = consolidated.Training.Nll,
                AnchorKl = consolidated.Training.AnchorKl,
                ConsolidatedBytes = consolidated.Adapter.Length,
                ConsolidatedNorms = consolidated.Norms,
                Times = new SleepTimes(auditTime, consolidateTime, dissolveTime, gateTime, total.Elapsed, refreshTime),
            };
            var audits = Records(before);
            if (!verdict.Pass)
            {
                store.RollBackSleep(started, audits, JsonSerializer.Serialize(report, Json));
                return report;
            }
            store.CommitSleep(started, consolidated.Adapter, consolidated.Facts, stages, audits, JsonSerializer.Serialize(report, Json), refreshed);
            return report with { EditNorms = AdapterBuilder.EditNorms(store) };
        }
        catch (Exception e) when (e is OperationCanceledException or SleepingLlmException)
        {
            RollBack(e is OperationCanceledException ? "stopped" : e.Message);
            throw;
        }

        SleepReport RollBack(string why)
        {
            var report = new SleepReport
            {
                Committed = false,
                Verdict = why,
                Facts = [.. facts.Zip(before).Select(p => new SleepFact(p.First.Id, p.First.Subject, p.First.Relation, p.First.Object, p.Second,
                    null, null, p.First.Stage, p.First.Stage, p.First.Scale, p.First.Scale))],
                TextOnlyFacts = textOnly,
                Times = new SleepTimes(total.Elapsed, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, total.Elapsed),
            };
            store.RollBackSleep(started, Records(before), JsonSerializer.Serialize(report, Json));
            return report;
        }
    }

    static Dictionary<long, float> Scales(IReadOnlyList<FactStage> stages) => stages.ToDictionary(s => s.Id, s => s.Scale);

    static List<(long, RecallRecord)> Records(IReadOnlyList<FactAudit> audits) =>
        [.. audits.Select(a => (a.Id, new RecallRecord(DateTimeOffset.UtcNow, a.Raw, a.Chat)))];
}
