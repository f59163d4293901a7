using SleepingLlm.Eval;
using SleepingLlm.Inference;
using SleepingLlm.Memory;
using SleepingLlm.Sleep;
using SleepingLlm.Wake;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Sleep;

/// <summary>Sleep end to end on SmolLM2: facts written in wake, then a sleep that commits, or is rolled back whole by its gate.</summary>
[Collection(ModelCompute.Name)]
public sealed class SleepCycleTests(ITestOutputHelper output) : ScratchDirectory("sleepingllm-sleep-")
{
    static readonly WakeSettings Wake = WakeSettings.For(30) with { CovarianceTokens = 4000 };

    MemoryService Open(Model model, Context context) =>
        MemoryService.Open(model, context, Path.Combine(directory, "memory"), () => Corpus.FromFile(WikiText.Path), Wake, Path.Combine(directory, "cache"));

    static IReadOnlyList<FactRecord> Facts(int n) => FactSet.Load(Path.Combine(Path.GetDirectoryName(WikiText.Path)!, "facts-people.json")).Take(n).ToList();

    float[] Logits(Context context, string prompt)
    {
        context.Clear();
        context.Prefill(context.Model.Tokenize(prompt));
        return context.Logits.ToArray();
    }

    [Fact]
    public void A_sleep_that_would_lower_recall_is_rolled_back_and_changes_nothing()
    {
        using var model = Model.Load(TestModels.SmolLm2, new ModelOptions { Threads = 2 });
        using var context = new Context(model, 1024);
        using var memory = Open(model, context);
        var facts = Facts(3);
        foreach (var f in facts) memory.Remember(f.ToFact(), f.Paraphrases);
        var before = memory.Store.ActiveFacts();
        float[] running = Logits(context, facts[0].Prompt);

        // A learning rate far too high wrecks what the adapter would say: the gate must refuse it.
        var lora = SleepOptions.DefaultLora(model.LayerCount) with { LearningRate = 1f, Steps = 4, StopLoss = 0 };
        var lines = new List<string>();
        var report = memory.Sleep(new SleepOptions { Lora = lora }, new InlineProgress<string>(lines.Add));
        foreach (string line in lines) output.WriteLine(line);
        output.WriteLine(report.Verdict);

        Assert.False(report.Committed);
        Assert.Matches("^(raw recall would fall|chat recall would fall|perplexity would)", report.Verdict);
        Assert.Null(memory.Store.Consolidated());
        Assert.Equal(before.Select(f => (f.Id, f.Stage, f.Scale)), memory.Store.ActiveFacts().Select(f => (f.Id, f.Stage, f.Scale)));
        Assert.Equal(running, Logits(context, facts[0].Prompt)); // the chat runs what it ran before
        Assert.Equal((0, 1), memory.Store.SleepCounts());
        Assert.Contains(lines, l => l.StartsWith("consolidate: step", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("gate: fail", StringComparison.Ordinal));
    }
}
