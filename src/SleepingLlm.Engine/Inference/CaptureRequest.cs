namespace SleepingLlm.Inference;

/// <summary>Which activation of a transformer block <see cref="ActivationCapture"/> reads.</summary>
public enum CaptureKind
{
    /// <summary>
    /// The input of the MLP's down projection (the MEMIT key): <c>silu(gate)·up</c>, n_ff floats per
    /// token. Read as <c>src[1]</c> of the MUL_MAT whose weight is <c>blk.L.ffn_down.weight</c>.
    /// </summary>
    FfnDownInput,
    /// <summary>The residual stream after block L (the node <c>l_out-L</c>), n_embd floats per token.</summary>
    LayerOutput,
}

/// <summary>What one <see cref="ActivationCapture.Run"/> reads.</summary>
public sealed record CaptureRequest
{
    /// <summary>Layers (0-based) whose <see cref="CaptureKind.FfnDownInput"/> is captured.</summary>
    public IReadOnlyList<int> FfnDownInput { get; init; } = [];
    /// <summary>Layers (0-based) whose <see cref="CaptureKind.LayerOutput"/> is captured.</summary>
    public IReadOnlyList<int> LayerOutput { get; init; } = [];
    /// <summary>Token indices to keep, in the order wanted (rows of the result); null or empty = every token.</summary>
    public IReadOnlyList<int>? Positions { get; init; }
    /// <summary>
    /// Stop llama.cpp's graph once every target is read: the layers after the last one are not computed
    /// (key statistics at 3B need 9 of 28), and the result has no logits.
    /// </summary>
    public bool StopAfterTargets { get; init; }

    /// <summary>A request for one kind at some layers.</summary>
    public static CaptureRequest For(CaptureKind kind, IReadOnlyList<int> layers, IReadOnlyList<int>? positions = null, bool stopAfterTargets = false) =>
        kind == CaptureKind.FfnDownInput
            ? new() { FfnDownInput = layers, Positions = positions, StopAfterTargets = stopAfterTargets }
            : new() { LayerOutput = layers, Positions = positions, StopAfterTargets = stopAfterTargets };

    /// <summary>Every (kind, layer) pair requested, without duplicates.</summary>
    public IEnumerable<(CaptureKind Kind, int Layer)> Targets =>
        FfnDownInput.Distinct().Select(l => (CaptureKind.FfnDownInput, l))
            .Concat(LayerOutput.Distinct().Select(l => (CaptureKind.LayerOutput, l)));
}

/// <summary>
/// The activations of one sequence: for each requested (kind, layer) a row-major
/// <c>[Positions.Count × dimension]</c> float array, row i belonging to token <c>Positions[i]</c>.
/// </summary>
public sealed class CaptureResult
{
    readonly Dictionary<(CaptureKind, int), float[]> rows;
    readonly Dictionary<(CaptureKind, int), int> dimensions;

    internal CaptureResult(int tokenCount, int[] positions, Dictionary<(CaptureKind, int), float[]> rows,
        Dictionary<(CaptureKind, int), int> dimensions, float[] lastLogits)
    {
        TokenCount = tokenCount;
        Positions = positions;
        this.rows = rows;
        this.dimensions = dimensions;
        LastLogits = lastLogits;
    }

    /// <summary>The length of the decoded sequence.</summary>
    public int TokenCount { get; }
    /// <summary>The token index of each row.</summary>
    public IReadOnlyList<int> Positions { get; }
    /// <summary>The logits of the sequence's last token, from the same decode.</summary>
    public float[] LastLogits { get; }
    /// <summary>The (kind, layer) pairs held.</summary>
    public IEnumerable<(CaptureKind Kind, int Layer)> Targets => rows.Keys;

    public bool Contains(CaptureKind kind, int layer) => rows.ContainsKey((kind, layer));

    /// <summary>Floats per row for that (kind, layer).</summary>
    public int Dimension(CaptureKind kind, int layer) => dimensions[Key(kind, layer)];

    /// <summary>All rows of one (kind, layer): <c>[Positions.Count × Dimension]</c>, row-major (the stored array, not a copy).</summary>
    public float[] Rows(CaptureKind kind, int layer) => rows[Key(kind, layer)];

    /// <summary>The row of the token <c>Positions[positionIndex]</c>.</summary>
    public ReadOnlySpan<float> Get(CaptureKind kind, int layer, int positionIndex)
    {
        var key = Key(kind, layer);
        ArgumentOutOfRangeException.ThrowIfNegative(positionIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(positionIndex, Positions.Count);
        int d = dimensions[key];
        return rows[key].AsSpan(positionIndex * d, d);
    }

    (CaptureKind, int) Key(CaptureKind kind, int layer) =>
        rows.ContainsKey((kind, layer)) ? (kind, layer)
            : throw new KeyNotFoundException($"{kind} at layer {layer} was not captured");
}
