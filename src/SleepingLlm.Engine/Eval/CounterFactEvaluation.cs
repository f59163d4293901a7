using SleepingLlm.Inference;
using SleepingLlm.Memory;
using SleepingLlm.Native;
using SleepingLlm.Wake;

namespace SleepingLlm.Eval;

/// <summary>What a CounterFact run writes and where.</summary>
public sealed record CounterFactEvalOptions
{
    public required string ModelPath { get; init; }
    public ModelOptions? ModelOptions { get; init; }
    /// <summary>The first <see cref="Count"/> are written, one at a time.</summary>
    public required IReadOnlyList<CounterFactRequest> Requests { get; init; }
    public required int Count { get; init; }
    public WakeSettings? Settings { get; init; }
    public required Corpus Corpus { get; init; }
    public required string CacheDirectory { get; init; }
    /// <summary>Where the memory's adapter is exported for llama.cpp to load (overwritten at each checkpoint).</summary>
    public required string AdapterPath { get; init; }
    /// <summary>Score at <see cref="CounterFactEvaluation.CurvePoints"/> while writing, not only after the last request.</summary>
    public bool Curve { get; init; }
    /// <summary>An empty or new folder for the memory, kept; null: a temporary one.</summary>
    public string? MemoryDirectory { get; init; }
}

/// <summary>
/// CounterFact as the editing papers run it: requests written one after another into one memory
/// (sequential editing, through <see cref="MemoryService.Remember"/> as <c>remember</c> does), then
/// every request written so far scored with the memory's exported adapter on the base model, beside the
/// unedited model's scores of the same requests. Engine thread only.
/// </summary>
public static class CounterFactEvaluation
{
    public static readonly IReadOnlyList<int> CurvePoints = [10, 50, 100, 200, 500];

    public static CounterFactReport Run(CounterFactEvalOptions options, Action<string>? log = null)
    {
        var requests = options.Requests.Take(options.Count).ToList();
        if (requests.Count < options.Count) throw new SleepingLlmException($"the CounterFact file has {requests.Count} requests, fewer than {options.Count}");
        using var model = Model.Load(options.ModelPath, options.ModelOptions);
        using var scorer = new Scorer(model, 128);
        List<(CounterFactProbabilities P, string Answer)> unedited;
        using (var bare = new Context(model))
            unedited = [.. requests.Select(r => Score(scorer, bare, r, null))];

        var checkpoints = options.Curve ? [.. CurvePoints.Where(p => p < requests.Count), requests.Count] : new List<int> { requests.Count };
        var seconds = new List<double>();
        var curve = new List<CounterFactPoint>();
        List<(CounterFactProbabilities P, string Answer)> last = [];
        WakeSettings used;
        if (options.MemoryDirectory is { } given && Directory.Exists(given) && Directory.EnumerateFileSystemEntries(given).Any())
            throw new SleepingLlmException($"{given} is not empty: the eval writes a fresh memory");
        string directory = options.MemoryDirectory ?? Directory.CreateTempSubdirectory("sleepingllm-counterfact-").FullName;
        try
        {
            using var context = new Context(model);
            using var memory = MemoryService.Open(model, context, directory, () => options.Corpus, options.Settings, options.CacheDirectory);
            used = memory.Settings;
            foreach (var request in requests)
            {
                var done = memory.Remember(request.ToFact(), null, seconds.Count == 0 && log is not null ? new InlineProgress<string>(log) : null);
                seconds.Add(done.Elapsed.TotalSeconds);
                log?.Invoke($"case {request.CaseId} {request.Subject}: {request.GroundTruth} → {request.TargetNew}, v* loss {done.ValueLoss:F3}, {done.Elapsed.TotalSeconds:F1} s");
                if (!checkpoints.Contains(seconds.Count)) continue;
                using var adapter = model.LoadAdapter(memory.Export(options.AdapterPath) ?? throw new SleepingLlmException("the memory exported no adapter"));
                using var edited = new Context(model);
                edited.SetAdapter(adapter);
                last = [.. requests.Take(seconds.Count).Select(r => Score(scorer, edited, r, adapter))];
                int since = curve.Count == 0 ? 0 : curve[^1].Edits;
                var point = new CounterFactPoint(seconds.Count, CounterFactScore.Of([.. last.Select(s => s.P)]),
                    CounterFactScore.Of([.. unedited.Take(seconds.Count).Select(s => s.P)]), Benchmark.Median([.. seconds.Skip(since)]));
                curve.Add(point);
                log?.Invoke(Describe(point));
            }
        }
        finally
        {
            if (options.MemoryDirectory is null) Directory.Delete(directory, recursive: true);
        }

        var final = curve[^1];
        return new CounterFactReport
        {
            Model = Path.GetFileName(options.ModelPath),
            Edits = requests.Count,
            Layers = used.Layers,
            Lambda = used.Lambda,
            Edited = final.Edited,
            Unedited = final.Unedited,
            SecondsPerEditMedian = Benchmark.Median(seconds),
            Curve = options.Curve ? curve : null,
            Outcomes = [.. requests.Select((r, i) => new CounterFactOutcome(r.CaseId, r.Prompt, r.TargetNew, r.GroundTruth,
                unedited[i].P, last[i].P, unedited[i].Answer, last[i].Answer, seconds[i]))],
        };
    }

    public static string Describe(CounterFactPoint p) =>
        $"{p.Edits} edits: ES {p.Edited.Efficacy:F2} PS {p.Edited.Paraphrase:F2} NS {p.Edited.Neighbourhood:F2} generation {p.Edited.Generation:F2}" +
        $" (unedited: ES {p.Unedited.Efficacy:F2} PS {p.Unedited.Paraphrase:F2} NS {p.Unedited.Neighbourhood:F2} generation {p.Unedited.Generation:F2})";

    /// <summary>A request's probabilities under the scorer with <paramref name="adapter"/>, and the greedy answer of <paramref name="context"/> (which has the same adapter).</summary>
    static (CounterFactProbabilities, string) Score(Scorer scorer, Context context, CounterFactRequest r, SafeLlamaAdapterHandle? adapter)
    {
        scorer.UseAdapter(adapter);
        string answer = Probe.Complete(context, r.Prompt);
        return (new CounterFactProbabilities(
            Continuation(scorer, r.Prompt, r.TargetNew), Continuation(scorer, r.Prompt, r.GroundTruth),
            Continuation(scorer, r.RephrasePrompt, r.TargetNew), Continuation(scorer, r.RephrasePrompt, r.GroundTruth),
            Continuation(scorer, r.LocalityPrompt, r.TargetNew), Continuation(scorer, r.LocalityPrompt, r.GroundTruth),
            Probe.Names(answer, r.TargetNew)), answer);
    }

    /// <summary>log P(" " + target | prompt): the sum of its tokens' log-probabilities, from where the tokens of prompt + target leave the prompt's.</summary>
    static double Continuation(Scorer scorer, string prompt, string target)
    {
        var model = scorer.Model;
        int[] head = model.Tokenize(prompt), all = model.Tokenize(prompt + " " + target.Trim());
        int from = 0;
        while (from < head.Length && from < all.Length && head[from] == all[from]) from++;
        if (from >= all.Length) throw new SleepingLlmException($"\"{target}\" adds no token after \"{prompt}\"");
        return scorer.LogProbabilities(all, Math.Max(1, from)).Sum();
    }
}
