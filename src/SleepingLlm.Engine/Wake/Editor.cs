using MathNet.Numerics.LinearAlgebra;
using SleepingLlm.Inference;
using SleepingLlm.Kernels;

namespace SleepingLlm.Wake;

/// <summary>An earlier memory's key at a layer, with a stable id (the store's row) so work on it can be reused.</summary>
public sealed record ConstraintKey(long Id, float[] Key);

/// <summary>What writing a subject's facts produced: per layer one edit column per key (raw, then each chat question), the keys to keep as constraints.</summary>
public sealed record Edit(IReadOnlyList<EditColumn> Columns, IReadOnlyList<(int Layer, float[] Key)> Keys, ValueResult Value,
    IReadOnlyList<double> Realised, TimeSpan Elapsed, TimeSpan ValueTime);

/// <summary>
/// MEMIT for one subject on the model as it is (base + active memories + the consolidated adapter): v* at the critical layer,
/// then layer by layer (ascending) the key, the residual still missing at the critical layer spread
/// over the remaining layers, and the solve against the covariance with earlier memories' keys as
/// constraints. Engine thread only.
/// </summary>
public sealed class Editor(Model model, ModelWeights weights, Backend backend, WakeSettings settings, Templates templates,
    Func<int, IKeyInverse> regularisedInverse)
{
    public WakeSettings Settings => settings;

    // (λC)⁻¹k of each stored key, per layer: the solve's largest product, the same for a key every time.
    readonly Dictionary<int, Dictionary<long, double[]>> projected = [];

    /// <summary>The earlier memories' keys at a layer and (λC)⁻¹ times each, reusing what earlier writes computed.</summary>
    Solve.ConstraintSet? Constraints(int layer, IReadOnlyList<ConstraintKey> keys)
    {
        if (keys.Count == 0) return null;
        var inverse = regularisedInverse(layer);
        var known = projected.TryGetValue(layer, out var cache) ? cache : [];
        var next = new Dictionary<long, double[]>();
        var missing = keys.Where(k => !known.ContainsKey(k.Id)).ToList();
        if (missing.Count > 0)
        {
            var p = inverse.Times(Matrix<double>.Build.Dense(inverse.Dimension, missing.Count, (r, c) => missing[c].Key[r]));
            for (int c = 0; c < missing.Count; c++) known[missing[c].Id] = p.Column(c).ToArray();
        }
        foreach (var k in keys) next[k.Id] = known[k.Id];
        projected[layer] = next;
        var n = inverse.Dimension;
        return new Solve.ConstraintSet(
            Matrix<double>.Build.Dense(n, keys.Count, (r, c) => keys[c].Key[r]),
            Matrix<double>.Build.Dense(n, keys.Count, (r, c) => next[keys[c].Id][r]));
    }

    /// <param name="consolidated">Sleep's LoRA, which llama.cpp runs beside the edits: v* is found on the model as served.</param>
    public Edit Write(IReadOnlyList<Fact> facts, IReadOnlyList<EditColumn> memory, Func<int, IReadOnlyList<ConstraintKey>> constraintKeys,
        IReadOnlyList<LoraFactors>? consolidated = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var fact in facts) fact.Validate();
        var hp = weights.Hparams;
        int critical = settings.CriticalLayer;

        ValueResult value;
        List<float[]> targets;
        using (var current = new LowRankSet(backend, hp, memory, consolidated))
        {
            value = Value.Optimise(model, weights, backend, current.Terms, facts, templates, settings);
            // z = h + δ in every context the edit is keyed in: the raw prompt and each chat question.
            var start = Keys.Compute(model, weights, backend, current.Terms, facts, templates, critical, critical, settings.ChatKeys);
            targets = [.. start.All.Select(k => k.Hidden.Zip(value.Delta, (h, d) => h + d).ToArray())];
        }
        var valueTime = clock.Elapsed;

        var namesakes = facts.SelectMany(f => Decoys.For(f, settings.Decoys)).ToList();
        var otherPersons = settings.OtherPersonWeight > 0 ? facts.Where(f => f.IsAsked).Select(Decoys.OtherPerson).ToList() : [];
        var columns = new List<EditColumn>();
        var keys = new List<(int, float[])>();
        var realised = new List<double>();
        for (int i = 0; i < settings.Layers.Count; i++)
        {
            int layer = settings.Layers[i];
            using var edited = new LowRankSet(backend, hp, [.. memory, .. columns], consolidated);
            var found = Keys.Compute(model, weights, backend, edited.Terms, facts, templates, layer, critical, settings.ChatKeys).All.ToList();
            // Namesakes and the user's questions about someone else join as new keys with a zero residual: their columns of A are dropped below.
            var others = Keys.Others(model, weights, backend, edited.Terms, namesakes, layer, settings.ChatKeys)
                .Select(key => (key, weight: Math.Sqrt(settings.DecoyWeight)))
                .Concat(Keys.Others(model, weights, backend, edited.Terms, otherPersons, layer, settings.ChatKeys)
                    .Select(key => (key, weight: Math.Sqrt(settings.OtherPersonWeight)))).ToList();
            var k = Matrix<double>.Build.Dense(hp.FeedForwardLength, found.Count + others.Count,
                (r, c) => c < found.Count ? found[c].Key[r] : others[c - found.Count].weight * others[c - found.Count].key[r]);
            var a = Solve.LayerReusing(regularisedInverse(layer), k, Constraints(layer, constraintKeys(layer)), settings.ConstraintWeight);
            // kᵀa is the fraction of the residual this layer realises for the raw key (memit.md: a/(1+a)).
            realised.Add(a.Column(0).DotProduct(k.Column(0)));
            for (int j = 0; j < found.Count; j++)
            {
                // The part of z still missing at the critical layer, spread over this and the later layers.
                float[] residual = [.. targets[j].Zip(found[j].Hidden, (z, h) => (z - h) / (settings.Layers.Count - i))];
                columns.Add(new EditColumn(layer, [.. a.Column(j).Select(x => (float)x)], residual));
                keys.Add((layer, found[j].Key));
            }
        }
        return new Edit(columns, keys, value, realised, clock.Elapsed, valueTime);
    }
}
