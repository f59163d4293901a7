using SleepingLlm.Native;

namespace SleepingLlm.Kernels;

/// <summary>
/// The scalar losses MEMIT's value optimisation and sleep's LoRA training minimise. Each is a graph
/// output, so its value stays readable after compute (the allocator reuses other nodes' memory).
/// </summary>
public static unsafe class Losses
{
    /// <summary>Mean negative log-likelihood of <paramref name="targets"/>[i] under logits row i ([vocab × k]).</summary>
    public static GgmlTensor* Nll(ComputeGraph graph, GgmlTensor* logits, int[] targets)
    {
        long vocab = logits->Ne[0];
        if (logits->Ne[1] != targets.Length) throw new ArgumentException($"{targets.Length} targets for {logits->Ne[1]} logit rows");
        var labels = new float[vocab * targets.Length];
        for (int i = 0; i < targets.Length; i++) labels[i * vocab + targets[i]] = 1f;
        return graph.Output(Ggml.ggml_cross_entropy_loss(graph.Ctx, logits, graph.Input(labels, vocab, targets.Length, "nll_labels")));
    }

    /// <summary>
    /// Mean cross-entropy of the logits' distribution against <paramref name="reference"/> probabilities:
    /// KL(reference ‖ edited) plus the reference's entropy, a constant, so the gradient is the KL's.
    /// </summary>
    public static GgmlTensor* CrossEntropy(ComputeGraph graph, GgmlTensor* logits, float[] reference)
    {
        long vocab = logits->Ne[0], rows = logits->Ne[1];
        return graph.Output(Ggml.ggml_cross_entropy_loss(graph.Ctx, logits, graph.Input(reference, vocab, rows, "reference_probs")));
    }

    /// <summary>‖t‖² · weight.</summary>
    public static GgmlTensor* SquaredNorm(ComputeGraph graph, GgmlTensor* t, float weight) =>
        graph.Output(Ggml.ggml_scale(graph.Ctx, Ggml.ggml_sum(graph.Ctx, Ggml.ggml_sqr(graph.Ctx, t)), weight));

    public static GgmlTensor* Sum(ComputeGraph graph, params ReadOnlySpan<nint> terms)
    {
        var total = (GgmlTensor*)terms[0];
        foreach (nint t in terms[1..]) total = Ggml.ggml_add(graph.Ctx, total, (GgmlTensor*)t);
        return total;
    }

    /// <summary>Σ p log p per row, averaged: what <see cref="CrossEntropy"/> exceeds the KL by.</summary>
    public static double Entropy(ReadOnlySpan<float> probabilities, int vocab)
    {
        double total = 0;
        int rows = probabilities.Length / vocab;
        foreach (float p in probabilities)
            if (p > 0) total -= p * Math.Log(p);
        return total / rows;
    }

    /// <summary>Softmax of each logits row: the reference distribution for <see cref="CrossEntropy"/>.</summary>
    public static float[] Softmax(ReadOnlySpan<float> logits, int vocab)
    {
        var probabilities = new float[logits.Length];
        for (int row = 0; row < logits.Length / vocab; row++)
            System.Numerics.Tensors.TensorPrimitives.SoftMax(logits.Slice(row * vocab, vocab), probabilities.AsSpan(row * vocab, vocab));
        return probabilities;
    }
}
