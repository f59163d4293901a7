using MathNet.Numerics.LinearAlgebra;

namespace SleepingLlm.Wake;

/// <summary>
/// MEMIT's least-squares step at one layer, in float64: the update ΔW = R Aᵀ that maps each new key
/// k_i to its residual r_i while disturbing the preserved keys (covariance C) and the constraint keys
/// (earlier memories, residual 0) as little as possible:
///   A = (λC + K Kᵀ)⁻¹ K = P (I + Kᵀ P)⁻¹ with P = (λC)⁻¹ K   (Woodbury, so C is factored once per layer:
///   <see cref="CovarianceFactor"/>; P is two triangular solves per key).
/// ΔW has rank ≤ the number of new keys: it is stored as the factors R (n_embd × m) and A (n_ff × m).
/// </summary>
public static class Solve
{
    /// <summary>
    /// (λC)⁻¹ for a layer's uncentered key covariance C (n_ff × n_ff), dense: the reference the factored
    /// form (<see cref="CovarianceFactor"/>) is checked against; n_ff³ work, so for small matrices only.
    /// </summary>
    public static Matrix<double> RegularisedInverse(Matrix<double> covariance, double lambda)
    {
        if (covariance.RowCount != covariance.ColumnCount) throw new ArgumentException("the covariance must be square");
        // A small ridge keeps rarely used directions (dead FFN units) invertible.
        var regularised = covariance * lambda + Matrix<double>.Build.DenseIdentity(covariance.RowCount) * (1e-6 * lambda);
        return regularised.Cholesky().Solve(Matrix<double>.Build.DenseIdentity(covariance.RowCount));
    }

    /// <summary>
    /// AlphaEdit's null-space projection on MEMIT's solve: (λC)⁻¹ restricted to the directions where C's
    /// eigenvalue is below <paramref name="threshold"/> times its mean, i.e. P (λC)⁻¹ P with P the projector
    /// onto that near-null space. Every factor A = inverse·K(…)⁻¹ then lies in that space, so the edit
    /// gives exactly zero on any key inside the preserved span, instead of MEMIT's small but nonzero
    /// change. A threshold at or above the largest eigenvalue's ratio is plain <see cref="RegularisedInverse"/>.
    /// Returns the inverse and how many dimensions the edit may use.
    /// </summary>
    public static (Matrix<double> Inverse, int Dimensions) NullSpaceInverse(Matrix<double> covariance, double lambda, double threshold)
    {
        if (covariance.RowCount != covariance.ColumnCount) throw new ArgumentException("the covariance must be square");
        if (threshold <= 0) throw new ArgumentOutOfRangeException(nameof(threshold), "the threshold is a positive ratio to the mean eigenvalue");
        int n = covariance.RowCount;
        var evd = covariance.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Real();
        double limit = threshold * values.Sum() / n;
        var kept = Enumerable.Range(0, n).Where(i => values[i] < limit).ToArray();
        var u = Matrix<double>.Build.Dense(n, kept.Length, (r, c) => evd.EigenVectors[r, kept[c]]);
        // The same ridge as RegularisedInverse, so a threshold that keeps everything gives the same inverse.
        var scaled = Matrix<double>.Build.Dense(n, kept.Length, (r, c) => u[r, c] / (lambda * (values[kept[c]] + 1e-6)));
        return (scaled.TransposeAndMultiply(u), kept.Length);
    }

    /// <summary>
    /// The key-side factors A (n_ff × (m + c)) for m new keys followed by c constraint keys; the
    /// caller keeps the first m columns (constraint residuals are zero, so theirs drop out of ΔW).
    /// </summary>
    public static Matrix<double> KeyFactors(Matrix<double> inverse, Matrix<double> keys) => KeyFactors(new DenseKeyInverse(inverse), keys);

    public static Matrix<double> KeyFactors(IKeyInverse inverse, Matrix<double> keys)
    {
        var p = inverse.Times(keys);
        var s = keys.TransposeThisAndMultiply(p) + Matrix<double>.Build.DenseIdentity(keys.ColumnCount);
        return p * s.Inverse();
    }

    /// <summary>
    /// One layer's update for new keys K (n_ff × m) with residuals R (n_embd × m), earlier memories'
    /// keys as constraints: returns A (n_ff × m) with ΔW = R Aᵀ.
    /// </summary>
    public static Matrix<double> Layer(Matrix<double> inverse, Matrix<double> newKeys, Matrix<double>? constraintKeys) =>
        Layer(new DenseKeyInverse(inverse), newKeys, constraintKeys);

    public static Matrix<double> Layer(IKeyInverse inverse, Matrix<double> newKeys, Matrix<double>? constraintKeys)
    {
        var keys = constraintKeys is null || constraintKeys.ColumnCount == 0 ? newKeys : newKeys.Append(constraintKeys);
        return KeyFactors(inverse, keys).SubMatrix(0, inverse.Dimension, 0, newKeys.ColumnCount);
    }

    /// <summary>Constraint keys C and their projections (λC)⁻¹C, which the caller keeps between writes.</summary>
    public sealed record ConstraintSet(Matrix<double> Keys, Matrix<double> Projected);

    /// <summary>
    /// <see cref="Layer(Matrix{double}, Matrix{double}, Matrix{double}?)"/> with the constraints' projections
    /// given. <paramref name="constraintWeight"/> is how much each earlier key's squared error counts beside
    /// a new key's (1: alike); a larger weight shields earlier memories from a namesake's write.
    /// </summary>
    public static Matrix<double> LayerReusing(Matrix<double> inverse, Matrix<double> newKeys, ConstraintSet? constraints, double constraintWeight = 1) =>
        LayerReusing(new DenseKeyInverse(inverse), newKeys, constraints, constraintWeight);

    public static Matrix<double> LayerReusing(IKeyInverse inverse, Matrix<double> newKeys, ConstraintSet? constraints, double constraintWeight = 1)
    {
        if (constraints is null) return Layer(inverse, newKeys, null);
        // Weighting a key's squared error by w is the key scaled by √w (its projection too: it is linear).
        double scale = Math.Sqrt(constraintWeight);
        var keys = newKeys.Append(scale == 1 ? constraints.Keys : constraints.Keys * scale);
        var p = inverse.Times(newKeys).Append(scale == 1 ? constraints.Projected : constraints.Projected * scale);
        var s = keys.TransposeThisAndMultiply(p) + Matrix<double>.Build.DenseIdentity(keys.ColumnCount);
        return p * s.Inverse().SubMatrix(0, keys.ColumnCount, 0, newKeys.ColumnCount);
    }
}
