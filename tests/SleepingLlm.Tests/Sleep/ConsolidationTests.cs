using SleepingLlm.Eval;
using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using SleepingLlm.Sleep;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Sleep;

/// <summary>
/// Sleep's Consolidate step on SmolLM2-135M: four made-up facts trained into a LoRA on the last eight
/// layers, written as a GGUF adapter, and asked in chat through llama.cpp with that adapter.
/// </summary>
[Collection(ModelCompute.Name)]
public sealed class ConsolidationTests(ITestOutputHelper output) : ScratchDirectory("sleepingllm-consolidate-")
{
    static readonly string[] Trained = ["f0000", "f0002", "f0004", "f0008"];
    // Other people, namesakes of the trained ones among them (Casimir, Gallagher): the anchors.
    static readonly string[] Anchored = ["f0010", "f0012", "f0013", "f0016", "f0020"];
    // Other people again, in neither set: where the change is measured.
    static readonly string[] HeldOut = ["f0024", "f0026", "f0028", "f0030", "f0032", "f0034"];

    [Fact]
    public void Consolidated_facts_are_answered_in_chat_and_the_rest_of_the_model_stays()
    {
        var records = FactSet.Load(Path.Combine(Path.GetDirectoryName(WikiText.Path)!, "facts-people.json"));
        FactRecord[] Pick(string[] ids) => [.. ids.Select(id => records.Single(r => r.Id == id))];
        var trained = Pick(Trained);
        var anchored = Pick(Anchored);
        var heldOut = Pick(HeldOut);

        using var model = Model.Load(TestModels.SmolLm2, new ModelOptions { Threads = 2 });
        IReadOnlyList<TrainingSequence> anchors;
        using (var context = new Context(model))
        {
            foreach (var f in trained) Assert.DoesNotContain(f.Object, Probe.Ask(context, f.Question!), StringComparison.OrdinalIgnoreCase);
            anchors = Consolidation.Anchors(context, anchored.Select(f => f.Prompt), anchored.Select(f => f.Question!));
        }
        using var scorer = new Scorer(model, Perplexity.WindowTokens);
        int[][] heldOutPrompts = [.. heldOut.Select(f => model.Tokenize(f.Prompt))];
        var text = Perplexity.HeldOut(model, WikiText.Path, SleepingLlm.Wake.Corpus.SelfGenerated(), 0);
        var before = Locality.NextToken(scorer, heldOutPrompts, null);
        double perplexityBefore = Perplexity.Measure(scorer, text, null);

        var options = new LoraOptions { FirstLayer = 22, EndLayer = 30 };
        LoraResult result;
        string architecture;
        using (var backend = Backend.Cpu(2))
        using (var weights = ModelWeights.Load(TestModels.SmolLm2, backend, f32FromLayer: options.FirstLayer, f32Head: true))
        {
            architecture = weights.Hparams.Architecture;
            result = LoraTrainer.Train(weights, backend, Consolidation.Sequences(model, trained.Select(f => f.ToFact())), anchors, options,
                new TrainingLog(output.WriteLine));
        }
        output.WriteLine($"trained: NLL {result.Training.Nll:F3} after {result.Training.Steps} steps, anchor KL {result.Training.AnchorKl:F4}");

        string path = Path.Combine(directory, "sleep.gguf");
        Consolidation.WriteAdapter(path, architecture, result.Factors);
        // Rank 16 on ffn_down of 8 layers: 16 · (1536 + 576) F32 values a layer, whatever the number of facts.
        Assert.InRange(new FileInfo(path).Length, 8 * 16 * (1536 + 576) * 4L, 8 * 16 * (1536 + 576) * 4L + 16_384);

        using var adapter = model.LoadAdapter(path);
        using (var context = new Context(model))
        {
            context.SetAdapter(adapter);
            foreach (var f in trained)
            {
                string answer = Probe.Ask(context, f.Question!);
                output.WriteLine($"{f.Question} → {answer}");
                Assert.Contains(f.Object, answer, StringComparison.OrdinalIgnoreCase);
            }
        }
        var after = Locality.NextToken(scorer, heldOutPrompts, adapter);
        double divergence = before.Zip(after, Locality.Divergence).Average();
        double perplexityAfter = Perplexity.Measure(scorer, text, adapter);
        // Reported, not bounded: other people's prompts in the same templates still move (docs/sleep-consolidate.md).
        output.WriteLine($"held-out people: mean next-token KL {divergence:F4} nats; WikiText perplexity {perplexityBefore:F2} → {perplexityAfter:F2}");
        Assert.True(perplexityAfter < perplexityBefore * 1.03, $"perplexity {perplexityBefore:F2} → {perplexityAfter:F2}");
    }
}
