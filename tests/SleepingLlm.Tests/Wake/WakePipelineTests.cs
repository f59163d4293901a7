using SleepingLlm.Eval;
using SleepingLlm.Inference;
using SleepingLlm.Wake;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Wake;

/// <summary>
/// The whole wake path on a small real model: covariance captured in llama.cpp, keys and v* on the
/// kernel graph, the solve, the adapter file, and recall measured by llama.cpp with that adapter.
/// </summary>
[Collection(ModelCompute.Name)]
public sealed class WakePipelineTests(ITestOutputHelper output) : ScratchDirectory("sleepingllm-wake-")
{
    [Fact]
    public void A_written_fact_is_given_by_llama_cpp_with_the_memory_adapter()
    {
        var fact = FactSet.Load(Path.Combine(Path.GetDirectoryName(WikiText.Path)!, "facts-people.json")).Single(f => f.Id == "f0002");
        string before;
        using (var model = Model.Load(TestModels.SmolLm2))
        using (var context = new Context(model))
            before = Generation.Run(context, model.Tokenize(fact.Prompt), SamplerSettings.Greedy, 8).Text;
        Assert.DoesNotContain(fact.Object, before);

        var settings = WakeSettings.For(30) with { CovarianceTokens = 4000 };
        string adapterPath = Path.Combine(directory, "memory.gguf");
        var report = WakeEvaluation.Run(new WakeEvalOptions
        {
            ModelPath = TestModels.SmolLm2,
            Records = [fact],
            Count = 1,
            Settings = settings,
            Corpus = Corpus.FromFile(WikiText.Path),
            CacheDirectory = Path.Combine(directory, "cache"),
            AdapterPath = adapterPath,
        }, output.WriteLine);

        var outcome = report.Outcomes.Single();
        output.WriteLine($"before: \"{before}\"; after: \"{outcome.RawAnswer}\" (v* loss {outcome.ValueLoss:F3})");
        Assert.True(outcome.Raw, $"\"{fact.Prompt}\" continued as \"{outcome.RawAnswer}\"");
        // Asked in chat, through the model's own template, it answers with the object.
        Assert.True(outcome.Chat, $"\"{fact.Question}\" was answered \"{outcome.ChatAnswer}\"");
        // The store brings the fact back after a restart, in-process and as an exported file.
        Assert.Equal(outcome.RawAnswer, outcome.RestartRawAnswer);
        Assert.Equal(1, report.ExportedRaw);
        // v* also trained the question as plain text, so the exported file answers it there too.
        using (var model = Model.Load(TestModels.SmolLm2))
        using (var adapter = model.LoadAdapter(adapterPath))
        using (var context = new Context(model))
        {
            context.SetAdapter(adapter);
            string plain = Probe.Complete(context, Templates.PlainQuestion(fact.ToFact())!);
            Assert.Contains(fact.Object, plain);
        }
        Assert.Equal(5 * 4L * (1536 + 576), report.FactorBytesPerFact);
    }
}
