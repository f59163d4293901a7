namespace SleepingLlm.Memory;

/// <summary>
/// One column of a fact's edit at one layer: ΔW_layer += scale · B Aᵀ on blk.layer.ffn_down.weight.
/// A fact may have several columns at a layer (its raw key's and its chat keys'), listed in order.
/// </summary>
/// <param name="A">The key-side factor: n_ff values.</param>
/// <param name="B">The value-side factor: n_embd values.</param>
public sealed record LayerFactor(int Layer, float[] A, float[] B);

/// <summary>A constraint key of one fact at one edit layer (n_ff values): later edits keep ΔW·K ≈ 0 on it. Id: its row, once stored.</summary>
public sealed record LayerKey(int Layer, float[] K, long Id = 0);

/// <summary>One column of an active fact's factors at a layer, with the scale it is applied with.</summary>
public sealed record FactFactor(long FactId, float Scale, float[] A, float[] B, int Column = 0);

/// <summary>All active facts' factors at one layer, in fact-id order.</summary>
public sealed record LayerFactors(int Layer, IReadOnlyList<FactFactor> Facts);
