using SleepingLlm.Native;

namespace SleepingLlm.Kernels;

/// <summary>
/// A sequence to learn or to hold: its tokens, and where the answer starts. A trained sequence's loss is the
/// NLL of <c>Tokens[AnswerStart..]</c>; an anchor's is the KL of the distributions that predict them.
/// </summary>
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
    /// <summary>The first layer trained; the layers before it run once, and only their output is kept (load the weights F32 from here, with the head, <see cref="ModelWeights.Load"/>).</summary>
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
    /// <summary>
    /// Weight of the key-statistics term on each ffn_down term: ‖B·A·L‖² with L·Lᵀ the covariance of that layer's
    /// ffn_down inputs on ordinary text, i.e. the mean squared change the term makes to the layer's output over
    /// that text (MEMIT's preserved-key term, for every token the statistics saw rather than a few anchors).
    /// 0, or no statistics given: off.
    /// </summary>
    public float KeyWeight { get; init; }
    /// <summary>
    /// Sequences are packed into attention blocks of about this many tokens (<see cref="SequenceTail.StartsBlock"/>):
    /// attention over one pack of every sequence costs (all tokens)², in blocks Σ block²; each block repeats its shared stem.
    /// </summary>
    public int BlockTokens { get; init; } = 384;
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
/// frozen model's next-token distributions over the answers of <c>anchors</c> (what the model itself
/// answered to other subjects' prompts and questions), so the rest of the model stays where it was.
/// </summary>
public static unsafe class LoraTrainer
{
    /// <param name="carried">Fixed low-rank terms the model runs with while the facts train (none by default); the anchors' references are without them.</param>
    /// <param name="keyFactors">Per layer, L with L·Lᵀ the covariance of its ffn_down inputs (n_ff × n_ff, column j at [j·n_ff ..]),
    /// for <see cref="LoraOptions.KeyWeight"/>; null: no such term.</param>
    /// <param name="start">Factors to continue from (an earlier sleep's adapter), matched by layer and matrix; a term
    /// without one, or of another shape, starts as PEFT starts LoRA. Null: every term starts fresh.</param>
    public static LoraResult Train(ModelWeights weights, Backend backend, IReadOnlyList<TrainingSequence> sequences,
        IReadOnlyList<TrainingSequence> anchors, LoraOptions options, IProgress<TrainingStep>? progress = null,
        IReadOnlyList<LoraFactors>? start = null, IReadOnlyList<LowRank>? carried = null, IReadOnlyDictionary<int, float[]>? keyFactors = null)
    {
        var hp = weights.Hparams;
        if (options.FirstLayer < 0 || options.EndLayer > hp.LayerCount || options.FirstLayer >= options.EndLayer)
            throw new ArgumentException($"layers [{options.FirstLayer}, {options.EndLayer}) outside 0..{hp.LayerCount}");
        var all = sequences.Concat(anchors).ToList();
        foreach (var s in all) s.Validate();

        carried ??= [];
        var tails = Tails(all, options.BlockTokens);
        // The anchors hold the bare model's distributions; the facts are trained on the model as it will run,
        // with the carried terms (the memory's MEMIT edits at the scales they take after this sleep).
        var bare = Residuals(weights, backend, tails, options.FirstLayer, []);
        var references = References(weights, backend, WithResiduals(tails, bare), sequences.Count, options.FirstLayer);
        tails = WithResiduals(tails, carried.Count == 0 ? bare : Residuals(weights, backend, tails, options.FirstLayer, carried));
        var targets = sequences.Select((s, i) => new TargetTail(tails[i], s.Tokens[s.AnswerStart..])).ToList();

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
        // exactly and the first gradient reaches B through a non-zero A. A term with earlier factors of its
        // shape continues from them instead: a sleep builds on what the last one consolidated.
        var random = new Random(options.Seed);
        foreach (var t in terms)
        {
            long n = t.A->Ne[0], outputs = t.B->Ne[1];
            float bound = 1f / MathF.Sqrt(n);
            float[] a = [.. Enumerable.Range(0, (int)(n * options.Rank)).Select(_ => (float)(random.NextDouble() * 2 - 1) * bound)];
            var earlier = start?.FirstOrDefault(f => f.Layer == t.Layer && f.Matrix == t.Matrix && f.Rank == options.Rank
                                                     && f.InputDim == n && f.OutputDim == outputs);
            Tensors.Set<float>(t.A, earlier?.A ?? a);
            Tensors.Set<float>(t.B, earlier?.B ?? new float[Ggml.ggml_nelements(t.B)]);
        }

        var training = TrainingLoop.Run(weights, backend, options.FirstLayer, targets,
            [.. tails[sequences.Count..].Zip(references, (tail, reference) => new AnchorTail(tail, reference))],
            new Trainable
            {
                Parameters = [.. terms.SelectMany(t => new[] { (nint)t.A, (nint)t.B })],
                Inject = packed => packed.Forward with { LowRank = [.. terms, .. carried.Where(t => t.Layer >= options.FirstLayer)] },
                Penalty = options.KeyWeight > 0 && keyFactors is not null ? graph => (nint)KeyTerm(graph, terms, keyFactors, options.KeyWeight) : null,
            },
            new TrainingSettings
            {
                LearningRate = options.LearningRate, Steps = options.Steps, StopLoss = options.StopLoss, AnchorWeight = options.AnchorWeight,
            },
            progress);

        return new LoraResult([.. terms.Select(t => new LoraFactors(t.Layer, t.Matrix, (int)t.A->Ne[0], (int)t.B->Ne[1], options.Rank,
            Tensors.GetFloats(t.A), Tensors.GetFloats(t.B)))], training);
    }

