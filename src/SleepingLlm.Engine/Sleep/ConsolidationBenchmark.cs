using System.Diagnostics;
using SleepingLlm.Eval;
using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using SleepingLlm.Wake;

namespace SleepingLlm.Sleep;

/// <summary>What one consolidation cost and gave: time, recall through llama.cpp with the adapter, WikiText perplexity.</summary>
public sealed record ConsolidationBenchmarkResult(
    int Facts, int Sequences, int Anchors, int Steps, double MedianStepSeconds, double TrainSeconds, double FinalNll, double AnchorKl,
    long AdapterBytes, Recall Before, Recall After, double HeldOutKl, double PerplexityBefore, double PerplexityAfter)
{
    public double SecondsPerFact => TrainSeconds / Facts;
}

/// <summary>
/// `bench consolidate`: the first facts of a fact file consolidated into a LoRA, the next facts' people
/// as anchors (their prompts and questions, answered by the model itself), then raw, paraphrase and chat
/// recall with the adapter in llama.cpp, the mean next-token KL on the prompts of the facts after those
/// (people in neither set), and perplexity on WikiText windows nothing was trained on.
/// </summary>
public static class ConsolidationBenchmark
{
    public static ConsolidationBenchmarkResult Run(Context context, IReadOnlyList<FactRecord> records, int facts, int anchorFacts, int heldOutFacts,
        LoraOptions options, string wikiText, int threads, string adapterPath, Action<string>? log = null)
    {
        var model = context.Model;
        var trained = records.Take(facts).ToList();
        var anchored = records.Skip(facts).Take(anchorFacts).ToList();
        string[] heldOut = [.. records.Skip(facts + anchorFacts).Take(heldOutFacts).Select(f => f.Prompt)];
        using var scorer = new Scorer(model, Perplexity.WindowTokens);
        int[][] heldOutTokens = [.. heldOut.Select(p => model.Tokenize(p))];
        var heldOutBefore = Locality.NextToken(scorer, heldOutTokens, null);
        var text = Perplexity.HeldOut(model, wikiText, Corpus.SelfGenerated(), 0);
        var before = Probe.Facts(context, trained);
        var anchors = Consolidation.Anchors(context, anchored.Select(f => f.Prompt), anchored.Where(f => f.Question is not null).Select(f => f.Question!));
        var sequences = Consolidation.Sequences(model, trained.Select(f => f.ToFact()));

        var steps = new StepTimes(log);
        var clock = Stopwatch.StartNew();
        LoraResult result;
        string architecture;
        using (var backend = Backend.Cpu(threads))
        using (var weights = ModelWeights.LoadForBackward(model.Path, backend, options.FirstLayer, head: true, ServedWeights.Of(model)))
        {
            architecture = weights.Hparams.Architecture;
            result = LoraTrainer.Train(weights, backend, sequences, anchors, options, steps);
        }
        double seconds = clock.Elapsed.TotalSeconds;

        Consolidation.WriteAdapter(adapterPath, architecture, result.Factors);
        using var adapter = model.LoadAdapter(adapterPath);
        context.SetAdapter(adapter);
        var after = Probe.Facts(context, trained);
        context.SetAdapter(null);
        double heldOutKl = heldOut.Length == 0 ? 0 : heldOutBefore.Zip(Locality.NextToken(scorer, heldOutTokens, adapter), Locality.Divergence).Average();
        return new ConsolidationBenchmarkResult(facts, sequences.Count, anchors.Count, result.Training.Steps, steps.Seconds.Count > 0 ? Benchmark.Median(steps.Seconds) : 0,
            seconds, result.Training.Nll, result.Training.AnchorKl, new FileInfo(adapterPath).Length, before, after, heldOutKl,
            Perplexity.Measure(scorer, text, null), Perplexity.Measure(scorer, text, adapter));
    }

    /// <summary>Seconds between evaluations: one Adam update and one forward+backward each.</summary>
    sealed class StepTimes(Action<string>? log) : IProgress<TrainingStep>
    {
        readonly Stopwatch clock = Stopwatch.StartNew();
        public List<double> Seconds { get; } = [];

        public void Report(TrainingStep value)
        {
            if (value.Step > 0) Seconds.Add(clock.Elapsed.TotalSeconds);
            clock.Restart();
            log?.Invoke($"step {value.Step}: NLL {value.Nll:F3}, anchor KL {value.AnchorKl:F4}");
        }
    }
}
