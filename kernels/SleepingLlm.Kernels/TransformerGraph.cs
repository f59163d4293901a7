using SleepingLlm.Native;

namespace SleepingLlm.Kernels;

/// <summary>The tensors a built forward pass gives back (valid after <see cref="ComputeGraph.Compute"/>).</summary>
public sealed unsafe class ForwardTensors
{
    /// <summary>[n_vocab × outputs], or null when logits were not asked for.</summary>
    public GgmlTensor* Logits { get; internal set; }
    public Dictionary<(Intermediate Kind, int Layer), nint> Intermediates { get; } = [];
    public GgmlTensor* Intermediate(Intermediate kind, int layer) => (GgmlTensor*)Intermediates[(kind, layer)];
}

/// <summary>
/// Builds a Llama-family decoder as llama.cpp's llama/qwen2 graphs do, op for op, but without the
/// KV cache and with attention from mul_mat + soft_max_ext (flash attention has no backward), so the
/// same graph serves inference checks, MEMIT's value optimisation and LoRA training.
/// </summary>
public static unsafe class TransformerGraph
{
    public static ForwardTensors Build(ComputeGraph graph, ModelWeights weights, Forward spec)
    {
        var hp = weights.Hparams;
        nint ctx = graph.Ctx;
        int n = spec.Tokens.Length;
        int end = spec.EndLayer ?? hp.LayerCount;
        if (spec.FirstLayer < 0 || end > hp.LayerCount || spec.FirstLayer >= end)
            throw new ArgumentException($"layers [{spec.FirstLayer}, {end}) outside 0..{hp.LayerCount}");
        if (spec.Logits && end != hp.LayerCount) throw new ArgumentException("logits need every layer up to the last");

        int past = spec.Prefix?.Length ?? 0, kvLength = past + n, kvWidth = hp.HeadDim * hp.KvHeadCount;
        var positions = graph.Input(spec.Positions ?? Enumerable.Range(past, n).ToArray(), "positions");
        if (spec.Blocks is not null && (past > 0 || spec.Mask is not null || spec.Blocks.Sum(b => b.Length) != n))
            throw new ArgumentException("attention blocks must cover the tokens, without a prefix or a whole mask");
        var mask = spec.Blocks is null ? graph.Input(spec.Mask ?? CausalMask(n, past), kvLength, n, "attention_mask") : null;
        var blockMasks = spec.Blocks?.Select((b, i) => (nint)graph.Input(b.Mask, b.Length, b.Length, $"attention_mask.{i}")).ToArray();
        var blockZeros = spec.Blocks is null ? null : graph.Input(new float[hp.HeadDim * hp.HeadCount * n], hp.HeadDim * hp.HeadCount, n, "attention_zeros");
        var outputRows = spec.OutputPositions is { } rows ? graph.Input(rows, "output_rows") : null;
        var ropeFactors = weights.Find("rope_freqs.weight");
        var result = new ForwardTensors();

        GgmlTensor* x;
        if (spec.Residual is { } residual)
            x = graph.Input(residual, hp.EmbeddingLength, n, "residual_in");
        else if (spec.FirstLayer == 0)
            x = Ggml.ggml_get_rows(ctx, weights.Get("token_embd.weight"), graph.Input(spec.Tokens, "tokens"));
        else
            throw new ArgumentException("a graph that starts after layer 0 needs the residual stream");

        GgmlTensor* deltaMask = null;
        if (spec.Delta is { } delta)
        {
            var m = new float[n];
            foreach (int p in delta.Positions) m[p] = 1f;
            deltaMask = graph.Input(m, 1, n, "delta_positions");
        }

        // A δ at the layer before the first one run is added to the residual input: MEMIT's value
        // optimisation runs only the layers after the edit layer, from a cached residual.
        if (spec.Delta is { } before && before.Layer == spec.FirstLayer - 1)
            x = Ggml.ggml_add(ctx, x, Ggml.ggml_mul(ctx, Ggml.ggml_repeat(ctx, before.Vector, x), deltaMask));

        for (int il = spec.FirstLayer; il < end; il++)
        {
            var h = Ggml.ggml_mul(ctx, Ggml.ggml_rms_norm(ctx, x, hp.RmsEpsilon), weights.Layer(il, "attn_norm"));
            var q = Linear(ctx, weights, spec, il, "attn_q", h);
            var k = Linear(ctx, weights, spec, il, "attn_k", h);
            var v = Linear(ctx, weights, spec, il, "attn_v", h);
            q = Ggml.ggml_reshape_3d(ctx, q, hp.HeadDim, hp.HeadCount, n);
            k = Ggml.ggml_reshape_3d(ctx, k, hp.HeadDim, hp.KvHeadCount, n);
            v = Ggml.ggml_reshape_3d(ctx, v, hp.HeadDim, hp.KvHeadCount, n);
            q = Rope(ctx, hp, q, positions, ropeFactors);
            k = Rope(ctx, hp, k, positions, ropeFactors);
            ReadAttention(graph, spec, il, k, v, kvWidth, n, outputRows, result);
            if (spec.Prefix is { Length: > 0 } prefix)
            {
                if (!prefix.Layers.TryGetValue(il, out var cached)) throw new ArgumentException($"the attention prefix has no layer {il}");
                k = AfterPrefix(graph, cached.Keys, k, hp, past, kvLength, $"prefix_k.{il}");
                v = AfterPrefix(graph, cached.Values, v, hp, past, kvLength, $"prefix_v.{il}");
            }

            // [hd, n, heads]; mul_mat broadcasts the kv heads over query heads (GQA) as llama.cpp does.
            var qp = Ggml.ggml_permute(ctx, q, 0, 2, 1, 3);
            var kp = Ggml.ggml_permute(ctx, k, 0, 2, 1, 3);
            var vt = Ggml.ggml_cont(ctx, Ggml.ggml_transpose(ctx, Ggml.ggml_permute(ctx, v, 0, 2, 1, 3)));
            GgmlTensor* o;
            if (blockMasks is null)
                o = Attend(ctx, hp, qp, kp, vt, mask, n);
            else
            {
                // Each block attends within itself, through views of contiguous q, k, v (a view's backward
                // accumulates a contiguous gradient only); its output is placed into the whole by acc.
                qp = Ggml.ggml_cont(ctx, qp);
                kp = Ggml.ggml_cont(ctx, kp);
                o = blockZeros;
                for (int b = 0; b < blockMasks.Length; b++)
                {
                    var (start, length) = (spec.Blocks![b].Start, spec.Blocks[b].Length);
                    var ob = Attend(ctx, hp, Tokens(ctx, qp, 1, start, length), Tokens(ctx, kp, 1, start, length), Tokens(ctx, vt, 0, start, length),
                        (GgmlTensor*)blockMasks[b], length);
                    o = Ggml.ggml_acc(ctx, o, ob, o->Nb[1], o->Nb[2], o->Nb[3], (nuint)start * o->Nb[1]);
                }
            }
            var attention = Linear(ctx, weights, spec, il, "attn_output", o);
            var ffnIn = Ggml.ggml_add(ctx, attention, x);

            var f = Ggml.ggml_mul(ctx, Ggml.ggml_rms_norm(ctx, ffnIn, hp.RmsEpsilon), weights.Layer(il, "ffn_norm"));
            var g = Ggml.ggml_swiglu_split(ctx, Linear(ctx, weights, spec, il, "ffn_gate", f), Linear(ctx, weights, spec, il, "ffn_up", f));
            var down = Linear(ctx, weights, spec, il, "ffn_down", g);
            x = Ggml.ggml_add(ctx, down, ffnIn);
            if (spec.Delta is { } d && d.Layer == il)
                x = Ggml.ggml_add(ctx, x, Ggml.ggml_mul(ctx, Ggml.ggml_repeat(ctx, d.Vector, x), deltaMask));

            foreach (var (kind, layer) in spec.Read)
            {
                if (layer != il) continue;
                if (kind is Intermediate.AttentionKey or Intermediate.AttentionValue) continue;
                var t = kind switch
                {
                    Intermediate.FfnInput => f,
                    Intermediate.FfnDownInput => g,
                    Intermediate.FfnOutput => down,
                    _ => x,
                };
                result.Intermediates[(kind, layer)] = (nint)graph.Output(Rows(ctx, t, outputRows));
            }
        }

        if (spec.Logits)
        {
            x = Ggml.ggml_mul(ctx, Ggml.ggml_rms_norm(ctx, x, hp.RmsEpsilon), weights.Get("output_norm.weight"));
            x = Rows(ctx, x, outputRows);
            // Tied embeddings: the token embedding doubles as the output head.
            var head = weights.Find("output.weight") is var o && o != null ? o : weights.Get("token_embd.weight");
            var logits = Ggml.ggml_mul_mat(ctx, head, x);
            if (weights.Find("output.bias") is var ob && ob != null) logits = Ggml.ggml_add(ctx, logits, ob);
            result.Logits = graph.Output(logits);
        }
        return result;
    }