    /// <summary>weight · Σ ‖B·A·L‖² over the ffn_down terms with statistics: the mean ‖ΔW·k‖² over the keys L·Lᵀ summarises.</summary>
    static GgmlTensor* KeyTerm(ComputeGraph graph, List<LowRank> terms, IReadOnlyDictionary<int, float[]> keyFactors, float weight)
    {
        var parts = new List<nint>();
        foreach (var t in terms.Where(t => t.Matrix == "ffn_down" && keyFactors.ContainsKey(t.Layer)))
        {
            long n = t.A->Ne[0];
            var l = graph.Input(keyFactors[t.Layer], n, n, $"key_factor_{t.Layer}");
            var change = Ggml.ggml_mul_mat(graph.Ctx, t.B, Ggml.ggml_mul_mat(graph.Ctx, t.A, l));
            parts.Add((nint)Ggml.ggml_sum(graph.Ctx, Ggml.ggml_sqr(graph.Ctx, change)));
        }
        if (parts.Count == 0) throw new ArgumentException("no ffn_down term has key statistics", nameof(keyFactors));
        return graph.Output(Ggml.ggml_scale(graph.Ctx, Losses.Sum(graph, [.. parts]), weight));
    }

    /// <summary>
    /// The sequences as tails of one pass, outputs on their answers. The last token predicts nothing, so it is
    /// left out; a sequence whose start is an earlier one's (the chat template's system prompt) gets it
    /// as a stem, so shared tokens are computed once a step, not once per sequence.
    /// </summary>
    static List<SequenceTail> Tails(List<TrainingSequence> sequences, int blockTokens)
    {
        var tails = new List<SequenceTail>(sequences.Count);
        int blockStart = 0, inBlock = 0;
        for (int i = 0; i < sequences.Count; i++)
        {
            int[] tokens = sequences[i].Tokens[..^1];
            int answer = sequences[i].AnswerStart;
            bool startsBlock = i > 0 && inBlock + tokens.Length > blockTokens;
            if (startsBlock) (blockStart, inBlock) = (i, 0);
            // The longest start shared with an earlier sequence of its block that has no stem itself, up to the first output.
            var (root, length) = Enumerable.Range(blockStart, i - blockStart).Where(j => tails[j].Stem is null)
                .Select(j => (j, Common(tokens, tails[j].Tokens, answer - 1))).DefaultIfEmpty().MaxBy(p => p.Item2);
            int stem = length >= MinimumStem ? length : 0;
            tails.Add(SequenceTail.Whole(tokens[stem..], [.. Enumerable.Range(answer - 1 - stem, tokens.Length - answer + 1)])
                with { Stem = stem > 0 ? (root, stem) : null, StartsBlock = startsBlock });
            inBlock += tokens.Length - stem;
        }
        return tails;
    }

    /// <summary>Shorter shared starts (a BOS, one word) save less than a stem costs in the mask.</summary>
    const int MinimumStem = 4;

    static int Common(int[] a, int[] b, int limit)
    {
        int n = 0;
        while (n < limit && n < a.Length && n < b.Length && a[n] == b[n]) n++;
        return n;
    }

    /// <summary>
    /// Each tail's residual stream entering <paramref name="firstLayer"/>, from one packed pass of the frozen
    /// layers before it (null when training starts at layer 0): no term acts there, so it never changes.
    /// </summary>
    static List<SequenceTail> WithResiduals(List<SequenceTail> tails, List<float[]>? residuals) =>
        residuals is null ? tails : [.. tails.Select((t, i) => t with { Residual = residuals[i] })];

    static List<float[]>? Residuals(ModelWeights weights, Backend backend, List<SequenceTail> tails, int firstLayer, IReadOnlyList<LowRank> carried)
    {
        if (firstLayer == 0) return null;
        var hp = weights.Hparams;
        var packed = Packing.Pack([.. tails.Select(t => t with { OutputPositions = [.. Enumerable.Range(0, t.Tokens.Length)] })], 0, hp);
        using var graph = new ComputeGraph(backend);
        var f = TransformerGraph.Build(graph, weights, packed.Forward with
        {
            EndLayer = firstLayer, Logits = false, Read = [(Intermediate.LayerOutput, firstLayer - 1)], LowRank = carried,
        });
        graph.Compute();
        float[] all = Tensors.GetFloats(f.Intermediate(Intermediate.LayerOutput, firstLayer - 1));
        var result = new List<float[]>(tails.Count);
        int at = 0;
        foreach (var t in tails)
        {
            result.Add(all[(at * hp.EmbeddingLength)..((at + t.Tokens.Length) * hp.EmbeddingLength)]);
            at += t.Tokens.Length;
        }
        return result;
    }

    /// <summary>
    /// The frozen model's next-token probabilities at each anchor's outputs, one array per anchor (the tails
    /// from <paramref name="firstAnchor"/> on; all tails run, as an anchor's stem may be a trained sequence).
    /// </summary>
    static List<float[]> References(ModelWeights weights, Backend backend, List<SequenceTail> tails, int firstAnchor, int firstLayer)
    {
        if (firstAnchor == tails.Count) return [];
        int vocab = weights.Hparams.VocabSize;
        using var graph = new ComputeGraph(backend);
        var f = TransformerGraph.Build(graph, weights, Packing.Pack(tails, firstLayer, weights.Hparams).Forward);
        graph.Compute();
        float[] logits = Tensors.GetFloats(f.Logits);
        var result = new List<float[]>(tails.Count - firstAnchor);
        int row = tails[..firstAnchor].Sum(t => t.OutputPositions.Length);
        foreach (var a in tails[firstAnchor..])
        {
            result.Add(Losses.Softmax(logits.AsSpan((row * vocab)..((row + a.OutputPositions.Length) * vocab)), vocab));
            row += a.OutputPositions.Length;
        }
        return result;
    }
}
