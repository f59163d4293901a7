using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using SleepingLlm.Native;

namespace SleepingLlm.Inference;

/// <summary>
/// Reads activations out of llama.cpp's own forward pass through the eval callback: the input of each
/// block's down projection (the MEMIT key) and the residual stream after a block. It owns a capture
/// context of its own (flash attention off, at most <see cref="MaxTokens"/> tokens decoded as one
/// batch); the model's chat contexts are untouched. The callback answers "yes" only for the nodes a
/// run asks for, since every yes costs the scheduler a graph split and a sync. Engine thread only.
/// </summary>
public sealed unsafe class ActivationCapture : IDisposable
{
    const int TypeF32 = 0;

    readonly SafeLlamaContextHandle handle;
    readonly LlamaBatch batch;
    readonly CaptureState state;
    GCHandle stateHandle;
    bool disposed;

    /// <param name="model">The model; it must outlive nothing here (the context keeps it alive).</param>
    /// <param name="maxTokens">The longest sequence one <see cref="Run"/> takes: the context, batch and micro-batch size.</param>
    public ActivationCapture(Model model, int maxTokens = 512)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        Model = model;
        LayerCount = model.LayerCount;
        EmbeddingLength = model.EmbeddingLength;
        FeedForwardLength = int.TryParse(Meta(model, $"{Meta(model, "general.architecture")}.feed_forward_length"), out int ff) ? ff : null;
        state = new CaptureState(LayerCount);
        stateHandle = GCHandle.Alloc(state);

