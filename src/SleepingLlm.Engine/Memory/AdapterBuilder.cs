using SleepingLlm.Adapters;

namespace SleepingLlm.Memory;

/// <summary>
/// Materialises the memory as one GGUF LoRA adapter: at each edited layer L, on blk.L.ffn_down.weight,
/// ΔW_L = B·A = Σ_j scale_j · b_j a_jᵀ over the columns j of the active facts with a non-zero scale. Each
/// (fact, column) owns one adapter column in every layer (zero where it has no factor), so all layers
/// share one rank, as llama.cpp's single alpha per adapter requires. Tensors are F16: chat decode reads
/// the adapter on every token, and in F32 a hundred memories' edit (rank 200 over five layers) added a
/// tenth to SmolLM2's bytes per token; the store keeps factors in half precision already, and each
/// column is balanced (a scaled up, b down by one factor) so neither side falls into F16's subnormals.
/// </summary>
public static class AdapterBuilder
{
    /// <summary>
    /// Writes the adapter to <paramref name="outputPath"/> (atomically) and returns that path; returns null and
    /// deletes a stale file there when no active fact has a non-zero scale and factors.
    /// </summary>
    /// <param name="architecture">The base model's general.architecture, e.g. "llama".</param>
    /// <param name="scales">Scales to build with instead of the stored ones, by fact id (a sleep's candidate stages); others as stored.</param>
    /// <param name="refreshed">Edits a sleep's Refresh solved again, in place of the stored ones of their groups.</param>
    public static string? Build(MemoryStore store, string architecture, string outputPath, IReadOnlyDictionary<long, float>? scales = null,
        IReadOnlyList<Sleep.RefreshedEdit>? refreshed = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(architecture);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        var layers = Effective(store, scales, refreshed);
        // Columns: the contributing (fact, column) pairs in id order, shared by all layers.
        var columns = layers.SelectMany(l => l.Facts).Select(f => (f.FactId, f.Column)).Distinct().Order()
            .Select((id, column) => (id, column)).ToDictionary(p => p.id, p => p.column);
        if (columns.Count == 0)
        {
            if (File.Exists(outputPath)) File.Delete(outputPath);
            return null;
        }

        int rank = columns.Count;
        var pairs = new List<LoraPair>(layers.Count);
        foreach (var layer in layers)
        {
            var (nff, nembd) = Shape(layer);
            var a = new float[rank * nff];     // rank rows of n_ff: row j = scale_j · a_j
            var b = new float[nembd * rank];   // n_embd rows of rank: column j = b_j
            foreach (var fact in layer.Facts)
            {
                int j = columns[(fact.FactId, fact.Column)];
                var row = a.AsSpan(j * nff, nff);
                float balance = Balance(fact.A, fact.Scale, fact.B);
                for (int i = 0; i < nff; i++) row[i] = fact.A[i] * fact.Scale * balance;
                for (int o = 0; o < nembd; o++) b[o * rank + j] = fact.B[o] / balance;
            }
            pairs.Add(new LoraPair($"blk.{layer.Layer}.ffn_down.weight", nff, nembd, rank, a, b));
        }

        string? folder = Path.GetDirectoryName(Path.GetFullPath(outputPath));
        if (folder is not null) Directory.CreateDirectory(folder);
        LoraAdapterFile.Write(outputPath, architecture, pairs, Gguf.GgmlType.F16);
        return outputPath;
    }

    /// <summary>
    /// ‖ΔW_L‖_F per edited layer, through the Gram matrices of the factors:
    /// ‖Σ_j s_j b_j a_jᵀ‖² = Σ_jk s_j s_k (a_j·a_k)(b_j·b_k), never forming the n_embd × n_ff matrix.
    /// Layers whose facts all have scale 0 are listed with norm 0.
    /// </summary>
    public static IReadOnlyList<LayerNorm> EditNorms(MemoryStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var result = new List<LayerNorm>();
        foreach (var layer in store.AllActiveFactors())
        {
            Shape(layer);
            var facts = layer.Facts.Where(f => f.Scale != 0).ToList();
            double sum = 0;
            for (int j = 0; j < facts.Count; j++)
            {
                sum += (double)facts[j].Scale * facts[j].Scale * Dot(facts[j].A, facts[j].A) * Dot(facts[j].B, facts[j].B);
                for (int k = j + 1; k < facts.Count; k++)
                    sum += 2.0 * facts[j].Scale * facts[k].Scale * Dot(facts[j].A, facts[k].A) * Dot(facts[j].B, facts[k].B);
            }
            result.Add(new LayerNorm(layer.Layer, Math.Sqrt(Math.Max(sum, 0))));
        }
        return result;
    }

