using MathNet.Numerics.LinearAlgebra;
using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using SleepingLlm.Wake;

namespace SleepingLlm.Tests.Wake;

/// <summary>Other subjects' key statistics on SmolLM2: built from exactly the made-up names' keys, at the layer asked for.</summary>
[Collection(ModelCompute.Name)]
public sealed class SubjectCovarianceTests
{
    [Fact]
    public void The_second_moment_is_symmetric_and_spanned_by_the_names_keys()
    {
        using var model = Model.Load(TestModels.SmolLm2);
        using var backend = Backend.Cpu();
        using var weights = ModelWeights.Load(TestModels.SmolLm2, backend);
        var templates = new Templates(["The weather was mild. ", "I met them at the station. "]);
        var names = SubjectCovariance.MadeUpNames(3);

        var sums = SubjectCovariance.Compute(model, weights, backend, [6], templates, names);

        // Each name is read bare, after each prefix and in three chat questions: 3 × (1 + 2 + 3) keys.
        const int keys = 18;
        Assert.Equal([6], sums.Layers);
        Assert.Equal(keys, sums.Count(6));
        foreach (int layer in sums.Layers)
        {
            var m = Matrix<double>.Build.Dense(sums.Dimension, sums.Dimension, sums.SecondMoment(layer)); // symmetric: row- or column-major alike
            Assert.Equal(1536, m.RowCount);
            Assert.True((m - m.Transpose()).FrobeniusNorm() <= 1e-9 * m.FrobeniusNorm(), $"layer {layer} is not symmetric");
            Assert.True(m.Trace() > 0, $"layer {layer} is empty");
            var eigen = m.Evd(Symmetricity.Symmetric).EigenValues.Select(e => e.Real).OrderDescending().ToList();
            // The products are formed in float32 (CaptureSums, as the covariance's): zero to ~10⁻⁷ of the largest, not 10⁻¹⁶.
            Assert.True(eigen[^1] > -1e-6 * eigen[0], $"layer {layer} is not positive semi-definite: {eigen[^1]:G3} against {eigen[0]:G3}");
            Assert.True(eigen[keys] < 1e-6 * eigen[0], $"layer {layer} has rank above the {keys} keys it was built from: {eigen[keys]:G3} against {eigen[0]:G3}");
            Assert.True(eigen[keys - 1] > 1e-4 * eigen[0], $"layer {layer} has rank below the {keys} keys: {eigen[keys - 1]:G3} against {eigen[0]:G3}");
        }
    }
}
