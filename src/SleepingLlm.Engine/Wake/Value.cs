using System.Numerics.Tensors;
using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using SleepingLlm.Native;

namespace SleepingLlm.Wake;

/// <summary>The optimised value: δ at the critical layer, and how the optimisation ended.</summary>
public sealed record ValueResult(float[] Delta, double Loss, int Steps, double HiddenNorm);

/// <summary>
/// v*: the vector δ that, added to the residual stream after the critical layer at the subject's
/// last token, makes the model give the object — in raw prompts after varied prefixes and in the
/// chat form — while "{subject} is a" keeps its distribution (KL) and ‖δ‖ stays small.
/// Only the layers after the critical one run in the optimisation loop, from cached residuals.
/// </summary>
public static unsafe class Value
{
    sealed record Sequence(int[] Tokens, int[] DeltaPositions, int[] TargetPositions, int[] Targets);

    public static ValueResult Optimise(Model model, ModelWeights weights, Backend backend, IReadOnlyList<LowRank> memory,
        IReadOnlyList<Fact> facts, Templates templates, WakeSettings settings)
    {
        var hp = weights.Hparams;
        int layer = settings.CriticalLayer;
        var sequences = new List<Sequence>();
        foreach (var fact in facts)
        {
            var texts = templates.Raw(fact).ToList();
            if (Templates.Chat(model, fact) is { } chat) texts.Add(chat);
            foreach (string text in texts)
            {
                var (tokens, start) = Positions.WithObject(model, text, fact.Object);
                sequences.Add(new Sequence(tokens[..^1], Positions.SubjectLastTokens(model, text, fact.Subject),
                    [.. Enumerable.Range(start - 1, tokens.Length - start)], tokens[start..]));
            }
        }
        string klText = $"{facts[0].Subject} is a";
        int[] klTokens = model.Tokenize(klText);
        int[] klDelta = Positions.SubjectLastTokens(model, klText, facts[0].Subject);

        // Residuals after the critical layer (they do not depend on δ), and the KL reference.
        var residuals = new List<float[]>();
        float[] klReference;
        double hiddenNorm;
        using (var graph = new ComputeGraph(backend, maxNodes: 8192 * (2 + sequences.Count)))
        {
            var reads = sequences.Select(s => TransformerGraph.Build(graph, weights, new Forward
            {
                Tokens = s.Tokens, Logits = false, EndLayer = layer + 1, Read = [(Intermediate.LayerOutput, layer)], LowRank = memory,
            })).ToList();
            var klResidual = TransformerGraph.Build(graph, weights, new Forward
            {
                Tokens = klTokens, Logits = false, EndLayer = layer + 1, Read = [(Intermediate.LayerOutput, layer)], LowRank = memory,
            });
            var kl = TransformerGraph.Build(graph, weights, new Forward { Tokens = klTokens, OutputPositions = [klTokens.Length - 1], LowRank = memory });
            graph.Compute();
            residuals.AddRange(reads.Select(r => Tensors.GetFloats(r.Intermediate(Intermediate.LayerOutput, layer))));
            residuals.Add(Tensors.GetFloats(klResidual.Intermediate(Intermediate.LayerOutput, layer)));
            klReference = Losses.Softmax(Tensors.GetFloats(kl.Logits), hp.VocabSize);
            int bare = sequences[0].DeltaPositions[^1];
            hiddenNorm = TensorPrimitives.Norm(residuals[0].AsSpan(bare * hp.EmbeddingLength, hp.EmbeddingLength));
        }

        using var parameters = new ParameterSet(backend);
        var delta = parameters.Add("v_delta", hp.EmbeddingLength);
        parameters.Allocate();
        Tensors.Set<float>(delta, new float[hp.EmbeddingLength]);

        // One graph per sequence (a single graph of a whole subject's sequences can exhaust ggml-alloc's
        // free-block table); each minimises its share of the loss and the gradients are summed here.
        var graphs = new List<(ComputeGraph Graph, nint Nll)>();
        try
        {
            for (int i = 0; i < sequences.Count; i++)
            {
                var s = sequences[i];
                var graph = new ComputeGraph(backend, maxNodes: 32768);
                graphs.Add((graph, 0));
                var f = TransformerGraph.Build(graph, weights, new Forward
                {
                    Tokens = s.Tokens, FirstLayer = layer + 1, Residual = residuals[i], OutputPositions = s.TargetPositions,
                    Delta = new ValueDelta(layer, s.DeltaPositions, delta), LowRank = memory,
                });
                var nll = Losses.Nll(graph, f.Logits, s.Targets);
                var share = Ggml.ggml_scale(graph.Ctx, nll, 1f / sequences.Count);
                if (i == 0)
                {
                    // The KL prompt and the norm penalty ride along with the first sequence.
                    var klForward = TransformerGraph.Build(graph, weights, new Forward
                    {
                        Tokens = klTokens, FirstLayer = layer + 1, Residual = residuals[^1], OutputPositions = [klTokens.Length - 1],
                        Delta = new ValueDelta(layer, klDelta, delta), LowRank = memory,
                    });
                    share = (GgmlTensor*)Losses.Sum(graph,
                        (nint)share,
                        (nint)Ggml.ggml_scale(graph.Ctx, Losses.CrossEntropy(graph, klForward.Logits, klReference), settings.KlFactor),
                        (nint)Losses.SquaredNorm(graph, delta, settings.WeightDecay / (float)(hiddenNorm * hiddenNorm)));
                }
                graph.Minimise(share);
                graphs[i] = (graph, (nint)nll);
            }

            var adam = new Adam(settings.ValueLearningRate);
            int steps = 0;
            double meanNll = ComputeAll(graphs, out float[] gradient, delta);
            while (steps < settings.ValueSteps && meanNll > settings.StopLoss)
            {
                adam.Step(delta, gradient);
                Adam.ClampNorm(delta, settings.ClampFactor * (float)hiddenNorm);
                meanNll = ComputeAll(graphs, out gradient, delta);
                steps++;
            }
            return new ValueResult(Tensors.GetFloats(delta), meanNll, steps, hiddenNorm);
        }
        finally
        {
            foreach (var (graph, _) in graphs) graph.Dispose();
        }
    }

    /// <summary>Forward and backward of every sequence's graph: the mean NLL and the summed gradient of δ.</summary>
    static double ComputeAll(List<(ComputeGraph Graph, nint Nll)> graphs, out float[] gradient, GgmlTensor* delta)
    {
        gradient = new float[Ggml.ggml_nelements(delta)];
        double nll = 0;
        foreach (var (graph, loss) in graphs)
        {
            graph.Compute();
            nll += Tensors.GetScalar((GgmlTensor*)loss);
            System.Numerics.Tensors.TensorPrimitives.Add(gradient, Tensors.GetFloats(graph.Gradient(delta)), gradient);
        }
        return nll / graphs.Count;
    }
}
