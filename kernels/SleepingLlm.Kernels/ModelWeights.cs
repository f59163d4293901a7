using System.Buffers;
using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;
using SleepingLlm.Native;

namespace SleepingLlm.Kernels;

/// <summary>
/// A GGUF model's tensors in their stored types (quantized weights stay quantized), laid out as ggml's
/// own GGUF parser reads them, not llama.cpp's repacked layout, because backward (out_prod) reads the
/// weights row by row. On the CPU the tensors are read in place from a read-only memory map of the file:
/// no copy is made, so a 3B model costs its file once, shared with the page cache. Only weights asked
/// for in F32 get memory of their own. Other backends get an upload.
/// </summary>
public sealed unsafe class ModelWeights : IDisposable
{
    /// <summary>
    /// The most memory <see cref="LoadForBackward"/> spends on F32 copies of quantized weights. SmolLM2's
    /// trained tail and head fit (~0.5 GB, 2.5× faster backward); a 3B model's (8–9 GB) do not.
    /// </summary>
    public const long WideningBudget = 512L << 20;

    readonly GgmlContext context;
    MemoryMappedFile? file;
    MemoryMappedViewAccessor? view;
    nint[] buffers;

    ModelWeights(string path, Hyperparameters hparams, GgmlContext context, MemoryMappedFile? file, MemoryMappedViewAccessor? view,
        nint[] buffers, long widenedBytes)
    {
        Path = path;
        Hparams = hparams;
        this.context = context;
        this.file = file;
        this.view = view;
        this.buffers = buffers;
        WidenedBytes = widenedBytes;
    }

    public string Path { get; }
    public Hyperparameters Hparams { get; }
    /// <summary>Bytes of memory held by F32 copies of quantized weights (0: every weight is read as stored).</summary>
    public long WidenedBytes { get; }

