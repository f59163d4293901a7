using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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

        state.Begin(targets, positions, output, request.StopAfterTargets);
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
        // Stopped early, the logits were never computed.
        var logits = request.StopAfterTargets ? [] : new ReadOnlySpan<float>(Llama.llama_get_logits_ith(handle, -1), Model.VocabularySize).ToArray();
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
        state.ReuseRows = true;
        try
        {
            var result = Run(tokens, CaptureRequest.For(sums.Kind, sums.Layers, positions, stopAfterTargets: true));
            foreach (int layer in sums.Layers)
                sums.Add(layer, result.Rows(sums.Kind, layer));
        }
        finally
        {
            state.ReuseRows = false;
        }
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
            if (target < 0) return 1;
            state.Copy(state.Targets[target], tensor);
            // False stops the scheduler's walk of the graph: nothing after the last target is computed.
            return (byte)(state.StopWhenDone && --state.Remaining == 0 ? 0 : 1);
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
        public bool StopWhenDone;
        public int Remaining;
        /// <summary>The rows of a run are read before the next one starts (<see cref="Accumulate"/>): keep their arrays.</summary>
        public bool ReuseRows;
        readonly Dictionary<(CaptureKind, int), float[]> reused = [];

        public void Begin((CaptureKind Kind, int Layer)[] targets, int[] positions, bool[] output, bool stopWhenDone)
        {
            StopWhenDone = stopWhenDone;
            Remaining = targets.Length;
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
            int length = checked(Positions.Length * d);
            // Accumulating reuses one array per target: a 3B layer's 512 rows are 16 MB, garbage the GC is slow to return.
            var result = ReuseRows && reused.TryGetValue((target.Kind, target.Layer), out var kept) && kept.Length == length ? kept : new float[length];
            if (ReuseRows) reused[(target.Kind, target.Layer)] = result;
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
