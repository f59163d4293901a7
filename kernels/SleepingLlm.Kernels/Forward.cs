namespace SleepingLlm.Kernels;

/// <summary>What to run: which tokens, which layers, what to read out and what to inject.</summary>
public sealed record Forward
{
    /// <summary>The sequence's tokens (also gives its length and positions 0..n-1).</summary>
    public required int[] Tokens { get; init; }
    /// <summary>First layer to run; with a value above 0, <see cref="Residual"/> is its input.</summary>
    public int FirstLayer { get; init; }
    /// <summary>One past the last layer to run; null = all. Logits need all.</summary>
    public int? EndLayer { get; init; }
    /// <summary>The residual stream entering <see cref="FirstLayer"/>, [n_embd × n] column per token.</summary>
    public float[]? Residual { get; init; }
    /// <summary>Positions whose logits and intermediates are read out; null = all.</summary>
    public int[]? OutputPositions { get; init; }
    public bool Logits { get; init; } = true;
    public IReadOnlyList<(Intermediate Kind, int Layer)> Read { get; init; } = [];
    public ValueDelta? Delta { get; init; }
    public IReadOnlyList<LowRank> LowRank { get; init; } = [];
    /// <summary>
    /// Keys and values of earlier tokens: <see cref="Tokens"/> then continue the sequence at position
    /// <see cref="AttentionPrefix.Length"/>, attending to the prefix as to a KV cache (constant, no gradient).
    /// </summary>
    public AttentionPrefix? Prefix { get; init; }
    /// <summary>Each token's RoPE position; null = prefix length + 0..n-1. Set by <see cref="Packing"/>.</summary>
    public int[]? Positions { get; init; }
    /// <summary>[prefix + n keys × n queries], 0 = may attend, −∞ = may not; null = causal. Set by <see cref="Packing"/>.</summary>
    public float[]? Mask { get; init; }
    /// <summary>
    /// Attention in blocks of consecutive tokens that attend only within their block, each with its own mask;
    /// null = one block of every token under <see cref="Mask"/>. Set by <see cref="Packing"/>; no prefix.
    /// </summary>
    public IReadOnlyList<AttentionBlock>? Blocks { get; init; }
}

/// <summary>Tokens [Start, Start + Length) of a pass, attending only to each other: Mask is [Length keys × Length queries], 0 = may attend.</summary>
public sealed record AttentionBlock(int Start, int Length, float[] Mask);

/// <summary>
/// A sequence's first <see cref="Length"/> tokens as later tokens see them: per layer, the keys (after
/// RoPE) and values, [head_dim · kv_heads × Length] each, column per token.
/// </summary>
public sealed record AttentionPrefix(int Length, IReadOnlyDictionary<int, (float[] Keys, float[] Values)> Layers)
{
    /// <summary>The first <paramref name="length"/> tokens' keys and values from a computed pass that read them at <paramref name="layers"/>.</summary>
    public static unsafe AttentionPrefix From(ForwardTensors forward, IEnumerable<int> layers, int length, Hyperparameters hp)
    {
        int count = length * hp.HeadDim * hp.KvHeadCount;
        return new AttentionPrefix(length, layers.ToDictionary(l => l, l => (
            Tensors.GetFloats(forward.Intermediate(Intermediate.AttentionKey, l))[..count],
            Tensors.GetFloats(forward.Intermediate(Intermediate.AttentionValue, l))[..count])));
    }
}
