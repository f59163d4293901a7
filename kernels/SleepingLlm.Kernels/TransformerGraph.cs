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

        var positions = graph.Input(Enumerable.Range(0, n).ToArray(), "positions");
        var mask = graph.Input(CausalMask(n), n, n, "causal_mask");
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

            // [hd, n, heads]; mul_mat broadcasts the kv heads over query heads (GQA) as llama.cpp does.
            var qp = Ggml.ggml_permute(ctx, q, 0, 2, 1, 3);
            var kp = Ggml.ggml_permute(ctx, k, 0, 2, 1, 3);
            var vt = Ggml.ggml_cont(ctx, Ggml.ggml_transpose(ctx, Ggml.ggml_permute(ctx, v, 0, 2, 1, 3)));
            var kq = Ggml.ggml_mul_mat(ctx, kp, qp);
            kq = Ggml.ggml_soft_max_ext(ctx, kq, mask, 1f / MathF.Sqrt(hp.HeadDim), 0f);
            var o = Ggml.ggml_mul_mat(ctx, vt, kq);
            o = Ggml.ggml_cont_2d(ctx, Ggml.ggml_permute(ctx, o, 0, 2, 1, 3), hp.HeadDim * hp.HeadCount, n);
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

    /// <summary>[n keys × n queries]: 0 where a query may attend (key ≤ query), −∞ elsewhere.</summary>
    static float[] CausalMask(int n)
    {
        var mask = new float[n * n];
        for (int query = 0; query < n; query++)
            for (int key = query + 1; key < n; key++)
                mask[query * n + key] = float.NegativeInfinity;
        return mask;
    }
}
