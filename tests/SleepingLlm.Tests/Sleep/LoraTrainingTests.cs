using System.Numerics.Tensors;
using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using SleepingLlm.Sleep;
using SleepingLlm.Wake;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Sleep;

/// <summary>
/// Sleep's LoRA trainer on the 1 MB F32 model: it teaches a new continuation while the anchor text keeps
/// its distribution, and the adapter it writes is the model llama.cpp then runs.
/// </summary>
[Collection(ModelCompute.Name)]
public sealed unsafe class LoraTrainingTests(ITestOutputHelper output) : ScratchDirectory("sleepingllm-lora-")
{
    const string Prompt = "Once upon a time there was a little girl named";
    static readonly LoraOptions Options = new() { FirstLayer = 2, EndLayer = 5, Rank = 4, Matrices = ["ffn_down", "attn_q", "attn_v"], LearningRate = 3e-3f, Steps = 60, AnchorWeight = 4 };

    [Fact]
    public void Training_teaches_the_answer_and_the_anchor_holds_the_rest_in_place()
    {
        using var tom = new Tom();
        var (model, backend, weights, prompt, answer) = (tom.Model, tom.Backend, tom.Weights, tom.Prompt, tom.Answer);
        var anchor = new TrainingSequence(model.Tokenize("The sun was shining and the birds were singing in the big green tree."), 1);
        Assert.NotEqual(answer[0], TensorPrimitives.IndexOfMax(LastLogits(weights, backend, prompt, [])));
        TrainingSequence[] sequences = [new([.. prompt, .. answer], prompt.Length)];

        // The anchor's KL is measured either way; only with a weight does it pull against the answer.
        var free = LoraTrainer.Train(weights, backend, sequences, [anchor], Options with { AnchorWeight = 0 });
        var log = new TrainingLog(output.WriteLine);
        var held = LoraTrainer.Train(weights, backend, sequences, [anchor], Options, log);

        output.WriteLine($"NLL {log.Steps[0].Nll:F3} → {held.Training.Nll:F3} in {held.Training.Steps} steps, anchor KL {held.Training.AnchorKl:G3}; " +
                         $"without the anchor's weight: NLL {free.Training.Nll:F3} in {free.Training.Steps} steps, anchor KL {free.Training.AnchorKl:G3}");
        Assert.True(held.Training.Nll < 0.1 * log.Steps[0].Nll, $"NLL only fell from {log.Steps[0].Nll:F3} to {held.Training.Nll:F3}");
        Assert.True(held.Training.AnchorKl < 0.5 * free.Training.AnchorKl, $"anchor KL {held.Training.AnchorKl:G3} with its weight, {free.Training.AnchorKl:G3} without");
        using var factors = new LowRankSet(backend, weights.Hparams, [], held.Factors);
        Assert.Equal(answer[0], TensorPrimitives.IndexOfMax(LastLogits(weights, backend, prompt, factors.Terms)));
        Assert.Equal(3 * 3, held.Factors.Count);
    }

    [Fact]
    public void The_written_adapter_gives_llama_cpp_the_trained_model_and_the_kernel_graph_reads_it_back_as_llama_cpp_runs_it()
    {
        using var tom = new Tom();
        var (model, backend, weights, prompt, answer) = (tom.Model, tom.Backend, tom.Weights, tom.Prompt, tom.Answer);
        var result = LoraTrainer.Train(weights, backend, [new TrainingSequence([.. prompt, .. answer], prompt.Length)], [], Options with { Steps = 10 });

        string path = Path.Combine(directory, "sleep.gguf");
        Consolidation.WriteAdapter(path, weights.Hparams.Architecture, result.Factors);
        using var adapter = model.LoadAdapter(path);
        using var scorer = new Scorer(model, 64);
        scorer.UseAdapter(adapter);
        float[] llama = scorer.Logits(prompt).AsSpan((prompt.Length - 1) * model.VocabularySize).ToArray();
        // Read back as a write reads the stored adapter: the kernel graph then runs the model llama.cpp serves.
        using var factors = new LowRankSet(backend, weights.Hparams, [], Consolidation.ReadAdapter(File.ReadAllBytes(path)));
        float[] kernel = LastLogits(weights, backend, prompt, factors.Terms);

        float worst = 0;
        for (int i = 0; i < kernel.Length; i++) worst = Math.Max(worst, Math.Abs(kernel[i] - llama[i]));
        output.WriteLine($"max |Δlogit| kernel vs llama.cpp with the adapter: {worst:G3}");
        Assert.True(worst < 1e-3, $"max |Δlogit| {worst}");
        Assert.Equal(answer[0], TensorPrimitives.IndexOfMax(llama));
    }

