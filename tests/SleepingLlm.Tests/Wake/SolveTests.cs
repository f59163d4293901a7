using MathNet.Numerics.LinearAlgebra;
using SleepingLlm.Wake;

namespace SleepingLlm.Tests.Wake;

/// <summary>The solve against the closed form, on small seeded matrices.</summary>
public sealed class SolveTests
{
    static readonly MathNet.Numerics.Distributions.Normal Noise = new(0, 1, new Random(7));

    static Matrix<double> Random(int rows, int columns) => Matrix<double>.Build.Random(rows, columns, Noise);

    static Matrix<double> Covariance(int n)
    {
        var samples = Random(n, 4 * n);
        return samples * samples.Transpose() / (4 * n);
    }

    [Fact]
    public void Woodbury_form_equals_the_direct_solve()
    {
        const int n = 12, m = 3;
        var c = Covariance(n);
        var k = Random(n, m);
        const double lambda = 5;
        var direct = (c * lambda + Matrix<double>.Build.DenseIdentity(n) * (1e-6 * lambda) + k * k.Transpose()).Solve(k);
        var woodbury = Solve.KeyFactors(Solve.RegularisedInverse(c, lambda), k);
        Assert.True((direct - woodbury).FrobeniusNorm() < 1e-9 * direct.FrobeniusNorm());
    }

    [Theory]
    [InlineData(12)]
    [InlineData(301)]
    public void The_factored_covariance_applies_the_same_inverse_as_the_dense_one(int n)
    {
        // 301: more than two of the factor's blocks, with rows and columns left over by its tiles.
        var c = Covariance(n);
        var k = Random(n, 3);
        const double lambda = 1500;
        var factor = CovarianceFactor.Factor(c.ToRowMajorArray(), n, lambda);
        var dense = Solve.RegularisedInverse(c, lambda) * k;
        Assert.True((factor.Times(k) - dense).FrobeniusNorm() < 1e-9 * dense.FrobeniusNorm());
        var again = CovarianceFactor.FromFactor(factor.Values.ToArray(), n, lambda);
        Assert.Equal(factor.Times(k), again.Times(k));
    }

    [Fact]
    public void A_matrix_that_is_not_a_covariance_cannot_be_factored()
    {
        var notPositive = Matrix<double>.Build.DenseIdentity(4) * -1;
        Assert.Throws<ArgumentException>(() => CovarianceFactor.Factor(notPositive.ToRowMajorArray(), 4, 1));
    }

    [Fact]
    public void Given_projections_of_the_constraints_give_the_same_factors()
    {
        const int n = 14;
        var inverse = Solve.RegularisedInverse(Covariance(n), lambda: 2);
        var newKeys = Random(n, 2);
        var constraints = Random(n, 5);
        var plain = Solve.Layer(inverse, newKeys, constraints);
        var reused = Solve.LayerReusing(inverse, newKeys, new Solve.ConstraintSet(constraints, inverse * constraints));
        Assert.Equal(2, reused.ColumnCount);
        Assert.True((plain - reused).FrobeniusNorm() < 1e-9 * plain.FrobeniusNorm());
    }

    [Fact]
    public void The_null_space_edit_leaves_every_key_in_the_preserved_span_exactly_alone()
    {
        const int n = 10;
        // C with a well-used span (eigenvalue 1, first 6 directions) and a rarely used one (0.05).
        var basis = Random(n, n).QR().Q;
        var c = basis * Matrix<double>.Build.DenseOfDiagonalArray([1, 1, 1, 1, 1, 1, 0.05, 0.05, 0.05, 0.05]) * basis.Transpose();
        var (inverse, dimensions) = Solve.NullSpaceInverse(c, lambda: 2, threshold: 0.5);
        Assert.Equal(4, dimensions);

        var key = Random(n, 1);
        var a = Solve.KeyFactors(inverse, key);
        var preserved = basis.SubMatrix(0, n, 0, 6) * Random(6, 3);
        Assert.True((a.Transpose() * preserved).FrobeniusNorm() < 1e-9 * a.FrobeniusNorm() * preserved.FrobeniusNorm());
        // The plain solve touches the same keys.
        var plain = Solve.KeyFactors(Solve.RegularisedInverse(c, 2), key);
        Assert.True((plain.Transpose() * preserved).FrobeniusNorm() > 1e-2 * plain.FrobeniusNorm() * preserved.FrobeniusNorm());
        // A threshold above every eigenvalue keeps all directions: plain MEMIT.
        var (all, full) = Solve.NullSpaceInverse(c, lambda: 2, threshold: 100);
        Assert.Equal(n, full);
        Assert.True((all - Solve.RegularisedInverse(c, 2)).FrobeniusNorm() < 1e-6 * all.FrobeniusNorm());
    }

    [Fact]
    public void A_larger_constraint_weight_spares_the_earlier_keys_more()
    {
        const int n = 14;
        var inverse = Solve.RegularisedInverse(Covariance(n), lambda: 1);
        var constraints = Random(n, 3);
        // A new key close to the first earlier one: a namesake.
        var newKey = constraints.SubMatrix(0, n, 0, 1) + 0.3 * Random(n, 1);
        var set = new Solve.ConstraintSet(constraints, inverse * constraints);
        double Disturbance(double weight) => (Solve.LayerReusing(inverse, newKey, set, weight).Transpose() * constraints).FrobeniusNorm();

        Assert.True((Solve.LayerReusing(inverse, newKey, set, 1) - Solve.Layer(inverse, newKey, constraints)).FrobeniusNorm() < 1e-9);
        Assert.True(Disturbance(10) < 0.5 * Disturbance(1), $"weight 10: {Disturbance(10)}, weight 1: {Disturbance(1)}");
    }

    [Fact]
    public void The_update_realises_a_fraction_of_each_residual_and_spares_constraint_keys()
    {
        const int n = 16, d = 5;
        var inverse = Solve.RegularisedInverse(Covariance(n), lambda: 0.01);
        var newKey = Random(n, 1);
        var constraints = Random(n, 3);
        var residual = Random(d, 1);
        var a = Solve.Layer(inverse, newKey, constraints);
        var delta = residual * a.Transpose();

        // With a small λ the new key gets nearly its whole residual, the constraint keys nearly nothing.
        var realised = delta * newKey;
        Assert.True((realised - residual).FrobeniusNorm() < 0.1 * residual.FrobeniusNorm());
        Assert.True((delta * constraints).FrobeniusNorm() < 0.1 * residual.FrobeniusNorm());
        // The update has rank 1: one fact, one column.
        Assert.Equal(1, a.ColumnCount);
    }

    [Fact]
    public void A_larger_lambda_realises_less_of_the_residual()
    {
        const int n = 16;
        var c = Covariance(n);
        var key = Random(n, 1);
        double Realised(double lambda) => (key.Transpose() * Solve.Layer(Solve.RegularisedInverse(c, lambda), key, null))[0, 0];
        // kᵀA = a/(1+a) with a = kᵀ(λC)⁻¹k: in (0, 1), falling with λ.
        Assert.InRange(Realised(0.1), Realised(10), 1);
        Assert.InRange(Realised(10), 0, Realised(0.1));
    }
}