    /// <summary>Attention of n queries qp [hd, n, heads] over keys kp [hd, keys, kv_heads] and values vt [keys, hd, kv_heads] under mask: [hd · heads, n].</summary>
    static GgmlTensor* Attend(nint ctx, Hyperparameters hp, GgmlTensor* qp, GgmlTensor* kp, GgmlTensor* vt, GgmlTensor* mask, int n)
    {
        var kq = Ggml.ggml_mul_mat(ctx, kp, qp);
        kq = Ggml.ggml_soft_max_ext(ctx, kq, mask, 1f / MathF.Sqrt(hp.HeadDim), 0f);
        var o = Ggml.ggml_mul_mat(ctx, vt, kq);
        return Ggml.ggml_cont_2d(ctx, Ggml.ggml_permute(ctx, o, 0, 2, 1, 3), hp.HeadDim * hp.HeadCount, n);
    }

    /// <summary>Tokens [start, start + length) along dimension <paramref name="axis"/> (0 or 1) of a contiguous 3-d tensor, as a view.</summary>
    static GgmlTensor* Tokens(nint ctx, GgmlTensor* t, int axis, int start, int length) => axis == 0
        ? Ggml.ggml_view_3d(ctx, t, length, t->Ne[1], t->Ne[2], t->Nb[1], t->Nb[2], (nuint)start * t->Nb[0])
        : Ggml.ggml_view_3d(ctx, t, t->Ne[0], length, t->Ne[2], t->Nb[1], t->Nb[2], (nuint)start * t->Nb[1]);