    [Fact]
    public void A_later_sleep_continues_from_the_adapter_the_last_one_wrote()
    {
        using var tom = new Tom();
        var (_, backend, weights, prompt, answer) = (tom.Model, tom.Backend, tom.Weights, tom.Prompt, tom.Answer);
        TrainingSequence[] sequences = [new([.. prompt, .. answer], prompt.Length)];
        var first = LoraTrainer.Train(weights, backend, sequences, [], Options with { Steps = 30 });

        // Read back from the GGUF the store keeps, as the next sleep does.
        string path = Path.Combine(directory, "consolidated.gguf");
        Consolidation.WriteAdapter(path, weights.Hparams.Architecture, first.Factors);
        var stored = Consolidation.ReadAdapter(File.ReadAllBytes(path));
        Assert.Equal(first.Factors.Select(f => (f.Layer, f.Matrix, f.Rank)), stored.Select(f => (f.Layer, f.Matrix, f.Rank)));
        Assert.Equal(first.Factors[0].B, stored[0].B);

        var log = new TrainingLog(output.WriteLine);
        LoraTrainer.Train(weights, backend, sequences, [], Options with { Steps = 1 }, log, start: stored);
        var fresh = new TrainingLog(output.WriteLine);
        LoraTrainer.Train(weights, backend, sequences, [], Options with { Steps = 1 }, fresh);
        output.WriteLine($"NLL at step 0: continuing {log.Steps[0].Nll:F4} (the first sleep ended at {first.Training.Nll:F4}), fresh {fresh.Steps[0].Nll:F3}");
        Assert.Equal(first.Training.Nll, log.Steps[0].Nll, 3);
        Assert.True(log.Steps[0].Nll < 0.5 * fresh.Steps[0].Nll);
    }

    [Fact]
    public void The_key_term_is_its_weight_times_the_change_over_the_keys_and_holds_that_change_down()
    {
        using var tom = new Tom();
        var (_, backend, weights, prompt, answer) = (tom.Model, tom.Backend, tom.Weights, tom.Prompt, tom.Answer);
        TrainingSequence[] sequences = [new([.. prompt, .. answer], prompt.Length)];
        var options = Options with { Matrices = ["ffn_down"], Steps = 30 };
        // Random lower-triangular factors stand in for the key statistics' Cholesky factors (column j at [j·n ..]).
        var random = new Random(5);
        int n = (int)weights.Layer(2, "ffn_down")->Ne[0];
        var factors = Enumerable.Range(options.FirstLayer, options.EndLayer - options.FirstLayer).ToDictionary(l => l, _ =>
        {
            var l = new float[n * n];
            for (int j = 0; j < n; j++)
                for (int i = j; i < n; i++) l[j * n + i] = (float)(random.NextDouble() - 0.5);
            return l;
        });

        var free = LoraTrainer.Train(weights, backend, sequences, [], options);
        // No step: the loss is evaluated once on the factors it starts from, the term with it.
        var measured = LoraTrainer.Train(weights, backend, sequences, [], options with { Steps = 0, KeyWeight = 0.5f }, start: free.Factors, keyFactors: factors);
        double byHand = 0.5 * KeyChange(free.Factors, factors);
        output.WriteLine($"key term {measured.Training.Penalty:G6}, by hand {byHand:G6}");
        Assert.True(Math.Abs(measured.Training.Penalty - byHand) <= 1e-4 * byHand, $"key term {measured.Training.Penalty}, by hand {byHand}");

        var held = LoraTrainer.Train(weights, backend, sequences, [], options with { KeyWeight = 1f }, keyFactors: factors);
        double heldChange = KeyChange(held.Factors, factors), freeChange = KeyChange(free.Factors, factors);
        output.WriteLine($"Σ‖B·A·L‖²: {freeChange:G4} without the term, {heldChange:G4} with it; NLL {free.Training.Nll:F3} and {held.Training.Nll:F3}");
        Assert.True(heldChange < 0.5 * freeChange, $"Σ‖B·A·L‖² {heldChange:G4} with the term, {freeChange:G4} without");
    }

    /// <summary>Σ over the terms of ‖B·A·L‖², in double.</summary>
    static double KeyChange(IReadOnlyList<LoraFactors> terms, IReadOnlyDictionary<int, float[]> factors)
    {
        double total = 0;
        foreach (var t in terms)
        {
            int n = t.InputDim, r = t.Rank;
            var l = factors[t.Layer];
            for (int o = 0; o < t.OutputDim; o++)
            {
                var row = new double[n];
                for (int k = 0; k < r; k++)
                    for (int i = 0; i < n; i++) row[i] += (double)t.B[o * r + k] * t.A[k * n + i];
                for (int j = 0; j < n; j++)
                {
                    double v = 0;
                    for (int i = j; i < n; i++) v += row[i] * l[j * n + i];
                    total += v * v;
                }
            }
        }
        return total;
    }

    static float[] LastLogits(ModelWeights weights, Backend backend, int[] tokens, IReadOnlyList<LowRank> terms)
    {
        using var graph = new ComputeGraph(backend);
        var f = TransformerGraph.Build(graph, weights, new Forward { Tokens = tokens, OutputPositions = [tokens.Length - 1], LowRank = terms });
        graph.Compute();
        return Tensors.GetFloats(f.Logits);
    }

    /// <summary>The 1 MB model on the kernel graph, and the prompt whose answer the tests teach (" Tom").</summary>
    sealed class Tom : IDisposable
    {
        public Model Model { get; } = Model.Load(TestModels.Stories260K);
        public Backend Backend { get; } = Backend.Cpu(2);
        public ModelWeights Weights { get; }
        public int[] Prompt { get; }
        public int[] Answer { get; }

        public Tom()
        {
            Weights = ModelWeights.Load(TestModels.Stories260K, Backend);
            Prompt = Model.Tokenize(LoraTrainingTests.Prompt);
            Answer = Model.Tokenize(" Tom", addSpecial: false);
        }

        public void Dispose()
        {
            Weights.Dispose();
            Backend.Dispose();
            Model.Dispose();
        }
    }
}
