using SleepingLlm.Eval;
using SleepingLlm.Inference;
using SleepingLlm.Wake;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Eval;

/// <summary>
/// An eval run with a curve on the tiny model: measures at each checkpoint, and the memory reopened
/// from its store answering as the exported adapter did. The tiny model learns little, so this checks
/// what is measured and when, not how well (WakePipelineTests does that on SmolLM2).
/// </summary>
[Collection(ModelCompute.Name)]
public sealed class WakeEvaluationTests(ITestOutputHelper output) : ScratchDirectory("sleepingllm-eval-test-")
{
    static readonly string[] Names = ["Lily", "Tom", "Ben", "Sue", "Max", "Mia", "Sam", "Anna", "Tim", "Lucy", "Jack", "Amy", "Bob", "Kim", "Zoe", "Dan"];
    static readonly string[] Pets = ["cat", "bird", "fish", "frog"];

    // The tiny model has no chat template: facts without a question, so no chat probe.
    static IReadOnlyList<FactRecord> Records => [.. Names.Select((n, i) =>
        new FactRecord($"s{i:00}", n, "pet", Pets[i % Pets.Length], $"{n} had a pet", null, [$"The pet of {n} was a"]))];

    [Fact]
    public void A_curve_run_measures_at_each_checkpoint_and_the_reopened_memory_answers_alike()
    {
        var report = WakeEvaluation.Run(new WakeEvalOptions
        {
            ModelPath = TestModels.Stories260K,
            // A tiny model: one thread is as fast, and does not contend with tests running beside it.
            ModelOptions = new ModelOptions { Threads = 1 },
            Records = Records,
            Count = 12,
            Settings = WakeSettings.For(5) with { Layers = [1, 2], Lambda = 100, CovarianceTokens = 2000, ValueSteps = 10 },
            Corpus = Corpus.FromFile(WikiText.Path),
            CacheDirectory = Path.Combine(directory, "cache"),
            AdapterPath = Path.Combine(directory, "memory.gguf"),
            WikiText = WikiText.Path,
            CounterFactPrompts = ["The sun was", "Once upon a time, there was a", "The dog ran to the"],
            Curve = true,
        }, output.WriteLine);

        var curve = report.Curve!;
        Assert.Equal([10, 12], curve.Select(p => p.Facts));
        Assert.All(curve, p =>
        {
            Assert.InRange(p.Raw, 0, 1);
            Assert.InRange(p.Locality.Unchanged, 0, 1);
            Assert.InRange(p.ContinuationUnchanged, 0, 1);
            // Ten facts about the same relation move the next token of other subjects' prompts at least a little,
            // and far more than the same adapter shrunk to nothing does.
            Assert.True(p.Locality.Divergence > 0, $"next-token KL {p.Locality.Divergence}");
            Assert.True(p.LocalityFloor.Divergence < p.Locality.Divergence / 100, $"floor KL {p.LocalityFloor.Divergence} against {p.Locality.Divergence}");
            Assert.Equal(1, p.LocalityFloor.Unchanged);
            Assert.InRange(p.Locality.FirstTokenUnchanged, 0, 1);
            Assert.InRange(p.CounterFactLocality!.Unchanged, 0, 1);
            Assert.True(p.Perplexity > 1);
            Assert.Null(p.Chat);
            Assert.Null(p.ChatPerplexity);
            Assert.True(p.DiskBytesPerFact >= report.FactorBytesPerFact, $"{p.DiskBytesPerFact} B/fact on disk, factors alone take {report.FactorBytesPerFact}");
        });
        Assert.Equal(curve[^1].Raw, report.RawRecall);
        Assert.Equal(curve[^1].Locality, report.Locality);
        // The 4 subjects after the 12 written share no name with them; one-word names give no namesakes.
        Assert.Equal(4, report.LocalityPrompts);
        Assert.Equal(report.Locality.Divergence, report.LocalityAnswers.Average(a => a.Divergence), 9);
        Assert.All(report.LocalityAnswers, a => Assert.NotNull(a.FloorDivergence));
        Assert.Equal(0, report.NamesakePrompts);
        Assert.Equal(4, report.ContinuationAnswers.Count);
        Assert.Equal(Perplexity.WindowTokens * Perplexity.Windows - Perplexity.Windows, report.PerplexityTokens);
        Assert.Equal(curve[^1].DiskBytesPerFact, report.DiskBytesPerFact);
        Assert.Equal(12, report.Outcomes.Count);

        // The memory changed the model's answers, and the store rebuilds the same model after a restart.
        string[] before;
        using (var model = Model.Load(TestModels.Stories260K, new ModelOptions { Threads = 1 }))
        using (var bare = new Context(model))
            before = [.. Records.Take(12).Select(r => Probe.Complete(bare, r.Prompt))];
        Assert.Contains(report.Outcomes.Zip(before), p => p.First.RawAnswer != p.Second);
        Assert.All(report.Outcomes, o => Assert.Equal(o.RawAnswer, o.RestartRawAnswer));
        Assert.Equal(report.RawRecall, report.RestartRaw);
        Assert.Equal(report.ParaphraseRecall, report.RestartParaphrase);
        Assert.Equal(report.RawRecall, report.ExportedRaw);
    }

    [Fact]
    public void Locality_divergence_is_the_kl_of_the_bare_models_next_token_to_the_edited_ones()
    {
        float[] even = [MathF.Log(0.5f), MathF.Log(0.5f)], skewed = [MathF.Log(0.9f), MathF.Log(0.1f)];
        Assert.Equal(0, Locality.Divergence(even, even), 9);
        // ½ ln(0.5/0.9) + ½ ln(0.5/0.1)
        Assert.Equal(0.5 * Math.Log(0.5 / 0.9) + 0.5 * Math.Log(5), Locality.Divergence(even, skewed), 5);
        Assert.NotEqual(Locality.Divergence(even, skewed), Locality.Divergence(skewed, even), 3);
    }

    [Fact]
    public void Locality_counts_the_prompts_whose_next_token_stayed_put_and_averages_their_kl()
    {
        float[] a = [MathF.Log(0.7f), MathF.Log(0.2f), MathF.Log(0.1f)], slightly = [MathF.Log(0.69f), MathF.Log(0.21f), MathF.Log(0.1f)],
            moved = [MathF.Log(0.4f), MathF.Log(0.5f), MathF.Log(0.1f)], shifted = [MathF.Log(0.5f), MathF.Log(0.4f), MathF.Log(0.1f)];
        var answers = Locality.Compare(["p1", "p2", "p3", "p4"], [a, a, a, a], [a, slightly, moved, shifted]);
        // Unchanged: the KL is under the threshold; a first token can stay while the distribution moves (p4).
        Assert.Equal([true, true, false, false], answers.Select(x => x.Unchanged));
        Assert.Equal([true, true, false, true], answers.Select(x => x.FirstTokenUnchanged));
        Assert.True(Locality.Divergence(a, slightly) < Locality.UnchangedBelow && Locality.Divergence(a, shifted) > Locality.UnchangedBelow);
        var score = Locality.Score(answers);
        Assert.Equal(0.5, score.Unchanged, 9);
        Assert.Equal(0.75, score.FirstTokenUnchanged, 9);
        Assert.Equal(answers.Average(x => x.Divergence), score.Divergence, 9);
        Assert.Equal(new LocalityScore(1, 1, 0), Locality.Score([]));
    }
}