    /// <summary>
    /// [head_dim, kv_heads, prefix + n]: the cached prefix, then this graph's tokens. The tokens are
    /// placed by a product with a constant selection matrix, not by concat (no backward) or acc (whose
    /// backward misreads the permuted gradient attention hands it); the prefix is a constant.
    /// </summary>
    static GgmlTensor* AfterPrefix(ComputeGraph graph, float[] cached, GgmlTensor* current, Hyperparameters hp, int past, int kvLength, string name)
    {
        nint ctx = graph.Ctx;
        int width = hp.HeadDim * hp.KvHeadCount, n = kvLength - past;
        if (cached.Length != width * past) throw new ArgumentException($"{name}: {cached.Length} values for [{width}, {past}]");
        var padded = new float[width * kvLength];
        cached.CopyTo(padded, 0);
        var select = new float[n * kvLength];
        for (int i = 0; i < n; i++) select[(past + i) * n + i] = 1f;
        var transposed = Ggml.ggml_cont(ctx, Ggml.ggml_transpose(ctx, Ggml.ggml_reshape_2d(ctx, current, width, n)));
        var placed = Ggml.ggml_mul_mat(ctx, transposed, graph.Input(select, n, kvLength, name + ".select"));
        var full = Ggml.ggml_add(ctx, graph.Input(padded, width, kvLength, name), placed);
        return Ggml.ggml_reshape_3d(ctx, full, hp.HeadDim, hp.KvHeadCount, kvLength);
    }

    static void ReadAttention(ComputeGraph graph, Forward spec, int layer, GgmlTensor* k, GgmlTensor* v, int width, int n,
        GgmlTensor* outputRows, ForwardTensors result)
    {
        foreach (var (kind, at) in spec.Read)
        {
            if (at != layer || kind is not (Intermediate.AttentionKey or Intermediate.AttentionValue)) continue;
            var t = Ggml.ggml_reshape_2d(graph.Ctx, kind == Intermediate.AttentionKey ? k : v, width, n);
            result.Intermediates[(kind, layer)] = (nint)graph.Output(Rows(graph.Ctx, t, outputRows));
        }
    }

    /// <summary>W x (+ bias) (+ each low-rank term on this weight).</summary>
    static GgmlTensor* Linear(nint ctx, ModelWeights weights, Forward spec, int layer, string matrix, GgmlTensor* input)
    {
        var y = Ggml.ggml_mul_mat(ctx, weights.Layer(layer, matrix), input);
        if (weights.LayerBias(layer, matrix) is var bias && bias != null) y = Ggml.ggml_add(ctx, y, bias);
        foreach (var lr in spec.LowRank)
        {
            if (lr.Layer != layer || lr.Matrix != matrix) continue;
            var ba = Ggml.ggml_mul_mat(ctx, lr.B, Ggml.ggml_mul_mat(ctx, lr.A, input));
            y = Ggml.ggml_add(ctx, y, lr.Scale == 1f ? ba : Ggml.ggml_scale(ctx, ba, lr.Scale));
        }
        return y;
    }

    static GgmlTensor* Rope(nint ctx, Hyperparameters hp, GgmlTensor* t, GgmlTensor* positions, GgmlTensor* factors) =>
        Ggml.ggml_rope_ext(ctx, t, positions, factors, hp.RopeDims, hp.RopeMode, hp.TrainedContext,
            hp.RopeFreqBase, hp.RopeFreqScale, extFactor: 0f, attnFactor: 1f, betaFast: 32f, betaSlow: 1f);

    static GgmlTensor* Rows(nint ctx, GgmlTensor* t, GgmlTensor* rows) => rows == null ? t : Ggml.ggml_get_rows(ctx, t, rows);

    /// <summary>[past + n keys × n queries]: 0 where a query may attend (key ≤ past + query), −∞ elsewhere.</summary>
    static float[] CausalMask(int n, int past)
    {
        int keys = past + n;
        var mask = new float[keys * n];
        for (int query = 0; query < n; query++)
            for (int key = past + query + 1; key < keys; key++)
                mask[query * keys + key] = float.NegativeInfinity;
        return mask;
    }
}
