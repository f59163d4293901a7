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
    nint mapped, widened;

    ModelWeights(string path, Hyperparameters hparams, GgmlContext context, MemoryMappedFile? file, MemoryMappedViewAccessor? view,
        nint mapped, nint widened, long widenedBytes)
    {
        Path = path;
        Hparams = hparams;
        this.context = context;
        this.file = file;
        this.view = view;
        this.mapped = mapped;
        this.widened = widened;
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
    public static ModelWeights Load(string path, Backend backend, int? f32FromLayer = null, bool f32Head = false)
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
            if (backend.IsCpu) return Map(gguf, context, path, hparams, dequantize);
            context.AllocateOn(backend);
            Upload(gguf, context, path, dequantize);
            return new ModelWeights(path, hparams, context, null, null, 0, 0, 0);
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
    public static ModelWeights LoadForBackward(string path, Backend backend, int fromLayer, bool head = false)
    {
        if (!backend.IsCpu) return Load(path, backend, fromLayer, head);
        bool fits = F32Bytes(path, fromLayer, head) <= WideningBudget;
        return fits ? Load(path, backend, fromLayer, head) : Load(path, backend);
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
    /// Points every tensor into a read-only map of the file (a write faults: weights are never trained
    /// here) and gives the widened ones one CPU buffer, filled by dequantizing their mapped rows.
    /// </summary>
    static ModelWeights Map(SafeGgufContextHandle gguf, GgmlContext context, string path, Hyperparameters hparams, Dictionary<string, int> dequantize)
    {
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        nint mapped = 0, widened = 0;
        try
        {
            view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            start += view.PointerOffset;
            long dataOffset = (long)GgufNative.gguf_get_data_offset(gguf);
            long length = new FileInfo(path).Length;
            mapped = Ggml.ggml_backend_cpu_buffer_from_ptr(start + dataOffset, (nuint)(length - dataOffset));
            if (mapped == 0) throw new SleepingLlmException($"ggml cannot read {path} in place");

            nint cpu = Ggml.ggml_backend_cpu_buffer_type();
            long alignment = (long)Ggml.ggml_backend_buft_get_alignment(cpu), widenedBytes = 0;
            var offsets = new Dictionary<string, long>();
            for (long i = 0; i < GgufNative.gguf_get_n_tensors(gguf); i++)
            {
                string name = NativeRuntime.Utf8(GgufNative.gguf_get_tensor_name(gguf, i));
                if (!dequantize.ContainsKey(name)) continue;
                offsets[name] = widenedBytes;
                widenedBytes += ((long)Ggml.ggml_nbytes(Ggml.ggml_get_tensor(context.Handle, name)) + alignment - 1) / alignment * alignment;
            }
            byte* widenedBase = null;
            if (widenedBytes > 0)
            {
                widened = Ggml.ggml_backend_buft_alloc_buffer(cpu, (nuint)widenedBytes);
                if (widened == 0) throw new SleepingLlmException($"cannot allocate {widenedBytes >> 20} MiB for F32 weights");
                widenedBase = (byte*)Ggml.ggml_backend_buffer_get_base(widened);
            }

            for (long i = 0; i < GgufNative.gguf_get_n_tensors(gguf); i++)
            {
                string name = NativeRuntime.Utf8(GgufNative.gguf_get_tensor_name(gguf, i));
                var tensor = Ggml.ggml_get_tensor(context.Handle, name);
                byte* stored = start + dataOffset + (long)GgufNative.gguf_get_tensor_offset(gguf, i);
                if (dequantize.TryGetValue(name, out int storedType))
                {
                    byte* address = widenedBase + offsets[name];
                    Check(Ggml.ggml_backend_tensor_alloc(widened, tensor, address), name);
                    long count = Ggml.ggml_nelements(tensor);
                    if (stored + count / Ggml.ggml_get_type_traits(storedType)->BlckSize * (long)Ggml.ggml_get_type_traits(storedType)->TypeSize > start + length)
                        throw new SleepingLlmException($"{path} is cut short inside {name}");
                    Ggml.ggml_get_type_traits(storedType)->ToFloat(stored, (float*)address, count);
                }
                else
                {
                    if (stored + (long)Ggml.ggml_nbytes(tensor) > start + length) throw new SleepingLlmException($"{path} is cut short inside {name}");
                    Check(Ggml.ggml_backend_tensor_alloc(mapped, tensor, stored), name);
                }
            }
            return new ModelWeights(path, hparams, context, file, view, mapped, widened, widenedBytes);
        }
        catch
        {
            if (widened != 0) Ggml.ggml_backend_buffer_free(widened);
            if (mapped != 0) Ggml.ggml_backend_buffer_free(mapped);
            if (view is not null)
            {
                view.SafeMemoryMappedViewHandle.ReleasePointer();
                view.Dispose();
            }
            file.Dispose();
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
        if (widened != 0) Ggml.ggml_backend_buffer_free(widened);
        if (mapped != 0) Ggml.ggml_backend_buffer_free(mapped);
        widened = mapped = 0;
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
