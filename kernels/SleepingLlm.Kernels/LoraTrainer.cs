using SleepingLlm.Native;

namespace SleepingLlm.Kernels;

/// <summary>A sequence to learn: its tokens, and where the answer starts; the loss is on <c>Tokens[AnswerStart..]</c> only.</summary>
public sealed record TrainingSequence(int[] Tokens, int AnswerStart)
{
    public void Validate()
    {
        if (AnswerStart < 1 || AnswerStart >= Tokens.Length)
            throw new ArgumentException($"the answer must start inside the sequence (at {AnswerStart} of {Tokens.Length} tokens)");
    }
}

/// <summary>
/// Where and how sleep's LoRA trains. The adapter's size does not grow with the facts: per layer and
/// matrix, Rank · (n_in + n_out) F32 values (SmolLM2-135M, rank 16 on ffn_down: 16 · (1536 + 576) · 4 B
/// = 135,168 B a layer).
/// </summary>
public sealed record LoraOptions
{
    public int Rank { get; init; } = 16;
    /// <summary>The first layer trained; the layers before it run once, and only their output is kept (load the weights F32 from here, <see cref="ModelWeights.Load"/>).</summary>
    public required int FirstLayer { get; init; }
    /// <summary>One past the last layer trained.</summary>
    public required int EndLayer { get; init; }
    /// <summary>The weights inside each block that get a low-rank term: ffn_down, attn_q, attn_v, ...</summary>
    public IReadOnlyList<string> Matrices { get; init; } = ["ffn_down"];
    public float LearningRate { get; init; } = 2e-3f;
    public int Steps { get; init; } = 60;
    /// <summary>Stop once the answers' mean NLL is this low: further steps only move the rest of the model.</summary>
    public double StopLoss { get; init; } = 0.05;
    /// <summary>Weight of the KL to the frozen model on the anchors.</summary>
    public float AnchorWeight { get; init; } = 1f;
    public int Seed { get; init; }
}

/// <summary>
/// One trained low-rank term, ΔW = B·A on <c>blk.{Layer}.{Matrix}.weight</c>, in GGUF LoRA layout:
/// A has ggml dims [InputDim, Rank], B [Rank, OutputDim]; applied with alpha = rank, so at scale 1.
/// </summary>
public sealed record LoraFactors(int Layer, string Matrix, int InputDim, int OutputDim, int Rank, float[] A, float[] B)
{
    public string Weight => $"blk.{Layer}.{Matrix}.weight";
}

public sealed record LoraResult(IReadOnlyList<LoraFactors> Factors, TrainingResult Training);

