using System.Buffers;
using Microsoft.Win32.SafeHandles;
using SleepingLlm.Native;

namespace SleepingLlm.Kernels;

/// <summary>
/// A GGUF model's tensors in a backend buffer, in their stored types (quantized weights stay
/// quantized). Loaded by ggml's own GGUF parser into a plain buffer, not llama.cpp's repacked
/// layout, because backward (out_prod) reads the weights row by row.
/// </summary>
public sealed unsafe class ModelWeights : IDisposable
{
    readonly GgmlContext context;

    ModelWeights(string path, Hyperparameters hparams, GgmlContext context)
    {
        Path = path;
        Hparams = hparams;
        this.context = context;
    }

    public string Path { get; }
    public Hyperparameters Hparams { get; }

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
            context.AllocateOn(backend);
            Upload(gguf, context, path, dequantize);
            return new ModelWeights(path, hparams, context);
        }
        catch
        {
            context.Dispose();
            throw;
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

    public void Dispose() => context.Dispose();
}
