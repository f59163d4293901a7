using System.Buffers;
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

    public static ModelWeights Load(string path, Backend backend)
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
            context.AllocateOn(backend);
            Upload(gguf, context, path);
            return new ModelWeights(path, hparams, context);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    static void Upload(SafeGgufContextHandle gguf, GgmlContext context, string path)
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

    /// <summary>The tensor of that GGUF name, or null.</summary>
    public GgmlTensor* Find(string name) => Ggml.ggml_get_tensor(context.Handle, name);

    public GgmlTensor* Get(string name) =>
        Find(name) is var t && t != null ? t : throw new SleepingLlmException($"{System.IO.Path.GetFileName(Path)} has no tensor {name}");

    public GgmlTensor* Layer(int layer, string name) => Get($"blk.{layer}.{name}.weight");

    public GgmlTensor* LayerBias(int layer, string name) => Find($"blk.{layer}.{name}.bias");

    public void Dispose() => context.Dispose();
}
