using System.Numerics;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;
using Lanes = System.Numerics.Vector<double>;

namespace SleepingLlm.Wake;

/// <summary>(λC)⁻¹ applied to keys: all the solve needs of a layer's preserved-key statistics.</summary>
public interface IKeyInverse
{
    /// <summary>n_ff.</summary>
    int Dimension { get; }

    /// <summary>(λC)⁻¹ K for keys K (n_ff × m).</summary>
    Matrix<double> Times(Matrix<double> keys);
}

/// <summary>A dense (λC)⁻¹ (AlphaEdit's null-space inverse, and small models in tests).</summary>
public sealed record DenseKeyInverse(Matrix<double> Inverse) : IKeyInverse
{
    public int Dimension => Inverse.RowCount;
    public Matrix<double> Times(Matrix<double> keys) => Inverse * keys;
}

/// <summary>
/// The Cholesky factor L of C + εI (ε = 1e-6, the ridge that keeps dead FFN units invertible), so that
/// (λC)⁻¹k = L⁻ᵀL⁻¹k / λ is two triangular solves (2·n_ff² per key) instead of a product with a dense
/// inverse that would first cost n_ff³ more to form. Factoring is blocked: the trailing update, where
/// nearly all the n³/3 work is, runs as a register-tiled SIMD product in parallel over row blocks. In
/// float64, row-major, lower triangle (what lies above the diagonal is left as it was).
/// </summary>
public sealed class CovarianceFactor : IKeyInverse
{
    /// <summary>The ridge added to the covariance's diagonal before factoring.</summary>
    public const double Ridge = 1e-6;
    const int Block = 128, TileRows = 4;

    readonly double[] lower;

    CovarianceFactor(double[] lower, int n, double lambda)
    {
        this.lower = lower;
        Dimension = n;
        Lambda = lambda;
    }

    public int Dimension { get; }
    public double Lambda { get; }

    /// <summary>The factor's values (n × n row-major, lower triangle), for the cache.</summary>
    public ReadOnlyMemory<double> Values => lower;

    /// <summary>L in float32 column by column (column j at [j·n ..], zeros above the diagonal): ggml's layout of an n × n matrix whose columns are L's.</summary>
    public float[] Columns()
    {
        int n = Dimension;
        var columns = new float[(long)n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) columns[(long)j * n + i] = (float)lower[(long)i * n + j];
        return columns;
    }

    /// <summary>Gives up the factor's array for reuse (the next layer's factor is read into it); the factor is unusable after.</summary>
    public double[] Release() => lower;

    /// <summary>A factor computed earlier (<see cref="Values"/>), applied with <paramref name="lambda"/>.</summary>
    public static CovarianceFactor FromFactor(double[] lower, int n, double lambda)
    {
        if (lower.LongLength != (long)n * n) throw new ArgumentException($"{lower.LongLength} values for a {n} × {n} factor", nameof(lower));
        return new CovarianceFactor(lower, n, lambda);
    }

    /// <summary>Factors C + εI, overwriting <paramref name="covariance"/> (n × n row-major, symmetric) with L.</summary>
    /// <exception cref="ArgumentException">C + εI is not positive definite (not a covariance).</exception>
    public static CovarianceFactor Factor(double[] covariance, int n, double lambda, IProgress<double>? progress = null)
    {
        if (covariance.LongLength != (long)n * n) throw new ArgumentException($"{covariance.LongLength} values for {n} × {n}", nameof(covariance));
        for (int i = 0; i < n; i++) covariance[(long)i * n + i] += Ridge;
        var packedPanel = new double[(long)Block * n];
        int reported = 0;
        for (int k0 = 0; k0 < n; k0 += Block)
        {
            int kb = Math.Min(Block, n - k0);
            FactorDiagonal(covariance, n, k0, kb);
            int below = n - k0 - kb;
            if (below > 0)
            {
                SolvePanel(covariance, n, k0, kb);
                UpdateTrailing(covariance, n, k0, kb, packedPanel);
            }
            // The work left is the cube of the rows left; reported in quarters.
            double done = 1 - Math.Pow((double)(n - k0 - kb) / n, 3);
            if (progress is not null && (int)(done * 4) > reported) progress.Report((reported = (int)(done * 4)) / 4.0);
        }
        return new CovarianceFactor(covariance, n, lambda);
    }

