using MathNet.Numerics.LinearAlgebra;
using SleepingLlm.Inference;
using SleepingLlm.Kernels;

namespace SleepingLlm.Wake;

/// <summary>What writing a subject's facts produced: per layer one edit column per key (raw, then each chat question), the keys to keep as constraints.</summary>
public sealed record Edit(IReadOnlyList<EditColumn> Columns, IReadOnlyList<(int Layer, float[] Key)> Keys, ValueResult Value,
    IReadOnlyList<double> Realised, TimeSpan Elapsed, TimeSpan ValueTime);

/// <summary>
/// MEMIT for one subject on the model as it is (base + active memories): v* at the critical layer,
/// then layer by layer (ascending) the key, the residual still missing at the critical layer spread
/// over the remaining layers, and the solve against the covariance with earlier memories' keys as
/// constraints. Engine thread only.
/// </summary>
public sealed class Editor(Model model, ModelWeights weights, Backend backend, WakeSettings settings, Templates templates,
    Func<int, Matrix<double>> regularisedInverse)
{
    public WakeSettings Settings => settings;

    public Edit Write(IReadOnlyList<Fact> facts, IReadOnlyList<EditColumn> memory, Func<int, IReadOnlyList<float[]>> constraintKeys)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var fact in facts) fact.Validate();
        var hp = weights.Hparams;
        int critical = settings.CriticalLayer;
        var main = facts[^1];

        ValueResult value;
        List<float[]> targets;
        using (var current = new LowRankSet(backend, hp, memory))
        {
            value = Value.Optimise(model, weights, backend, current.Terms, facts, templates, settings);
            // z = h + δ in every context the edit is keyed in: the raw prompt and each chat question.
            var start = Keys.Compute(model, weights, backend, current.Terms, facts, templates, critical, critical, settings.ChatKeys);
            targets = [.. start.All.Select(k => k.Hidden.Zip(value.Delta, (h, d) => h + d).ToArray())];
        }
        var valueTime = clock.Elapsed;

        var columns = new List<EditColumn>();
        var keys = new List<(int, float[])>();
        var realised = new List<double>();
        for (int i = 0; i < settings.Layers.Count; i++)
        {
            int layer = settings.Layers[i];
            using var edited = new LowRankSet(backend, hp, [.. memory, .. columns]);
            var found = Keys.Compute(model, weights, backend, edited.Terms, facts, templates, layer, critical, settings.ChatKeys).All.ToList();
            var k = Matrix<double>.Build.Dense(hp.FeedForwardLength, found.Count, (r, c) => found[c].Key[r]);
            var constraints = constraintKeys(layer);
            var c = constraints.Count == 0 ? null : Matrix<double>.Build.Dense(hp.FeedForwardLength, constraints.Count, (r, col) => constraints[col][r]);
            var a = Solve.Layer(regularisedInverse(layer), k, c);
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