    /// <summary>
    /// Loads every tensor in its stored type, except that quantized weights of layers from
    /// <paramref name="f32FromLayer"/> on are dequantized to F32: backward through a weight needs
    /// out_prod, which only the CPU backend runs on quantized data (CUDA needs F32, Metal has none).
    /// Null: F32 from the first layer on GPU backends, nothing on the CPU. <paramref name="f32Head"/>
    /// widens the output head too (token_embd when tied): every backward starts there, and ggml's
    /// out_prod dequantizes the whole head once per output row, so with hundreds of rows (sleep's
    /// anchors) the quantized head costs more than all the layers trained.
    /// </summary>
    /// <param name="served">Where llama.cpp already serves each weight in the file's layout (see the engine's
    /// ServedWeights): read there, so the weights are in memory once; valid while that model is loaded.</param>
    public static ModelWeights Load(string path, Backend backend, int? f32FromLayer = null, bool f32Head = false,
        IReadOnlyDictionary<string, nint>? served = null)
    {
        NativeRuntime.Initialize();
        if (!File.Exists(path)) throw new SleepingLlmException($"model file not found: {path}");
        nint ctx = 0;
        using var gguf = GgufNative.gguf_init_from_file(path, new GgufNative.InitParams { NoAlloc = true, Ctx = (nint)(&ctx) });
        if (gguf.IsInvalid) throw new SleepingLlmException($"ggml cannot read {path} as GGUF");
        var context = new GgmlContext(ctx);
        try
        {
            var hparams = Hyperparameters.Read(gguf, path);
            int from = f32FromLayer ?? (backend.IsCpu ? int.MaxValue : 0);
            var dequantize = WidenToF32(gguf, context, from, f32Head);
            if (backend.IsCpu) return Map(gguf, context, path, hparams, dequantize, served);
            context.AllocateOn(backend);
            Upload(gguf, context, path, dequantize);
            return new ModelWeights(path, hparams, context, null, null, [], 0);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Weights for a backward from <paramref name="fromLayer"/> (with the head when <paramref name="head"/>):
    /// those widened to F32 when that takes at most <see cref="WideningBudget"/>, else all as stored.
    /// </summary>
    public static ModelWeights LoadForBackward(string path, Backend backend, int fromLayer, bool head = false,
        IReadOnlyDictionary<string, nint>? served = null)
    {
        if (!backend.IsCpu) return Load(path, backend, fromLayer, head);
        bool fits = F32Bytes(path, fromLayer, head) <= WideningBudget;
        return fits ? Load(path, backend, fromLayer, head, served) : Load(path, backend, served: served);
    }

    /// <summary>Bytes F32 copies of the quantized weights from <paramref name="fromLayer"/> (and the head) would take.</summary>
    public static long F32Bytes(string path, int fromLayer, bool head)
    {
        NativeRuntime.Initialize();
        nint ctx = 0;
        using var gguf = GgufNative.gguf_init_from_file(path, new GgufNative.InitParams { NoAlloc = true, Ctx = (nint)(&ctx) });
        if (gguf.IsInvalid) throw new SleepingLlmException($"ggml cannot read {path} as GGUF");
        using var context = new GgmlContext(ctx);
        return WidenToF32(gguf, context, fromLayer, head).Keys.Sum(name => (long)Ggml.ggml_nbytes(Ggml.ggml_get_tensor(context.Handle, name)));
    }

    /// <summary>
    /// Points every tensor at its stored bytes: where <paramref name="served"/> has it (llama.cpp's own
    /// map of the file), there, else in a read-only map of our own (a write faults: weights are never
    /// trained here). The widened ones get one CPU buffer, filled by dequantizing their stored rows.
    /// </summary>
    static ModelWeights Map(SafeGgufContextHandle gguf, GgmlContext context, string path, Hyperparameters hparams,
        Dictionary<string, int> dequantize, IReadOnlyDictionary<string, nint>? served)
    {
        long dataOffset = (long)GgufNative.gguf_get_data_offset(gguf), length = new FileInfo(path).Length;
        var tensors = new List<(string Name, nint Tensor, long Offset, long StoredBytes)>();
        for (long i = 0; i < GgufNative.gguf_get_n_tensors(gguf); i++)
        {
            string name = NativeRuntime.Utf8(GgufNative.gguf_get_tensor_name(gguf, i));
            var tensor = Ggml.ggml_get_tensor(context.Handle, name);
            long bytes = dequantize.TryGetValue(name, out int type)
                ? Ggml.ggml_nelements(tensor) / Ggml.ggml_get_type_traits(type)->BlckSize * (long)Ggml.ggml_get_type_traits(type)->TypeSize
                : (long)Ggml.ggml_nbytes(tensor);
            long offset = dataOffset + (long)GgufNative.gguf_get_tensor_offset(gguf, i);
            if (offset + bytes > length) throw new SleepingLlmException($"{path} is cut short inside {name}");
            tensors.Add((name, (nint)tensor, offset, bytes));
        }
        bool Served(string name) => served is not null && served.ContainsKey(name);

        MemoryMappedFile? file = null;
        MemoryMappedViewAccessor? view = null;
        nint own = 0, shared = 0, widened = 0;
        try
        {
            byte* start = null;
            if (tensors.Any(t => !Served(t.Name)))
            {
                file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
                view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
                start += view.PointerOffset;
                own = Ggml.ggml_backend_cpu_buffer_from_ptr(start + dataOffset, (nuint)(length - dataOffset));
                if (own == 0) throw new SleepingLlmException($"ggml cannot read {path} in place");
            }
            var placed = tensors.Where(t => Served(t.Name) && !dequantize.ContainsKey(t.Name)).ToList();
            if (placed.Count > 0)
            {
                // One descriptor over the span llama.cpp's tensors lie in; nothing outside them is ever read.
                long first = placed.Min(t => (long)served![t.Name]), last = placed.Max(t => (long)served![t.Name] + t.StoredBytes);
                shared = Ggml.ggml_backend_cpu_buffer_from_ptr((void*)first, (nuint)(last - first));
                if (shared == 0) throw new SleepingLlmException("ggml cannot read llama.cpp's weights in place");
            }

            nint cpu = Ggml.ggml_backend_cpu_buffer_type();
            long alignment = (long)Ggml.ggml_backend_buft_get_alignment(cpu), widenedBytes = 0;
            var offsets = new Dictionary<string, long>();
            foreach (var t in tensors.Where(t => dequantize.ContainsKey(t.Name)))
            {
                offsets[t.Name] = widenedBytes;
                widenedBytes += ((long)Ggml.ggml_nbytes((GgmlTensor*)t.Tensor) + alignment - 1) / alignment * alignment;
            }
            byte* widenedBase = null;
            if (widenedBytes > 0)
            {
                widened = Ggml.ggml_backend_buft_alloc_buffer(cpu, (nuint)widenedBytes);
                if (widened == 0) throw new SleepingLlmException($"cannot allocate {widenedBytes >> 20} MiB for F32 weights");
                widenedBase = (byte*)Ggml.ggml_backend_buffer_get_base(widened);
            }

            foreach (var (name, t, offset, _) in tensors)
            {
                var tensor = (GgmlTensor*)t;
                byte* stored = Served(name) ? (byte*)served![name] : start + offset;
                if (dequantize.TryGetValue(name, out int storedType))
                {
                    byte* address = widenedBase + offsets[name];
                    Check(Ggml.ggml_backend_tensor_alloc(widened, tensor, address), name);
                    Ggml.ggml_get_type_traits(storedType)->ToFloat(stored, (float*)address, Ggml.ggml_nelements(tensor));
                }
                else Check(Ggml.ggml_backend_tensor_alloc(Served(name) ? shared : own, tensor, stored), name);
            }
            return new ModelWeights(path, hparams, context, file, view, [own, shared, widened], widenedBytes);
        }
        catch
        {
            foreach (nint buffer in new[] { widened, shared, own })
                if (buffer != 0) Ggml.ggml_backend_buffer_free(buffer);
            if (view is not null)
            {
                view.SafeMemoryMappedViewHandle.ReleasePointer();
                view.Dispose();
            }
            file?.Dispose();
            throw;
        }

        static void Check(int status, string name)
        {
            if (status != Ggml.StatusSuccess) throw new SleepingLlmException($"ggml cannot place tensor {name} ({status})");
        }
    }

    /// <summary>Retypes quantized layer weights to F32 before allocation; returns their stored types.</summary>
    static Dictionary<string, int> WidenToF32(SafeGgufContextHandle gguf, GgmlContext context, int fromLayer, bool head)
    {
        var stored = new Dictionary<string, int>();
        string headName = Ggml.ggml_get_tensor(context.Handle, "output.weight") != null ? "output.weight" : "token_embd.weight";
        for (long i = 0; i < GgufNative.gguf_get_n_tensors(gguf); i++)
        {
            string name = NativeRuntime.Utf8(GgufNative.gguf_get_tensor_name(gguf, i));
            bool widen = head && name == headName
                         || name.StartsWith("blk.") && int.TryParse(name.Split('.')[1], out int layer) && layer >= fromLayer;
            if (!widen) continue;
            var t = Ggml.ggml_get_tensor(context.Handle, name);
            if (!Ggml.ggml_get_type_traits(t->Type)->IsQuantized) continue;
            stored[name] = t->Type;
            t->Type = Ggml.TypeF32;
            t->Nb[0] = sizeof(float);
            for (int d = 1; d < GgmlTensor.MaxDims; d++) t->Nb[d] = t->Nb[d - 1] * (nuint)t->Ne[d - 1];
        }
        return stored;
    }

    static void Upload(SafeGgufContextHandle gguf, GgmlContext context, string path, Dictionary<string, int> dequantize)
    {
        long dataOffset = (long)GgufNative.gguf_get_data_offset(gguf);
        using var file = File.OpenHandle(path);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(16 << 20);
        try
        {
            for (long i = 0; i < GgufNative.gguf_get_n_tensors(gguf); i++)
            {
                string name = NativeRuntime.Utf8(GgufNative.gguf_get_tensor_name(gguf, i));
                var tensor = Ggml.ggml_get_tensor(context.Handle, name);
                long offset = dataOffset + (long)GgufNative.gguf_get_tensor_offset(gguf, i);
                if (dequantize.TryGetValue(name, out int storedType))
                {
                    UploadDequantized(file, offset, tensor, storedType);
                    continue;
                }
                long size = (long)Ggml.ggml_nbytes(tensor);
                for (long done = 0; done < size;)
                {
                    int n = (int)Math.Min(chunk.Length, size - done);
                    RandomAccess.Read(file, chunk.AsSpan(0, n), offset + done);
                    fixed (byte* p = chunk) Ggml.ggml_backend_tensor_set(tensor, p, (nuint)done, (nuint)n);
                    done += n;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>Reads a quantized tensor's rows, dequantizes them with ggml's own routine, uploads F32.</summary>
    static void UploadDequantized(SafeFileHandle file, long offset, GgmlTensor* tensor, int storedType)
    {
        var traits = Ggml.ggml_get_type_traits(storedType);
        long rowElements = tensor->Ne[0], rows = Ggml.ggml_nelements(tensor) / rowElements;
        long rowBytes = rowElements / traits->BlckSize * (long)traits->TypeSize;
        long rowsPerChunk = Math.Max(1, (4 << 20) / (rowElements * sizeof(float)));
        var packed = new byte[rowsPerChunk * rowBytes];
        var values = new float[rowsPerChunk * rowElements];
        fixed (byte* src = packed)
        fixed (float* dst = values)
            for (long row = 0; row < rows; row += rowsPerChunk)
            {
                long count = Math.Min(rowsPerChunk, rows - row);
                RandomAccess.Read(file, packed.AsSpan(0, (int)(count * rowBytes)), offset + row * rowBytes);
                traits->ToFloat(src, dst, count * rowElements);
                Ggml.ggml_backend_tensor_set(tensor, dst, (nuint)(row * rowElements * sizeof(float)), (nuint)(count * rowElements * sizeof(float)));
            }
    }

    /// <summary>The tensor of that GGUF name, or null.</summary>
    public GgmlTensor* Find(string name) => Ggml.ggml_get_tensor(context.Handle, name);

    public GgmlTensor* Get(string name) =>
        Find(name) is var t && t != null ? t : throw new SleepingLlmException($"{System.IO.Path.GetFileName(Path)} has no tensor {name}");

    public GgmlTensor* Layer(int layer, string name) => Get($"blk.{layer}.{name}.weight");

    public GgmlTensor* LayerBias(int layer, string name) => Find($"blk.{layer}.{name}.bias");

    public void Dispose()
    {
        // The tensors go with the context; the buffers and the map after it.
        context.Dispose();
        foreach (nint buffer in buffers)
            if (buffer != 0) Ggml.ggml_backend_buffer_free(buffer);
        buffers = [];
        if (view is not null)
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
            view = null;
        }
        file?.Dispose();
        file = null;
    }
}
