using System.Numerics;
using System.Runtime.Intrinsics;

namespace SleepingLlm.Inference;

/// <summary>
/// Streaming uncentered second moments of one activation kind: for each layer the matrix
/// <c>KᵀK = Σ k kᵀ</c> over every row added and the row count, for the key covariance of MEMIT. Only
/// the upper triangle is kept, packed row by row: in float64 while all layers' sums fit
/// <see cref="Float64Budget"/> (a small model), else in float32 (a 3B model's five edit layers: 0.7 GB
/// instead of 2.7 GB). Rows are added in chunks of <see cref="ChunkRows"/>: each chunk's product is
/// formed in float32 by a register-blocked SIMD kernel over the upper triangle, in parallel over
/// column panels, and then added to the sums.
/// </summary>
public sealed unsafe class CaptureSums
{
    /// <summary>Rows per float32 partial product (keeps the float32 error at the level of a 256-term sum).</summary>
    public const int ChunkRows = 256;
    const int PanelWidth = 32, TileRows = 8;
    /// <summary>The most memory the sums of all layers take in float64 (beyond it they are float32).</summary>
    public const long Float64Budget = 512L << 20;

    readonly Dictionary<int, int> layerIndex = [];
    readonly double[]?[] upper;
    readonly float[]?[] upper32;
    readonly long[] counts;
    readonly int paddedDimension;
    float[]? packed;

