using SleepingLlm.Native;

namespace SleepingLlm.Kernels;

/// <summary>A sequence the loop teaches: its tail, and the token each of the tail's output positions must predict.</summary>
public sealed record TargetTail(SequenceTail Tail, int[] Targets);

/// <summary>
/// A sequence the loop holds in place: its tail, and the frozen model's next-token probabilities at each of
/// the tail's output positions ([vocab × outputs], <see cref="Losses.Softmax"/> of the frozen logits).
/// </summary>
public sealed record AnchorTail(SequenceTail Tail, float[] Reference);

/// <summary>
/// What a caller trains: its tensors, how they enter the packed pass (a δ, low-rank terms), an optional
/// penalty added to the loss and an optional projection after each update (v*'s norm clamp).
/// </summary>
public sealed class Trainable
{
    /// <summary>The trainable tensors (<see cref="ParameterSet.Add"/> with trainable on), as nint.</summary>
    public required nint[] Parameters { get; init; }
    /// <summary>The packed forward with the caller's injections added.</summary>
    public required Func<PackedTails, Forward> Inject { get; init; }
    /// <summary>A scalar term added to the loss, built in the step graph; null for none.</summary>
    public Func<ComputeGraph, nint>? Penalty { get; init; }
    public Action? AfterStep { get; init; }
}

public sealed record TrainingSettings
{
    public required float LearningRate { get; init; }
    public float WeightDecay { get; init; }
    /// <summary>At most this many updates.</summary>
    public required int Steps { get; init; }
    /// <summary>Stop as soon as the targets' mean NLL is at or below this.</summary>
    public double StopLoss { get; init; }
    /// <summary>Weight of the anchors' cross-entropy to their reference (the KL term).</summary>
    public float AnchorWeight { get; init; }
}

/// <summary>One evaluation of the loss: after <see cref="Step"/> updates, the targets' mean NLL, the anchors' mean KL (nats) and the caller's penalty.</summary>
public readonly record struct TrainingStep(int Step, double Nll, double AnchorKl, double Penalty = 0);

/// <summary>Where the loop stopped: the last evaluation.</summary>
public sealed record TrainingResult(double Nll, double AnchorKl, int Steps, double Penalty = 0);

/// <summary>
/// The optimisation loop that wake's v* and sleep's LoRA share: every target and anchor sequence packed
/// into one pass from <c>firstLayer</c> on (<see cref="Packing"/>: cached residuals and attention
/// prefixes keep each step to the layers and tokens that change), the loss NLL(targets) +
/// w · CE(anchors ‖ reference) + penalty, and Adam on the caller's tensors until the step budget or the
/// stop loss. One graph serves every step; parameters change between computes.
/// </summary>
public static unsafe class TrainingLoop
{
    public static TrainingResult Run(ModelWeights weights, Backend backend, int firstLayer, IReadOnlyList<TargetTail> targets,
        IReadOnlyList<AnchorTail> anchors, Trainable trainable, TrainingSettings settings, IProgress<TrainingStep>? progress = null)
    {
        if (targets.Count == 0) throw new ArgumentException("nothing to train on", nameof(targets));
        var hp = weights.Hparams;
        // Targets first, anchors after: the logits rows come out in tail order, so each loss reads a contiguous run.
        var packed = Packing.Pack([.. targets.Select(t => t.Tail), .. anchors.Select(a => a.Tail)], firstLayer, hp);
        int[] labels = [.. targets.SelectMany(t => t.Targets)];
        float[] reference = [.. anchors.SelectMany(a => a.Reference)];
        int anchorRows = reference.Length / hp.VocabSize;

        using var step = new ComputeGraph(backend, maxNodes: 32768);
        var forward = TransformerGraph.Build(step, weights, trainable.Inject(packed));
        var targetLogits = Ggml.ggml_get_rows(step.Ctx, forward.Logits, step.Input([.. Enumerable.Range(0, labels.Length)], "target_rows"));
        var nll = Losses.Nll(step, targetLogits, labels);
        var terms = new List<nint> { (nint)nll };
        GgmlTensor* anchorCe = null;
        if (anchorRows > 0)
        {
            var anchorLogits = Ggml.ggml_get_rows(step.Ctx, forward.Logits, step.Input([.. Enumerable.Range(labels.Length, anchorRows)], "anchor_rows"));
            anchorCe = Losses.CrossEntropy(step, anchorLogits, reference);
            terms.Add((nint)Ggml.ggml_scale(step.Ctx, anchorCe, settings.AnchorWeight));
        }
        GgmlTensor* penaltyTerm = null;
        if (trainable.Penalty is { } penalty) terms.Add((nint)(penaltyTerm = (GgmlTensor*)penalty(step)));
        step.Minimise((GgmlTensor*)Losses.Sum(step, [.. terms]));

        // The cross-entropy exceeds the KL by the reference's entropy, a constant; report the KL.
        double entropy = anchorRows > 0 ? Losses.Entropy(reference, hp.VocabSize) : 0;
        TrainingStep Evaluate(int done)
        {
            step.Compute();
            var s = new TrainingStep(done, Tensors.GetScalar(nll), anchorCe == null ? 0 : Math.Max(0, Tensors.GetScalar(anchorCe) - entropy),
                penaltyTerm == null ? 0 : Tensors.GetScalar(penaltyTerm));
            progress?.Report(s);
            return s;
        }

        var adam = new Adam(settings.LearningRate, weightDecay: settings.WeightDecay);
        var last = Evaluate(0);
        while (last.Step < settings.Steps && last.Nll > settings.StopLoss)
        {
            adam.Step(step, trainable.Parameters);
            trainable.AfterStep?.Invoke();
            last = Evaluate(last.Step + 1);
        }
        return new TrainingResult(last.Nll, last.AnchorKl, last.Step, last.Penalty);
    }
}