    /// <summary>The factor that gives s·a and b the same largest magnitude (b aᵀ is unchanged by it).</summary>
    static float Balance(float[] a, float scale, float[] b)
    {
        float maxA = Math.Abs(scale) * System.Numerics.Tensors.TensorPrimitives.MaxMagnitude<float>(a);
        float maxB = Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude<float>(b));
        maxA = Math.Abs(maxA);
        return maxA > 0 && maxB > 0 ? MathF.Sqrt(maxB / maxA) : 1f;
    }

    /// <summary>The edit columns the adapter <see cref="Build"/> writes with these scales, for the kernel graph (sleep trains beside them).</summary>
    public static IReadOnlyList<Wake.EditColumn> Columns(MemoryStore store, IReadOnlyDictionary<long, float>? scales = null,
        IReadOnlyList<Sleep.RefreshedEdit>? refreshed = null) =>
        [.. Effective(store, scales, refreshed).SelectMany(l => l.Facts.Select(f => new Wake.EditColumn(l.Layer, f.A, f.B, f.Scale)))];

    /// <summary>The active facts' factors (refreshed ones in place of their groups') at their stored scales or those given, without the ones at scale 0.</summary>
    static List<LayerFactors> Effective(MemoryStore store, IReadOnlyDictionary<long, float>? scales, IReadOnlyList<Sleep.RefreshedEdit>? refreshed = null)
    {
        var stored = store.AllActiveFactors();
        if (refreshed is { Count: > 0 }) stored = WithRefreshed(stored, refreshed);
        if (scales is not null)
            stored = [.. stored.Select(l => new LayerFactors(l.Layer,
                [.. l.Facts.Select(f => scales.TryGetValue(f.FactId, out float s) ? f with { Scale = s } : f)]))];
        return [.. stored.Select(l => new LayerFactors(l.Layer, [.. l.Facts.Where(f => f.Scale != 0)])).Where(l => l.Facts.Count > 0)];
    }

    /// <summary>The refreshed groups' stored columns replaced by their new ones, held by the carrier at its scale.</summary>
    static IReadOnlyList<LayerFactors> WithRefreshed(IReadOnlyList<LayerFactors> stored, IReadOnlyList<Sleep.RefreshedEdit> refreshed)
    {
        var gone = refreshed.SelectMany(r => r.Members).ToHashSet();
        var scaleOf = stored.SelectMany(l => l.Facts).GroupBy(f => f.FactId).ToDictionary(g => g.Key, g => g.First().Scale);
        var byLayer = stored.ToDictionary(l => l.Layer, l => l.Facts.Where(f => !gone.Contains(f.FactId)).ToList());
        foreach (var edit in refreshed)
            foreach (var layer in edit.Factors.GroupBy(f => f.Layer))
            {
                if (!byLayer.TryGetValue(layer.Key, out var facts)) byLayer[layer.Key] = facts = [];
                facts.AddRange(layer.Select((f, column) => new FactFactor(edit.Carrier, scaleOf.GetValueOrDefault(edit.Carrier, 1f), f.A, f.B, column)));
            }
        return [.. byLayer.OrderBy(p => p.Key).Select(p => new LayerFactors(p.Key, [.. p.Value.OrderBy(f => f.FactId).ThenBy(f => f.Column)]))];
    }

    /// <summary>(n_ff, n_embd) of a layer's factors, which all facts must share.</summary>
    static (int Nff, int Nembd) Shape(LayerFactors layer)
    {
        if (layer.Facts.Count == 0) return (0, 0);
        int nff = layer.Facts[0].A.Length, nembd = layer.Facts[0].B.Length;
        if (layer.Facts.FirstOrDefault(f => f.A.Length != nff || f.B.Length != nembd) is { } odd)
            throw new SleepingLlmException(
                $"memory #{odd.FactId} has factors of {odd.A.Length}/{odd.B.Length} values at layer {layer.Layer}, others {nff}/{nembd}");
        return (nff, nembd);
    }

    static double Dot(float[] x, float[] y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += (double)x[i] * y[i];
        return sum;
    }
}
