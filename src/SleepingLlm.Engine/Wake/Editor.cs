using MathNet.Numerics.LinearAlgebra;
using SleepingLlm.Inference;
using SleepingLlm.Kernels;

namespace SleepingLlm.Wake;

/// <summary>What writing a subject's facts produced: one edit column per layer, the keys to keep as constraints.</summary>
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
        float[] target;
        using (var current = new LowRankSet(backend, hp, memory))
        {
            value = Value.Optimise(model, weights, backend, current.Terms, facts, templates, settings);
            var start = Keys.Compute(model, weights, backend, current.Terms, main, templates, critical, critical, settings.ChatKeyWeight).Hidden;
            target = [.. start.Zip(value.Delta, (h, d) => h + d)];
        }
        var valueTime = clock.Elapsed;

        var columns = new List<EditColumn>();
        var keys = new List<(int, float[])>();
        var realised = new List<double>();
        for (int i = 0; i < settings.Layers.Count; i++)
        {
            int layer = settings.Layers[i];
            using var edited = new LowRankSet(backend, hp, [.. memory, .. columns]);
            var (key, hidden) = Keys.Compute(model, weights, backend, edited.Terms, main, templates, layer, critical, settings.ChatKeyWeight);
            var residual = Vector<double>.Build.Dense(hp.EmbeddingLength, j => (target[j] - hidden[j]) / (settings.Layers.Count - i));
            var constraints = constraintKeys(layer);
            var k = Matrix<double>.Build.Dense(hp.FeedForwardLength, 1, (r, _) => key[r]);
            var c = constraints.Count == 0 ? null : Matrix<double>.Build.Dense(hp.FeedForwardLength, constraints.Count, (r, col) => constraints[col][r]);
            var a = Solve.Layer(regularisedInverse(layer), k, c).Column(0);
            // kᵀa is the fraction of the residual this layer realises for the key (memit.md: a/(1+a)).
            realised.Add(a.DotProduct(k.Column(0)));
            columns.Add(new EditColumn(layer, [.. a.Select(x => (float)x)], [.. residual.Select(x => (float)x)]));
            keys.Add((layer, key));
        }
        return new Edit(columns, keys, value, realised, clock.Elapsed, valueTime);
    }
}
