using SleepingLlm.Eval;
using SleepingLlm.Inference;
using SleepingLlm.Wake;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Eval;

/// <summary>CounterFact written one request at a time into a memory on SmolLM2, and scored as the papers do, beside the unedited model.</summary>
[Collection(ModelCompute.Name)]
public sealed class CounterFactEvaluationTests(ITestOutputHelper output) : ScratchDirectory("sleepingllm-counterfact-test-")
{
    [Fact]
    public void Two_sequential_edits_are_scored_beside_the_unedited_model()
    {
        var requests = CounterFactSet.Load(Path.Combine(Path.GetDirectoryName(WikiText.Path)!, "counterfact-1k.json"));
        var report = CounterFactEvaluation.Run(new CounterFactEvalOptions
        {
            ModelPath = TestModels.SmolLm2,
            ModelOptions = new ModelOptions { Threads = 1 },
            Requests = requests,
            Count = 2,
            Settings = WakeSettings.For(30) with { CovarianceTokens = 4000 },
            Corpus = Corpus.FromFile(WikiText.Path),
            CacheDirectory = Path.Combine(directory, "cache"),
            AdapterPath = Path.Combine(directory, "memory.gguf"),
            MemoryDirectory = Path.Combine(directory, "memory"),
        }, output.WriteLine);

        Assert.Equal(2, report.Edits);
        Assert.Null(report.Curve);
        foreach (var score in new[] { report.Edited, report.Unedited })
            foreach (double share in new[] { score.Efficacy, score.Paraphrase, score.Neighbourhood, score.Generation })
                Assert.InRange(share, 0, 1);
        Assert.Equal(2, report.Outcomes.Count);
        Assert.All(report.Outcomes, o =>
        {
            // Log-probabilities of real continuations: below 0, and the unedited model's computed, not left empty.
            foreach (var p in new[] { o.Unedited, o.Edited })
                Assert.All(new[] { p.NewOnPrompt, p.TrueOnPrompt, p.NewOnRephrase, p.TrueOnRephrase, p.NewOnNeighbour, p.TrueOnNeighbour },
                    lp => Assert.InRange(lp, -200, -1e-6));
            Assert.NotEqual(o.Unedited.NewOnPrompt, o.Edited.NewOnPrompt);
            Assert.False(string.IsNullOrWhiteSpace(o.UneditedAnswer));
        });
        // The unedited scores are the unedited model's own, request by request.
        Assert.Equal(report.Outcomes.Average(o => o.Unedited.NewOnPrompt > o.Unedited.TrueOnPrompt ? 1.0 : 0), report.Unedited.Efficacy, 9);
        Assert.Equal(CounterFactScore.Of([.. report.Outcomes.Select(o => o.Unedited)]), report.Unedited);
        // The edits raise target_new on their own prompts.
        Assert.All(report.Outcomes, o => Assert.True(o.Edited.NewOnPrompt > o.Unedited.NewOnPrompt, $"case {o.CaseId}: {o.Unedited.NewOnPrompt} → {o.Edited.NewOnPrompt}"));
    }
}
