using System.Numerics.Tensors;
using SleepingLlm.Inference;
using SleepingLlm.Kernels;

namespace SleepingLlm.Wake;

/// <summary>
/// At one token of a text: what the memory's edits add to the residual stream, ‖ΔW_l k_l‖ summed over
/// the edit layers (each layer's key read with the earlier layers' edits in place), beside ‖h‖ after
/// the last edit layer, its edit included. A written subject's last token gets about its δ; every other token should get
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
        int[] layers = [.. columns.Select(c => c.Layer).Distinct().Order()];
        if (layers.Length == 0) return [.. tokens.Select(token => new TokenFiring(Piece(model, token), 0, 0))];
        // One pass with every edit in place: a layer's key (the input of its ffn_down) only sees the edits of earlier layers.
        using var edits = new LowRankSet(backend, weights.Hparams, columns);
        var read = Keys.Read(weights, backend, edits.Terms, [SequenceTail.Whole(tokens, [.. Enumerable.Range(0, tokens.Length)])],
            [.. layers.Select(l => (Intermediate.FfnDownInput, l)), (Intermediate.LayerOutput, layers[^1])]);
        var delta = new float[nembd];
        for (int i = 0; i < layers.Length; i++)
        {
            var here = columns.Where(c => c.Layer == layers[i]).ToList();
            for (int t = 0; t < tokens.Length; t++)
            {
                var key = read[i].AsSpan(t * nff, nff);
                Array.Clear(delta);
                // ΔW k = Σ_j scale_j · b_j (a_jᵀ k)
                foreach (var column in here)
                    TensorPrimitives.MultiplyAdd(column.B, column.Scale * TensorPrimitives.Dot(column.A, key), delta, delta);
                added[t] += TensorPrimitives.Norm(delta);
            }
        }
        return [.. tokens.Select((token, t) => new TokenFiring(Piece(model, token), added[t], TensorPrimitives.Norm(read[^1].AsSpan(t * nembd, nembd))))];
    }

    static string Piece(Model model, int token) => System.Text.Encoding.UTF8.GetString(model.TokenBytes(token));
}
