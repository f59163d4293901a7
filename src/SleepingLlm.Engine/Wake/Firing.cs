using SleepingLlm.Inference;
using SleepingLlm.Kernels;

namespace SleepingLlm.Wake;

/// <summary>
/// At one token of a text: what the memory's edits add to the residual stream, ‖ΔW_l k_l‖ summed over
/// the edit layers (each layer's key read with the earlier layers' edits in place), beside ‖h‖ after
/// the last edit layer. A written subject's last token gets about its δ; every other token should get
/// little.
/// </summary>
public sealed record TokenFiring(string Token, double Added, double Hidden);

/// <summary>
/// Where a memory's edit acts on a text. MEMIT keys an edit at the subject's last token, so it fires on
/// whatever else has a like key there: a namesake ("Clementine Tanaka" after "Caspian Tanaka" was
/// written) gets nearly the full edit. This makes that visible (<c>sleepingllm firing</c>). Engine thread only.
/// </summary>
public static class Firing
{
    public static IReadOnlyList<TokenFiring> Of(Model model, ModelWeights weights, Backend backend, IReadOnlyList<EditColumn> columns, string text)
    {
        int[] tokens = model.Tokenize(text);
        int nff = weights.Hparams.FeedForwardLength, nembd = weights.Hparams.EmbeddingLength;
        var added = new double[tokens.Length];
        var hidden = new double[tokens.Length];
        int[] layers = [.. columns.Select(c => c.Layer).Distinct().Order()];
        var all = SequenceTail.Whole(tokens, [.. Enumerable.Range(0, tokens.Length)]);
        foreach (int layer in layers)
        {
            var here = columns.Where(c => c.Layer == layer).ToList();
            using var earlier = new LowRankSet(backend, weights.Hparams, columns.Where(c => c.Layer < layer));
            var read = Keys.Read(weights, backend, earlier.Terms, [all], [(Intermediate.FfnDownInput, layer), (Intermediate.LayerOutput, layer)]);
            var delta = new float[nembd];
            for (int t = 0; t < tokens.Length; t++)
            {
                var key = read[0].AsSpan(t * nff, nff);
                Array.Clear(delta);
                // ΔW k = Σ_j scale_j · b_j (a_jᵀ k)
                foreach (var column in here)
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(column.B,
                        column.Scale * System.Numerics.Tensors.TensorPrimitives.Dot(column.A, key), delta, delta);
                added[t] += System.Numerics.Tensors.TensorPrimitives.Norm(delta);
                if (layer == layers[^1]) hidden[t] = System.Numerics.Tensors.TensorPrimitives.Norm(read[1].AsSpan(t * nembd, nembd));
            }
        }
        return [.. tokens.Select((token, t) => new TokenFiring(System.Text.Encoding.UTF8.GetString(model.TokenBytes(token)), added[t], hidden[t]))];
    }
}
