using SleepingLlm.Native;

namespace SleepingLlm.Kernels;

/// <summary>What a graph reads out besides logits, per layer.</summary>
public enum Intermediate
{
    /// <summary>The normed input of the FFN (what gate and up read), n_embd.</summary>
    FfnInput,
    /// <summary>The input of ffn_down: silu(gate)·up, n_ff. MEMIT's key.</summary>
    FfnDownInput,
    /// <summary>The output of ffn_down, n_embd.</summary>
    FfnOutput,
    /// <summary>The residual stream after the block, n_embd. Where MEMIT's δ is added.</summary>
    LayerOutput,
    /// <summary>The attention keys after RoPE, head_dim · kv_heads; with <see cref="AttentionValue"/>, an <see cref="AttentionPrefix"/>.</summary>
    AttentionKey,
    /// <summary>The attention values, head_dim · kv_heads.</summary>
    AttentionValue,
}

/// <summary>
/// MEMIT's value vector: δ (F32, n_embd) added to the output of <see cref="Layer"/> at <see cref="Positions"/>
/// (to the residual input when the graph starts right after that layer).
/// </summary>
public sealed unsafe class ValueDelta(int layer, int[] positions, GgmlTensor* vector)
{
    public int Layer { get; } = layer;
    public int[] Positions { get; } = positions;
    public GgmlTensor* Vector { get; } = vector;
}

/// <summary>
/// A low-rank term on one weight: y = W x + scale · B (A x), with A [n_in, r] and B [r, n_out] as
/// in GGUF LoRA files. Trainable (sleep's LoRA) or fixed (stored memories on ffn_down).
/// </summary>
public sealed unsafe class LowRank(int layer, string matrix, GgmlTensor* a, GgmlTensor* b, float scale = 1f)
{
    public int Layer { get; } = layer;
    /// <summary>The weight's name inside the block: ffn_down, attn_q, attn_v, ...</summary>
    public string Matrix { get; } = matrix;
    public GgmlTensor* A { get; } = a;
    public GgmlTensor* B { get; } = b;
    public float Scale { get; } = scale;
}