    /// <summary>The unblocked Cholesky of the kb × kb block at (k0, k0), already updated by the blocks before it.</summary>
    static void FactorDiagonal(double[] a, int n, int k0, int kb)
    {
        for (int j = k0; j < k0 + kb; j++)
        {
            var rowJ = a.AsSpan((int)((long)j * n + k0), j - k0);
            double d = a[(long)j * n + j] - TensorPrimitives.Dot<double>(rowJ, rowJ);
            if (!(d > 0)) throw new ArgumentException($"the covariance is not positive definite (pivot {j}: {d})");
            double pivot = Math.Sqrt(d);
            a[(long)j * n + j] = pivot;
            for (int i = j + 1; i < k0 + kb; i++)
            {
                var rowI = a.AsSpan((int)((long)i * n + k0), j - k0);
                a[(long)i * n + j] = (a[(long)i * n + j] - TensorPrimitives.Dot<double>(rowI, rowJ)) / pivot;
            }
        }
    }

    /// <summary>L21 = A21 L11⁻ᵀ: each row below the block solved against the block's factor, rows in parallel.</summary>
    static void SolvePanel(double[] a, int n, int k0, int kb)
    {
        Parallel.For(k0 + kb, n, i =>
        {
            var rowI = a.AsSpan((int)((long)i * n + k0), kb);
            for (int j = 0; j < kb; j++)
            {
                var rowJ = a.AsSpan((int)((long)(k0 + j) * n + k0), j);
                rowI[j] = (rowI[j] - TensorPrimitives.Dot<double>(rowI[..j], rowJ)) / a[(long)(k0 + j) * n + k0 + j];
            }
        });
    }

    /// <summary>A22 −= L21 L21ᵀ on the lower triangle: the n³/3 of the factorisation.</summary>
    static unsafe void UpdateTrailing(double[] a, int n, int k0, int kb, double[] packed)
    {
        int start = k0 + kb, m = n - start;
        // The panel transposed, [kb × m]: for a step p the columns j of L21ᵀ lie side by side.
        for (int r = 0; r < m; r++)
            for (int p = 0; p < kb; p++)
                packed[(long)p * m + r] = a[(long)(start + r) * n + k0 + p];
        int tiles = (m + TileRows - 1) / TileRows;
        // Lower rows hold more columns: hand them out first.
        Parallel.For(0, tiles, t =>
        {
            int r0 = (tiles - 1 - t) * TileRows, rows = Math.Min(TileRows, m - r0);
            fixed (double* pa = a)
            fixed (double* pt = packed)
                UpdateRows(pa, pt, n, m, start, k0, kb, r0, rows);
        });
    }

