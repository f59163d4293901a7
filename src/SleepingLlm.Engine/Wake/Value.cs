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
    static readonly AskedQuestion OrdinaryTurn = AskedQuestion.Parse("Can you tell me [something interesting]?");

    sealed record Sequence(int[] Tokens, int[] DeltaPositions, int[] TargetPositions, int[] Targets);

    /// <summary>A text that the object completes, δ on the subject's last token.</summary>
    static Sequence Completion(Model model, string text, Fact fact)
    {
        var (tokens, start) = Positions.WithObject(model, text, fact.Object);
        return new Sequence(tokens[..^1], Positions.SubjectLastTokens(model, text, fact.Subject),
            [.. Enumerable.Range(start - 1, tokens.Length - start)], tokens[start..]);
    }

    public static ValueResult Optimise(Model model, ModelWeights weights, Backend backend, IReadOnlyList<LowRank> memory,
        IReadOnlyList<Fact> facts, Templates templates, WakeSettings settings)
    {
        var hp = weights.Hparams;
        int layer = settings.CriticalLayer;
        var sequences = new List<Sequence>();
        foreach (var fact in facts.Where(f => f.IsAsked))
        {
            // Each wording asked in the user's turn, δ at its end, the answer starting with the object.
            foreach (var question in fact.Asked!)
            {
                int[] prompt = Templates.AskedTokens(model, question, out int key);
                int[] answer = model.Tokenize(fact.Object.Trim(), addSpecial: false, parseSpecial: false);
                int[] tokens = [.. prompt, .. answer];
                sequences.Add(new Sequence(tokens[..^1], [key], [.. Enumerable.Range(prompt.Length - 1, answer.Length)], answer));
            }
        }
        foreach (var fact in facts.Where(f => !f.IsAsked))
        {
            // The subject's earlier facts, already written once, keep their place with the bare prompt
            // and the chat form; the new fact also gets the self-written prefixes and the plain question.
            foreach (string text in fact == facts[^1] ? templates.Raw(fact) : templates.Raw(fact).Take(1))
                sequences.Add(Completion(model, text, fact));
            // The question as plain text: a second wording of the relation, for paraphrases.
            if (settings.QuestionForm && fact == facts[^1] && Templates.PlainQuestion(fact) is { } plain)
                sequences.Add(Completion(model, plain, fact));
            if (settings.ChatAnswer is not ChatAnswer.Direct && Templates.Chat(model, fact) is { } chat)
            {
                // In chat the answer restates the subject, copying its tokens from the user's turn, where
                // δ sits on the last one: the copy is a target too, or a strong δ garbles the name.
                var (tokens, start) = Positions.WithObject(model, chat, fact.Object);
                var (first, last) = Positions.LastSubjectSpan(model, chat, fact.Subject);
                int[] at = [.. Enumerable.Range(first, last - first), .. Enumerable.Range(start - 1, tokens.Length - start)];
                sequences.Add(new Sequence(tokens[..^1], Positions.SubjectLastTokens(model, chat, fact.Subject), at, [.. at.Select(p => tokens[p + 1])]));
            }
            if (settings.ChatAnswer is not ChatAnswer.Restated && Templates.Question(model, fact) is { } question)
            {
                // A short answer names the object first, without restating the question.
                int[] asked = model.Tokenize(question);
                int[] answer = model.Tokenize(fact.Object.Trim(), addSpecial: false, parseSpecial: false);
                int[] tokens = [.. asked, .. answer];
                sequences.Add(new Sequence(tokens[..^1], Positions.SubjectLastTokens(model, question, fact.Subject),
                    [.. Enumerable.Range(asked.Length - 1, answer.Length)], answer));
            }
        }
        // The KL prompt keeps δ from changing what follows elsewhere: "{subject} is a", or for a fact the user
        // asks for, an ordinary user turn with δ at its end.
        int[] klTokens, klDelta;
        if (facts[0].IsAsked)
        {
            klTokens = Templates.AskedTokens(model, OrdinaryTurn, out int at);
            klDelta = [at];
        }
        else
        {
            string klText = $"{facts[0].Subject} is a";
            klTokens = model.Tokenize(klText);
            klDelta = Positions.SubjectLastTokens(model, klText, facts[0].Subject);
        }

        // Once per sequence, before the loop: the residual after the critical layer (δ does not change
        // it) and, for the tokens before the first δ position, the keys and values of every later layer,
        // so each step runs only the tokens from the subject on (memit.md: where v* spends its time).
        var klSequence = new Sequence(klTokens, klDelta, [klTokens.Length - 1], []);
        var tails = new List<SequenceTail>();
        float[] klReference;
        double hiddenNorm;
        int[] later = [.. Enumerable.Range(layer + 1, hp.LayerCount - layer - 1)];
        using (var graph = new ComputeGraph(backend, maxNodes: 8192 * (2 + sequences.Count)))
        {
            (Intermediate, int)[] read = [(Intermediate.LayerOutput, layer), .. later.SelectMany(l => new[] { (Intermediate.AttentionKey, l), (Intermediate.AttentionValue, l) })];
            var reads = sequences.Append(klSequence).Select(s => TransformerGraph.Build(graph, weights, new Forward
            {
                Tokens = s.Tokens, Logits = false, Read = read, LowRank = memory,
            })).ToList();
            var kl = TransformerGraph.Build(graph, weights, new Forward { Tokens = klTokens, OutputPositions = [klTokens.Length - 1], LowRank = memory });
            graph.Compute();
            foreach (var (s, r) in sequences.Append(klSequence).Zip(reads))
            {
                int past = s.DeltaPositions.Min();
                float[] residual = Tensors.GetFloats(r.Intermediate(Intermediate.LayerOutput, layer));
                tails.Add(new SequenceTail(s.Tokens[past..], residual[(past * hp.EmbeddingLength)..], AttentionPrefix.From(r, later, past, hp),
                    [.. s.DeltaPositions.Select(p => p - past)], [.. s.TargetPositions.Select(p => p - past)]));
            }
            klReference = Losses.Softmax(Tensors.GetFloats(kl.Logits), hp.VocabSize);
            int bare = sequences[0].DeltaPositions[^1];
            float[] first = Tensors.GetFloats(reads[0].Intermediate(Intermediate.LayerOutput, layer));
            hiddenNorm = TensorPrimitives.Norm(first.AsSpan(bare * hp.EmbeddingLength, hp.EmbeddingLength));
        }

        using var parameters = new ParameterSet(backend);
        var delta = parameters.Add("v_delta", hp.EmbeddingLength);
        parameters.Allocate();
        Tensors.Set<float>(delta, new float[hp.EmbeddingLength]);

        // Every sequence and the KL prompt packed into one pass (one graph per step, not one per sequence).
        nint vector = (nint)delta;
        float normWeight = settings.WeightDecay / (float)(hiddenNorm * hiddenNorm);
        var result = TrainingLoop.Run(weights, backend, layer + 1,
            [.. sequences.Zip(tails, (s, tail) => new TargetTail(tail, s.Targets))], [new AnchorTail(tails[^1], klReference)],
            new Trainable
            {
                Parameters = [vector],
                Inject = packed => packed.Forward with { Delta = new ValueDelta(layer, packed.DeltaPositions, (GgmlTensor*)vector), LowRank = memory },
                Penalty = graph => (nint)Losses.SquaredNorm(graph, (GgmlTensor*)vector, normWeight),
                AfterStep = () => Adam.ClampNorm((GgmlTensor*)vector, settings.ClampFactor * (float)hiddenNorm),
            },
            new TrainingSettings
            {
                LearningRate = settings.ValueLearningRate, Steps = settings.ValueSteps, StopLoss = settings.StopLoss, AnchorWeight = settings.KlFactor,
            });
        return new ValueResult(Tensors.GetFloats(delta), result.Nll, result.Steps, hiddenNorm);
    }
}