        var parameters = Llama.llama_context_default_params();
        // One sequence, decoded in one micro-batch: every requested node is then seen exactly once per run.
        parameters.NCtx = parameters.NBatch = parameters.NUbatch = (uint)maxTokens;
        parameters.NSeqMax = 1;
        int threads = model.Options.Threads > 0 ? model.Options.Threads : Environment.ProcessorCount;
        parameters.NThreads = parameters.NThreadsBatch = threads;
        parameters.FlashAttnType = LlamaFlashAttn.Disabled;
        // F32 K/V: the same arithmetic as the kernel graph, so captured keys equal the graph's.
        parameters.TypeK = parameters.TypeV = Ggml.TypeF32;
        parameters.NoPerf = true;
        parameters.CbEval = &OnEval;
        parameters.CbEvalUserData = GCHandle.ToIntPtr(stateHandle);
        handle = Llama.llama_init_from_model(model.Handle, parameters);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            stateHandle.Free();
            throw new SleepingLlmException($"llama.cpp could not create a capture context of {maxTokens} tokens" +
                (NativeLog.LastProblem is { } p ? $": {p}" : ""));
        }
        handle.KeepAlive(model.Handle);
        MaxTokens = Math.Min(maxTokens, (int)Llama.llama_n_batch(handle));
        batch = Llama.llama_batch_init(MaxTokens, 0, 1);
    }

    public Model Model { get; }
    /// <summary>The longest sequence a run takes.</summary>
    public int MaxTokens { get; }
    public int LayerCount { get; }
    public int EmbeddingLength { get; }
    /// <summary>n_ff from the model's metadata; null when it is not one number (per-layer sizes).</summary>
    public int? FeedForwardLength { get; }

    /// <summary>Test hook: called inside the eval callback just before a node's data is copied.</summary>
    internal Action<CaptureKind, int>? BeforeCopy { get => state.BeforeCopy; set => state.BeforeCopy = value; }

    /// <summary>The floats per token of a kind (n_ff or n_embd).</summary>
    public int Dimension(CaptureKind kind) => kind switch
    {
        CaptureKind.LayerOutput => EmbeddingLength,
        CaptureKind.FfnDownInput => FeedForwardLength
            ?? throw new SleepingLlmException("the model's feed-forward length is not a single number"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Decodes <paramref name="tokens"/> from an empty cache in one batch and returns the requested
    /// activations at the requested positions, with the logits of the last token.
    /// </summary>
    /// <exception cref="SleepingLlmException">a layer or position out of range, a sequence longer than
    /// <see cref="MaxTokens"/>, a node the graph does not have, or a failure inside the callback.</exception>
    public CaptureResult Run(ReadOnlySpan<int> tokens, CaptureRequest request)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(request);
        int n = tokens.Length;
        if (n == 0) throw new ArgumentException("no tokens", nameof(tokens));
        if (n > MaxTokens)
            throw new SleepingLlmException($"the sequence has {n} tokens, more than the capture context's {MaxTokens}");
        var targets = request.Targets.ToArray();
        foreach (var (kind, layer) in targets)
            if (layer < 0 || layer >= LayerCount)
                throw new SleepingLlmException($"cannot capture {kind} at layer {layer}: the model has {LayerCount} layers (0-{LayerCount - 1})");
        int[] positions = request.Positions is { Count: > 0 } requested ? [.. requested] : [.. Enumerable.Range(0, n)];
        foreach (int p in positions)
            if (p < 0 || p >= n)
                throw new SleepingLlmException($"cannot capture position {p} of a {n}-token sequence");

        // The last block only runs on the tokens that produce output (llama.cpp trims the batch with
        // get_rows before it), so capturing there needs outputs at every requested position.
        var output = new bool[n];
        output[n - 1] = true;
        if (targets.Any(t => t.Layer == LayerCount - 1))
            foreach (int p in positions) output[p] = true;

        state.Begin(targets, positions, output);
        int status;
        try
        {
            Llama.llama_memory_clear(Llama.llama_get_memory(handle), true);
            var b = batch;
            b.NTokens = n;
            for (int i = 0; i < n; i++)
            {
                b.Token[i] = tokens[i];
                b.Pos[i] = i;
                b.NSeqId[i] = 1;
                b.SeqId[i][0] = 0;
                b.Logits[i] = (sbyte)(output[i] ? 1 : 0);
            }
            status = Llama.llama_decode(handle, b);
        }
        finally
        {
            state.Active = false;
        }

        if (state.Error is { } error)
        {
            Llama.llama_memory_clear(Llama.llama_get_memory(handle), true);
            throw new SleepingLlmException($"activation capture failed: {error.Message}", error);
        }
        if (status != 0)
        {
            Llama.llama_memory_clear(Llama.llama_get_memory(handle), true);
            throw new SleepingLlmException($"llama_decode failed ({status}) during activation capture" +
                (NativeLog.LastProblem is { } p ? $": {p}" : ""));
        }

        var rows = new Dictionary<(CaptureKind, int), float[]>();
        var dims = new Dictionary<(CaptureKind, int), int>();
        foreach (var target in state.Targets)
        {
            if (target.Rows is null)
                throw new SleepingLlmException($"llama.cpp's graph for this model has no {Describe(target.Kind, target.Layer)}; " +
                    "its architecture is not supported by activation capture");
            rows[(target.Kind, target.Layer)] = target.Rows;
            dims[(target.Kind, target.Layer)] = target.Dimension;
        }
        var logits = new ReadOnlySpan<float>(Llama.llama_get_logits_ith(handle, -1), Model.VocabularySize).ToArray();
        state.Clear();
        return new CaptureResult(n, positions, rows, dims, logits);
    }

    /// <summary>A second-moment accumulator for this model's <paramref name="kind"/> at <paramref name="layers"/>.</summary>
    public CaptureSums CreateSums(CaptureKind kind, params int[] layers) => new(kind, Dimension(kind), layers);

    /// <summary>
    /// Decodes one sequence (at most <see cref="MaxTokens"/> tokens) and adds the activations at
    /// <paramref name="positions"/> (null: all) to <paramref name="sums"/>: for each of its layers
    /// <c>KᵀK</c> and the row count grow by that sequence's rows.
    /// </summary>
    public void Accumulate(ReadOnlySpan<int> tokens, CaptureSums sums, IReadOnlyList<int>? positions = null)
    {
        ArgumentNullException.ThrowIfNull(sums);
        if (sums.Dimension != Dimension(sums.Kind))
            throw new ArgumentException($"the sums are {sums.Dimension}-dimensional; this model's {sums.Kind} has {Dimension(sums.Kind)}", nameof(sums));
        var result = Run(tokens, CaptureRequest.For(sums.Kind, sums.Layers, positions));
        foreach (int layer in sums.Layers)
            sums.Add(layer, result.Rows(sums.Kind, layer));
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        handle.Dispose();
        Llama.llama_batch_free(batch);
        stateHandle.Free();
        state.Dispose();
    }

    static string Describe(CaptureKind kind, int layer) => kind == CaptureKind.FfnDownInput
        ? $"input of blk.{layer}.ffn_down.weight (FfnDownInput, layer {layer})"
        : $"node l_out-{layer} (LayerOutput, layer {layer})";

    static string? Meta(Model model, string key)
    {
        var buffer = stackalloc byte[256];
        int length = Llama.llama_model_meta_val_str(model.Handle, key, buffer, 256);
        return length < 0 ? null : Encoding.UTF8.GetString(buffer, Math.Min(length, 255));
    }

    /// <summary>
    /// The eval callback. It never lets an exception reach native code: the first one is kept in the
    /// state and the callback returns false, which stops the rest of the graph; <see cref="Run"/>
    /// rethrows it after llama_decode returns.
    /// </summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    static byte OnEval(GgmlTensor* tensor, byte ask, nint userData)
    {
        CaptureState? state = null;
        try
        {
            state = (CaptureState?)GCHandle.FromIntPtr(userData).Target;
            if (state is null || !state.Active || state.Error is not null) return 0;
            int target = state.Match(tensor);
            if (ask != 0) return (byte)(target >= 0 ? 1 : 0);
            if (target >= 0) state.Copy(state.Targets[target], tensor);
            return 1;
        }
        catch (Exception e)
        {
            if (state is not null) state.Error ??= e;
            return 0;
        }
    }

    sealed class Target(CaptureKind kind, int layer)
    {
        public CaptureKind Kind { get; } = kind;
        public int Layer { get; } = layer;
        public float[]? Rows;
        public int Dimension;
    }

    /// <summary>What the callback needs for the run in progress; reached through a GCHandle.</summary>
    sealed class CaptureState(int layerCount) : IDisposable
    {
        static ReadOnlySpan<byte> LayerOutputPrefix => "l_out-"u8;
        static ReadOnlySpan<byte> WeightPrefix => "blk."u8;
        static ReadOnlySpan<byte> FfnDownSuffix => ".ffn_down.weight"u8;

        // (kind * layerCount + layer) → index in Targets, or -1.
        readonly int[] targetOf = new int[2 * layerCount];
        byte* scratch;
        nuint scratchSize;

        public bool Active;
        public Exception? Error;
        public Target[] Targets = [];
        public int[] Positions = [];
        public int TokenCount;
        public int OutputCount;
        public int[] OutputRow = [];
        public Action<CaptureKind, int>? BeforeCopy;

        public void Begin((CaptureKind Kind, int Layer)[] targets, int[] positions, bool[] output)
        {
            Array.Fill(targetOf, -1);
            Targets = new Target[targets.Length];
            for (int i = 0; i < targets.Length; i++)
            {
                Targets[i] = new Target(targets[i].Kind, targets[i].Layer);
                targetOf[(int)targets[i].Kind * layerCount + targets[i].Layer] = i;
            }
            Positions = positions;
            TokenCount = output.Length;
            OutputRow = new int[output.Length];
            OutputCount = 0;
            for (int i = 0; i < output.Length; i++) OutputRow[i] = output[i] ? OutputCount++ : -1;
            Error = null;
            Active = true;
        }

        public void Clear()
        {
            Targets = [];
            Array.Fill(targetOf, -1);
        }

        /// <summary>The target this node carries, or -1. No allocation: it runs for every node of every decode.</summary>
        public int Match(GgmlTensor* tensor)
        {
            CaptureKind kind;
            int layer;
            if (tensor->Op == Ggml.OpMulMat)
            {
                var weight = (GgmlTensor*)tensor->Src[0];
                if (weight == null || !ParseWeight(Name(weight), out layer)) return -1;
                kind = CaptureKind.FfnDownInput;
            }
            else
            {
                var name = Name(tensor);
                if (!name.StartsWith(LayerOutputPrefix) || !ParseLayer(name[LayerOutputPrefix.Length..], out layer)) return -1;
                kind = CaptureKind.LayerOutput;
            }
            return layer < layerCount ? targetOf[(int)kind * layerCount + layer] : -1;
        }

        static ReadOnlySpan<byte> Name(GgmlTensor* tensor)
        {
            var bytes = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<GgmlTensor.NameArray, byte>(ref tensor->Name), GgmlTensor.MaxName);
            int end = bytes.IndexOf((byte)0);
            return end < 0 ? bytes : bytes[..end];
        }

        static bool ParseWeight(ReadOnlySpan<byte> name, out int layer)
        {
            layer = -1;
            if (!name.StartsWith(WeightPrefix) || !name.EndsWith(FfnDownSuffix)) return false;
            return ParseLayer(name[WeightPrefix.Length..^FfnDownSuffix.Length], out layer);
        }

        static bool ParseLayer(ReadOnlySpan<byte> digits, out int layer)
        {
            layer = 0;
            if (digits.IsEmpty || digits.Length > 6) return false;
            foreach (byte c in digits)
            {
                if (c is < (byte)'0' or > (byte)'9') return false;
                layer = layer * 10 + (c - '0');
            }
            return true;
        }

        /// <summary>Copies the requested rows of the node's data (strided, host or device memory) into managed memory.</summary>
        public void Copy(Target target, GgmlTensor* node)
        {
            BeforeCopy?.Invoke(target.Kind, target.Layer);
            var x = target.Kind == CaptureKind.FfnDownInput ? (GgmlTensor*)node->Src[1] : node;
            string what = Describe(target.Kind, target.Layer);
            if (x == null) throw new SleepingLlmException($"the {what} has no data tensor");
            if (target.Rows is not null)
                throw new SleepingLlmException($"the {what} was computed twice in one decode");
            if (x->Type != TypeF32)
                throw new SleepingLlmException($"the {what} has ggml type {x->Type}, not F32");
            long dim = x->Ne[0], rows = x->Ne[1];
            if (x->Ne[2] != 1 || x->Ne[3] != 1)
                throw new SleepingLlmException($"the {what} has shape [{x->Ne[0]}, {x->Ne[1]}, {x->Ne[2]}, {x->Ne[3]}], not [dim, tokens]");
            bool everyToken = rows == TokenCount;
            if (!everyToken && rows != OutputCount)
                throw new SleepingLlmException($"the {what} has {rows} rows for a {TokenCount}-token batch with {OutputCount} outputs");

            byte* data;
            bool host = x->Buffer == 0 ? x->Data != null : Ggml.ggml_backend_buffer_is_host(x->Buffer);
            if (host) data = (byte*)x->Data;
            else
            {
                nuint size = Ggml.ggml_nbytes(x);
                if (size > scratchSize)
                {
                    NativeMemory.Free(scratch);
                    scratch = null;
                    scratchSize = 0;
                    scratch = (byte*)NativeMemory.Alloc(size);
                    scratchSize = size;
                }
                Ggml.ggml_backend_tensor_get(x, scratch, 0, size);
                data = scratch;
            }
            if (data == null) throw new SleepingLlmException($"the {what} has no data");

            int d = checked((int)dim);
            var result = new float[checked(Positions.Length * d)];
            nuint nb0 = x->Nb[0], nb1 = x->Nb[1];
            for (int i = 0; i < Positions.Length; i++)
            {
                int token = Positions[i];
                int row = everyToken ? token : OutputRow[token];
                if (row < 0)
                    throw new SleepingLlmException($"the {what} is only computed for output tokens, and token {token} is not one");
                byte* source = data + (nuint)row * nb1;
                var destination = result.AsSpan(i * d, d);
                if (nb0 == sizeof(float)) new ReadOnlySpan<float>(source, d).CopyTo(destination);
                else for (int k = 0; k < d; k++) destination[k] = *(float*)(source + (nuint)k * nb0);
            }
            target.Rows = result;
            target.Dimension = d;
        }

        public void Dispose()
        {
            NativeMemory.Free(scratch);
            scratch = null;
            scratchSize = 0;
        }
    }
}