    /// <summary>Rows r0..r0+rows of A22 (relative to <paramref name="start"/>), columns 0..r0+rows: 4 rows × 3 vectors per tile.</summary>
    static unsafe void UpdateRows(double* a, double* pt, int n, int m, int start, int k0, int kb, int r0, int rows)
    {
        int w = Lanes.Count, width = 3 * w, end = r0 + rows;
        double* l0 = a + (long)(start + r0) * n + k0;
        int j0 = 0;
        double* tile = stackalloc double[TileRows * 3 * Lanes.Count];
        if (rows == TileRows)
            for (; j0 + width <= end; j0 += width)
            {
                Lanes c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default,
                    c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
                for (int p = 0; p < kb; p++)
                {
                    double* b = pt + (long)p * m + j0;
                    var b0 = Vector.Load(b);
                    var b1 = Vector.Load(b + w);
                    var b2 = Vector.Load(b + 2 * w);
                    var x = new Lanes(l0[p]);
                    c00 = Vector.FusedMultiplyAdd(x, b0, c00); c01 = Vector.FusedMultiplyAdd(x, b1, c01); c02 = Vector.FusedMultiplyAdd(x, b2, c02);
                    x = new Lanes(l0[n + p]);
                    c10 = Vector.FusedMultiplyAdd(x, b0, c10); c11 = Vector.FusedMultiplyAdd(x, b1, c11); c12 = Vector.FusedMultiplyAdd(x, b2, c12);
                    x = new Lanes(l0[2L * n + p]);
                    c20 = Vector.FusedMultiplyAdd(x, b0, c20); c21 = Vector.FusedMultiplyAdd(x, b1, c21); c22 = Vector.FusedMultiplyAdd(x, b2, c22);
                    x = new Lanes(l0[3L * n + p]);
                    c30 = Vector.FusedMultiplyAdd(x, b0, c30); c31 = Vector.FusedMultiplyAdd(x, b1, c31); c32 = Vector.FusedMultiplyAdd(x, b2, c32);
                }
                c00.Store(tile); c01.Store(tile + w); c02.Store(tile + 2 * w);
                c10.Store(tile + width); c11.Store(tile + width + w); c12.Store(tile + width + 2 * w);
                c20.Store(tile + 2 * width); c21.Store(tile + 2 * width + w); c22.Store(tile + 2 * width + 2 * w);
                c30.Store(tile + 3 * width); c31.Store(tile + 3 * width + w); c32.Store(tile + 3 * width + 2 * w);
                for (int r = 0; r < TileRows; r++)
                {
                    int i = r0 + r;
                    double* target = a + (long)(start + i) * n + start + j0;
                    for (int c = 0; c < width && j0 + c <= i; c++) target[c] -= tile[r * width + c];
                }
            }
        // What the tiles leave: the columns up to the diagonal past the last whole tile, or a short last row block.
        for (int r = 0; r < rows; r++)
        {
            int i = r0 + r;
            double* li = a + (long)(start + i) * n + k0;
            var rowI = new ReadOnlySpan<double>(li, kb);
            for (int j = j0; j <= i; j++)
            {
                double sum = 0;
                for (int p = 0; p < kb; p++) sum += rowI[p] * pt[(long)p * m + j];
                a[(long)(start + i) * n + start + j] -= sum;
            }
        }
    }

    /// <summary>(λC)⁻¹ K = L⁻ᵀ L⁻¹ K / λ, keys in parallel.</summary>
    public Matrix<double> Times(Matrix<double> keys)
    {
        if (keys.RowCount != Dimension) throw new ArgumentException($"keys of {keys.RowCount}, not {Dimension}", nameof(keys));
        var result = Matrix<double>.Build.Dense(Dimension, keys.ColumnCount);
        Parallel.For(0, keys.ColumnCount, c =>
        {
            var x = keys.Column(c).ToArray();
            Solve(x);
            for (int i = 0; i < x.Length; i++) result[i, c] = x[i] / Lambda;
        });
        return result;
    }

    /// <summary>x ← L⁻ᵀ L⁻¹ x: forward substitution by rows, then back substitution as row updates (L is row-major).</summary>
    void Solve(double[] x)
    {
        int n = Dimension;
        for (int i = 0; i < n; i++)
        {
            var row = lower.AsSpan((int)((long)i * n), i);
            x[i] = (x[i] - TensorPrimitives.Dot<double>(row, x.AsSpan(0, i))) / lower[(long)i * n + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            x[i] /= lower[(long)i * n + i];
            var head = x.AsSpan(0, i);
            TensorPrimitives.MultiplyAdd<double>(lower.AsSpan((int)((long)i * n), i), -x[i], head, head);
        }
    }
}
