using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Kernels;

/// <summary>Item 4 end to end: a δ optimised with Adam under NLL + KL + norm makes the model say a new token.</summary>
public sealed unsafe class OptimisationTests(ITestOutputHelper output)
{
    [Fact]
    public void Adam_on_a_value_delta_teaches_a_new_continuation_and_keeps_the_KL_prompt()
    {
        using var model = Model.Load(TestModels.Stories260K);
        int[] prompt = model.Tokenize("Once upon a time there was a little girl named");
        int target = model.Tokenize(" Tom", addSpecial: false)[0];
        int[] klPrompt = model.Tokenize("The sun was");
        using var backend = Backend.Cpu();
        using var weights = ModelWeights.Load(TestModels.Stories260K, backend);
        var hp = weights.Hparams;

        float[] LastLogits(int[] tokens)
        {
            using var g = new ComputeGraph(backend);
            var f = TransformerGraph.Build(g, weights, new Forward { Tokens = tokens, OutputPositions = [tokens.Length - 1] });
            g.Compute();
            return Tensors.GetFloats(f.Logits);
        }
        float[] klReference = Losses.Softmax(LastLogits(klPrompt), hp.VocabSize);
        Assert.NotEqual(target, System.Numerics.Tensors.TensorPrimitives.IndexOfMax(LastLogits(prompt)));

        using var parameters = new ParameterSet(backend);
        var delta = parameters.Add("delta", hp.EmbeddingLength);
        parameters.Allocate();
        Tensors.Set<float>(delta, new float[hp.EmbeddingLength]);

        // Two sequences in one graph share δ: the rewrite prompt (δ at its last token) and the KL prompt.
        using var graph = new ComputeGraph(backend);
        var edit = TransformerGraph.Build(graph, weights, new Forward
        {
            Tokens = prompt, OutputPositions = [prompt.Length - 1], Delta = new ValueDelta(2, [prompt.Length - 1], delta),
        });
        var keep = TransformerGraph.Build(graph, weights, new Forward
        {
            Tokens = klPrompt, OutputPositions = [klPrompt.Length - 1], Delta = new ValueDelta(2, [klPrompt.Length - 1], delta),
        });
        var nll = Losses.Nll(graph, edit.Logits, [target]);
        var kl = Losses.CrossEntropy(graph, keep.Logits, klReference);
        var loss = Losses.Sum(graph, (nint)nll, (nint)Ggml(graph, kl, 0.5f), (nint)Losses.SquaredNorm(graph, delta, 1e-3f));
        graph.Minimise(loss);

        var adam = new Adam(learningRate: 0.1f);
        graph.Compute();
        double first = Tensors.GetScalar(nll);
        for (int step = 0; step < 40 && Tensors.GetScalar(nll) > 0.05; step++)
        {
            adam.Step(graph, (nint)delta);
            Adam.ClampNorm(delta, 20f);
            graph.Compute();
        }
        double last = Tensors.GetScalar(nll);
        double klValue = Tensors.GetScalar(kl) - Losses.Entropy(klReference, hp.VocabSize);
        output.WriteLine($"NLL {first:F3} → {last:F3}, KL at the other prompt {klValue:G3}, ‖δ‖ {System.Numerics.Tensors.TensorPrimitives.Norm(Tensors.GetFloats(delta)):F2}");
        Assert.True(last < 0.5, $"NLL only fell to {last}");
        Assert.True(klValue < 0.5, $"KL {klValue}");
    }

    static SleepingLlm.Native.GgmlTensor* Ggml(ComputeGraph graph, SleepingLlm.Native.GgmlTensor* t, float weight) =>
        SleepingLlm.Native.Ggml.ggml_scale(graph.Ctx, t, weight);
}