    public CaptureSums(CaptureKind kind, int dimension, params int[] layers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0) throw new ArgumentException("no layers", nameof(layers));
        Kind = kind;
        Dimension = dimension;
        Layers = [.. layers.Distinct()];
        foreach (int layer in Layers) layerIndex[layer] = layerIndex.Count;
        long packed = (long)dimension * (dimension + 1) / 2;
        upper = new double[Layers.Count][];
        upper32 = new float[Layers.Count][];
        IsFloat64 = !ForceFloat32 && packed * sizeof(double) * Layers.Count <= Float64Budget;
        for (int i = 0; i < Layers.Count; i++)
            if (IsFloat64) upper[i] = new double[packed];
            else upper32[i] = new float[packed];
        counts = new long[Layers.Count];
        paddedDimension = (dimension + PanelWidth - 1) / PanelWidth * PanelWidth;
    }

    public CaptureKind Kind { get; }
    /// <summary>Floats per row (n_ff for keys).</summary>
    public int Dimension { get; }
    public IReadOnlyList<int> Layers { get; }
    /// <summary>Whether the sums are kept in float64 (else float32; see <see cref="Float64Budget"/>).</summary>
    public bool IsFloat64 { get; }

    /// <summary>Test switch: use the portable <see cref="Vector{T}"/> kernel even where Vector512 is accelerated.</summary>
    internal static bool ForcePortableKernel { get; set; }

    /// <summary>Test switch: keep the sums in float32 whatever their size.</summary>
    internal static bool ForceFloat32 { get; set; }

    /// <summary>Rows added at <paramref name="layer"/>.</summary>
    public long Count(int layer) => counts[Index(layer)];

    /// <summary>Σ k kᵀ at <paramref name="layer"/>: a new symmetric <c>Dimension × Dimension</c> row-major array.</summary>
    public double[] SecondMoment(int layer)
    {
        int d = Dimension;
        var full = new double[(long)d * d];
        for (int i = 0; i < d; i++) Row(layer, i, full.AsSpan((int)((long)i * d), d));
        return full;
    }

    /// <summary>Row <paramref name="i"/> of Σ k kᵀ at <paramref name="layer"/> (a covariance is written row by row, never whole).</summary>
    public void Row(int layer, int i, Span<double> row)
    {
        int index = Index(layer), d = Dimension;
        if (row.Length != d) throw new ArgumentException($"a row has {d} values", nameof(row));
        var u = upper[index];
        var u32 = upper32[index];
        if (u is null && u32 is null) throw new InvalidOperationException($"the sums of layer {layer} were released");
        for (int j = 0; j < i; j++) row[j] = u is not null ? u[Packed(j, i, d)] : u32![Packed(j, i, d)];
        long start = Packed(i, i, d);
        for (int j = i; j < d; j++) row[j] = u is not null ? u[start + j - i] : u32![start + j - i];
    }

    /// <summary>Frees a layer's sums once they are written out.</summary>
    public void Release(int layer)
    {
        int index = Index(layer);
        upper[index] = null;
        upper32[index] = null;
    }

    /// <summary>Where (i, j), i ≤ j, sits in the packed upper triangle: row i holds columns i..d-1.</summary>
    static long Packed(int i, int j, int d) => (long)i * d - (long)i * (i - 1) / 2 + (j - i);

    /// <summary>Adds rows (<c>[rows × Dimension]</c>, row-major) to <paramref name="layer"/>'s sums.</summary>
    public void Add(int layer, ReadOnlySpan<float> rows)
    {
        int index = Index(layer);
        if (rows.Length % Dimension != 0)
            throw new ArgumentException($"{rows.Length} floats are not whole rows of {Dimension}", nameof(rows));
        int rowCount = rows.Length / Dimension;
        int panels = paddedDimension / PanelWidth;
        packed ??= new float[panels * ChunkRows * PanelWidth];
        for (int start = 0; start < rowCount; start += ChunkRows)
        {
            int n = Math.Min(ChunkRows, rowCount - start);
            Pack(rows.Slice(start * Dimension, n * Dimension), n);
            AddChunk(index, n);
        }
        counts[index] += rowCount;
    }

    int Index(int layer) => layerIndex.TryGetValue(layer, out int i) ? i
        : throw new ArgumentException($"layer {layer} is not accumulated here (layers: {string.Join(", ", Layers)})", nameof(layer));

    /// <summary>Lays a chunk out as panels of 32 columns, each panel row-major [ChunkRows × 32], zero-padded.</summary>
    void Pack(ReadOnlySpan<float> rows, int n)
    {
        var p = packed!.AsSpan();
        int panels = paddedDimension / PanelWidth;
        for (int panel = 0; panel < panels; panel++)
        {
            int column = panel * PanelWidth, width = Math.Min(PanelWidth, Dimension - column);
            var panelSpan = p.Slice(panel * ChunkRows * PanelWidth, ChunkRows * PanelWidth);
            for (int t = 0; t < n; t++)
            {
                var destination = panelSpan.Slice(t * PanelWidth, PanelWidth);
                rows.Slice(t * Dimension + column, width).CopyTo(destination);
                if (width < PanelWidth) destination[width..].Clear();
            }
        }
    }

    void AddChunk(int index, int n)
    {
        var sums64 = upper[index];
        var sums32 = upper32[index];
        if (sums64 is null && sums32 is null) throw new InvalidOperationException("the sums of this layer were released");
        int panels = paddedDimension / PanelWidth;
        bool wide = Vector512.IsHardwareAccelerated && !ForcePortableKernel;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        // Panels to the right hold more tiles (the upper triangle): hand them out first.
        Parallel.For(0, panels, options, k =>
        {
            int panel = panels - 1 - k;
            fixed (float* p = packed)
            fixed (double* s64 = sums64)
            fixed (float* s32 = sums32)
            {
                var s = new Sums(s64, s32);
                float* columns = p + panel * ChunkRows * PanelWidth;
                int j0 = panel * PanelWidth;
                for (int i0 = 0; i0 < j0 + PanelWidth && i0 < Dimension; i0 += TileRows)
                {
                    float* rowsOfTile = p + i0 / PanelWidth * ChunkRows * PanelWidth + i0 % PanelWidth;
                    if (wide) Tile512(rowsOfTile, columns, n, s, i0, j0, Dimension);
                    else TilePortable(rowsOfTile, columns, n, s, i0, j0, Dimension);
                }
            }
        });
    }

    /// <summary>C[i0..i0+8, j0..j0+32] += Σ_t A[t, i] B[t, j] with 16 Vector512 accumulators.</summary>
    static void Tile512(float* a, float* b, int n, Sums sums, int i0, int j0, int dimension)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default,
            c60 = default, c61 = default, c70 = default, c71 = default;
        for (int t = 0; t < n; t++)
        {
            float* bt = b + t * PanelWidth;
            float* at = a + t * PanelWidth;
            var b0 = Vector512.Load(bt);
            var b1 = Vector512.Load(bt + 16);
            var x = Vector512.Create(at[0]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(at[1]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(at[2]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(at[3]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(at[4]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(at[5]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(at[6]); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(at[7]); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
        }
        float* tile = stackalloc float[TileRows * PanelWidth];
        c00.Store(tile); c01.Store(tile + 16); c10.Store(tile + 32); c11.Store(tile + 48);
        c20.Store(tile + 64); c21.Store(tile + 80); c30.Store(tile + 96); c31.Store(tile + 112);
        c40.Store(tile + 128); c41.Store(tile + 144); c50.Store(tile + 160); c51.Store(tile + 176);
        c60.Store(tile + 192); c61.Store(tile + 208); c70.Store(tile + 224); c71.Store(tile + 240);
        Flush(tile, TileRows, PanelWidth, sums, i0, j0, dimension);
    }

    /// <summary>The same product with <see cref="Vector{T}"/>: 4 rows × 2 vectors per step, over the 8 × 32 tile.</summary>
    static void TilePortable(float* a, float* b, int n, Sums sums, int i0, int j0, int dimension)
    {
        int w = Vector<float>.Count;
        float* tile = stackalloc float[TileRows * PanelWidth];
        for (int r0 = 0; r0 < TileRows; r0 += 4)
            for (int col = 0; col < PanelWidth; col += 2 * w)
            {
                Vector<float> c00 = default, c01 = default, c10 = default, c11 = default,
                    c20 = default, c21 = default, c30 = default, c31 = default;
                for (int t = 0; t < n; t++)
                {
                    float* bt = b + t * PanelWidth + col;
                    float* at = a + t * PanelWidth + r0;
                    var b0 = Vector.Load(bt);
                    var b1 = Vector.Load(bt + w);
                    var x = new Vector<float>(at[0]); c00 = Vector.FusedMultiplyAdd(x, b0, c00); c01 = Vector.FusedMultiplyAdd(x, b1, c01);
                    x = new Vector<float>(at[1]); c10 = Vector.FusedMultiplyAdd(x, b0, c10); c11 = Vector.FusedMultiplyAdd(x, b1, c11);
                    x = new Vector<float>(at[2]); c20 = Vector.FusedMultiplyAdd(x, b0, c20); c21 = Vector.FusedMultiplyAdd(x, b1, c21);
                    x = new Vector<float>(at[3]); c30 = Vector.FusedMultiplyAdd(x, b0, c30); c31 = Vector.FusedMultiplyAdd(x, b1, c31);
                }
                float* o = tile + r0 * PanelWidth + col;
                c00.Store(o); c01.Store(o + w);
                c10.Store(o + PanelWidth); c11.Store(o + PanelWidth + w);
                c20.Store(o + 2 * PanelWidth); c21.Store(o + 2 * PanelWidth + w);
                c30.Store(o + 3 * PanelWidth); c31.Store(o + 3 * PanelWidth + w);
            }
        Flush(tile, TileRows, PanelWidth, sums, i0, j0, dimension);
    }

    /// <summary>The packed upper triangle of one layer: one of the two is set.</summary>
    readonly struct Sums(double* float64, float* float32)
    {
        public readonly double* Float64 = float64;
        public readonly float* Float32 = float32;
    }

    /// <summary>Adds a float32 tile to the packed sums, dropping the padding and what lies below the diagonal.</summary>
    static void Flush(float* tile, int rows, int columns, Sums sums, int i0, int j0, int dimension)
    {
        int rowEnd = Math.Min(rows, dimension - i0), columnEnd = Math.Min(columns, dimension - j0);
        for (int r = 0; r < rowEnd; r++)
        {
            int i = i0 + r, first = Math.Max(0, i - j0);
            long at = Packed(i, j0 + first, dimension);
            float* t = tile + r * columns;
            if (sums.Float64 != null)
                for (int c = first; c < columnEnd; c++) sums.Float64[at + c - first] += t[c];
            else
                for (int c = first; c < columnEnd; c++) sums.Float32[at + c - first] += t[c];
        }
    }
}