/// <summary>
/// Streaming uncentered second moments of one activation kind: for each layer the matrix
/// <c>KᵀK = Σ k kᵀ</c> over every row added (float64, <see cref="Dimension"/>²) and the row count,
/// for the key covariance of MEMIT. Rows are added in chunks of <see cref="ChunkRows"/>: each chunk's
/// product is formed in float32 by a register-blocked SIMD kernel over the upper triangle, in parallel
/// over column panels, and then added to the float64 sums.
/// </summary>
public sealed unsafe class CaptureSums
{
    /// <summary>Rows per float32 partial product (keeps the float32 error at the level of a 256-term sum).</summary>
    public const int ChunkRows = 256;
    const int PanelWidth = 32, TileRows = 8;

    readonly Dictionary<int, int> layerIndex = [];
    readonly double[][] upper;
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
        upper = new double[Layers.Count][];
        for (int i = 0; i < upper.Length; i++) upper[i] = new double[(long)dimension * dimension];
        counts = new long[Layers.Count];
        paddedDimension = (dimension + PanelWidth - 1) / PanelWidth * PanelWidth;
    }

    public CaptureKind Kind { get; }
    /// <summary>Floats per row (n_ff for keys).</summary>
    public int Dimension { get; }
    public IReadOnlyList<int> Layers { get; }

    /// <summary>Test switch: use the portable <see cref="Vector{T}"/> kernel even where Vector512 is accelerated.</summary>
    internal static bool ForcePortableKernel { get; set; }

    /// <summary>Rows added at <paramref name="layer"/>.</summary>
    public long Count(int layer) => counts[Index(layer)];

    /// <summary>Σ k kᵀ at <paramref name="layer"/>: a new symmetric <c>Dimension × Dimension</c> row-major array.</summary>
    public double[] SecondMoment(int layer)
    {
        var u = upper[Index(layer)];
        int d = Dimension;
        var full = new double[(long)d * d];
        for (int i = 0; i < d; i++)
            for (int j = i; j < d; j++)
                full[(long)i * d + j] = full[(long)j * d + i] = u[(long)i * d + j];
        return full;
    }

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
            AddChunk(upper[index], n);
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

    void AddChunk(double[] sums, int n)
    {
        int panels = paddedDimension / PanelWidth;
        bool wide = Vector512.IsHardwareAccelerated && !ForcePortableKernel;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        // Panels to the right hold more tiles (the upper triangle): hand them out first.
        Parallel.For(0, panels, options, k =>
        {
            int panel = panels - 1 - k;
            fixed (float* p = packed)
            fixed (double* s = sums)
            {
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
    static void Tile512(float* a, float* b, int n, double* sums, int i0, int j0, int dimension)
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
    static void TilePortable(float* a, float* b, int n, double* sums, int i0, int j0, int dimension)
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

    /// <summary>Adds a float32 tile to the float64 sums, dropping the padding.</summary>
    static void Flush(float* tile, int rows, int columns, double* sums, int i0, int j0, int dimension)
    {
        int rowEnd = Math.Min(rows, dimension - i0), columnEnd = Math.Min(columns, dimension - j0);
        for (int r = 0; r < rowEnd; r++)
        {
            double* s = sums + (long)(i0 + r) * dimension + j0;
            float* t = tile + r * columns;
            for (int c = 0; c < columnEnd; c++) s[c] += t[c];
        }
    }
}