/// <summary>
/// Sleep's consolidation: low-rank A, B on chosen weights of a layer range, trained on the kernel graph
/// with the base weights frozen, for cross-entropy on the answers of <c>sequences</c> plus a KL to the
/// frozen model's next-token distribution at every position of <c>anchors</c> (text the model wrote
/// itself, other subjects' prompts), so the rest of the model stays where it was.
/// </summary>
public static unsafe class LoraTrainer
{
    public static LoraResult Train(ModelWeights weights, Backend backend, IReadOnlyList<TrainingSequence> sequences,
        IReadOnlyList<int[]> anchors, LoraOptions options, IProgress<TrainingStep>? progress = null)
    {
        var hp = weights.Hparams;
        if (options.FirstLayer < 0 || options.EndLayer > hp.LayerCount || options.FirstLayer >= options.EndLayer)
            throw new ArgumentException($"layers [{options.FirstLayer}, {options.EndLayer}) outside 0..{hp.LayerCount}");
        foreach (var s in sequences) s.Validate();

        // The answer's tokens are predicted from the position before each; the last token predicts nothing.
        var inputs = sequences.Select(s => s.Tokens[..^1]).Concat(anchors).ToList();
        var residuals = Residuals(weights, backend, inputs, options.FirstLayer);
        var targets = sequences.Select((s, i) => new TargetTail(
            SequenceTail.Whole(inputs[i], [.. Enumerable.Range(s.AnswerStart - 1, s.Tokens.Length - s.AnswerStart)]) with { Residual = residuals?[i] },
            s.Tokens[s.AnswerStart..])).ToList();
        var anchorTails = anchors.Select((a, i) =>
            SequenceTail.Whole(a, [.. Enumerable.Range(0, a.Length)]) with { Residual = residuals?[sequences.Count + i] }).ToList();
        var references = Reference(weights, backend, anchorTails, options.FirstLayer);

        using var parameters = new ParameterSet(backend, 2 * (options.EndLayer - options.FirstLayer) * options.Matrices.Count + 2);
        var terms = new List<LowRank>();
        for (int layer = options.FirstLayer; layer < options.EndLayer; layer++)
            foreach (string matrix in options.Matrices)
            {
                var w = weights.Layer(layer, matrix);
                terms.Add(new LowRank(layer, matrix,
                    parameters.Add($"lora.{layer}.{matrix}.a", w->Ne[0], options.Rank),
                    parameters.Add($"lora.{layer}.{matrix}.b", options.Rank, w->Ne[1])));
            }
        parameters.Allocate();
        // As PEFT starts LoRA: A uniform in ±1/√n_in, B zero, so training starts from the frozen model
        // exactly and the first gradient reaches B through a non-zero A.
        var random = new Random(options.Seed);
        foreach (var t in terms)
        {
            long n = t.A->Ne[0];
            float bound = 1f / MathF.Sqrt(n);
            Tensors.Set<float>(t.A, [.. Enumerable.Range(0, (int)(n * options.Rank)).Select(_ => (float)(random.NextDouble() * 2 - 1) * bound)]);
            Tensors.Set<float>(t.B, new float[Ggml.ggml_nelements(t.B)]);
        }

        var training = TrainingLoop.Run(weights, backend, options.FirstLayer, targets,
            [.. anchorTails.Zip(references, (tail, reference) => new AnchorTail(tail, reference))],
            new Trainable
            {
                Parameters = [.. terms.SelectMany(t => new[] { (nint)t.A, (nint)t.B })],
                Inject = packed => packed.Forward with { LowRank = terms },
            },
            new TrainingSettings
            {
                LearningRate = options.LearningRate, Steps = options.Steps, StopLoss = options.StopLoss, AnchorWeight = options.AnchorWeight,
            },
            progress);

        return new LoraResult([.. terms.Select(t => new LoraFactors(t.Layer, t.Matrix, (int)t.A->Ne[0], (int)t.B->Ne[1], options.Rank,
            Tensors.GetFloats(t.A), Tensors.GetFloats(t.B)))], training);
    }

    /// <summary>
    /// Each sequence's residual stream entering <paramref name="firstLayer"/>, from one packed pass of the frozen
    /// layers before it (null when training starts at layer 0): no term acts there, so it never changes.
    /// </summary>
    static List<float[]>? Residuals(ModelWeights weights, Backend backend, List<int[]> sequences, int firstLayer)
    {
        if (firstLayer == 0) return null;
        var hp = weights.Hparams;
        var packed = Packing.Pack([.. sequences.Select(s => SequenceTail.Whole(s, [.. Enumerable.Range(0, s.Length)]))], 0, hp);
        using var graph = new ComputeGraph(backend);
        var f = TransformerGraph.Build(graph, weights, packed.Forward with
        {
            EndLayer = firstLayer, Logits = false, Read = [(Intermediate.LayerOutput, firstLayer - 1)],
        });
        graph.Compute();
        float[] all = Tensors.GetFloats(f.Intermediate(Intermediate.LayerOutput, firstLayer - 1));
        var result = new List<float[]>(sequences.Count);
        int at = 0;
        foreach (var s in sequences)
        {
            result.Add(all[(at * hp.EmbeddingLength)..((at + s.Length) * hp.EmbeddingLength)]);
            at += s.Length;
        }
        return result;
    }

    /// <summary>The frozen model's next-token probabilities at each anchor's output positions, one array per anchor.</summary>
    static List<float[]> Reference(ModelWeights weights, Backend backend, List<SequenceTail> anchors, int firstLayer)
    {
        if (anchors.Count == 0) return [];
        int vocab = weights.Hparams.VocabSize;
        using var graph = new ComputeGraph(backend);
        var f = TransformerGraph.Build(graph, weights, Packing.Pack(anchors, firstLayer, weights.Hparams).Forward);
        graph.Compute();
        float[] probabilities = Losses.Softmax(Tensors.GetFloats(f.Logits), vocab);
        var result = new List<float[]>(anchors.Count);
        int row = 0;
        foreach (var a in anchors)
        {
            result.Add(probabilities[(row * vocab)..((row + a.OutputPositions.Length) * vocab)]);
            row += a.OutputPositions.Length;
        }
        return result;
    }
}
