namespace SleepingLlm.Kernels;

/// <summary>What to run: which tokens, which layers, what to read out and what to inject.</summary>
public sealed class Forward
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
}
