using SleepingLlm.Native;

namespace SleepingLlm.Kernels;

/// <summary>The shape and constants of a decoder, read from GGUF metadata with llama.cpp's defaults.</summary>
public sealed record Hyperparameters(
    string Architecture, int LayerCount, int EmbeddingLength, int FeedForwardLength, int HeadCount, int KvHeadCount,
    int HeadDim, int RopeDims, int RopeMode, float RopeFreqBase, float RopeFreqScale, int TrainedContext,
    float RmsEpsilon, int VocabSize)
{
    /// <summary>Architectures whose graph we build exactly as llama.cpp does; anything else is refused.</summary>
    public static readonly IReadOnlySet<string> Supported = new HashSet<string> { "llama", "qwen2" };

    internal static Hyperparameters Read(SafeGgufContextHandle gguf, string path)
    {
        string arch = String(gguf, "general.architecture", path);
        if (!Supported.Contains(arch))
            throw new SleepingLlmException($"{Path.GetFileName(path)}: architecture '{arch}' is not supported by the kernel layer (supported: llama, qwen2)");
        int embd = Int(gguf, $"{arch}.embedding_length", path);
        int heads = Int(gguf, $"{arch}.attention.head_count", path);
        int headDim = IntOr(gguf, $"{arch}.attention.key_length", embd / heads);
        float scale = FloatOr(gguf, $"{arch}.rope.scaling.factor", 0);
        long tokens = GgufNative.gguf_find_key(gguf, "tokenizer.ggml.tokens");
        return new Hyperparameters(
            arch,
            Int(gguf, $"{arch}.block_count", path),
            embd,
            Int(gguf, $"{arch}.feed_forward_length", path),
            heads,
            IntOr(gguf, $"{arch}.attention.head_count_kv", heads),
            headDim,
            IntOr(gguf, $"{arch}.rope.dimension_count", headDim),
            // Llama GGUFs have Q/K permuted for interleaved ("normal") RoPE; Qwen2 uses NeoX halves.
            arch == "llama" ? Ggml.RopeTypeNormal : Ggml.RopeTypeNeox,
            FloatOr(gguf, $"{arch}.rope.freq_base", 10000f),
            scale > 0 ? 1f / scale : 1f,
            Int(gguf, $"{arch}.context_length", path),
            FloatOr(gguf, $"{arch}.attention.layer_norm_rms_epsilon", 1e-5f),
            tokens >= 0 ? (int)GgufNative.gguf_get_arr_n(gguf, tokens) : 0);
    }

    // gguf_type: 4 = UINT32, 5 = INT32, 6 = FLOAT32, 8 = STRING.
    static int Int(SafeGgufContextHandle gguf, string key, string path) =>
        IntOr(gguf, key, -1) is var v and >= 0 ? v : throw new SleepingLlmException($"{Path.GetFileName(path)}: missing {key}");

    static int IntOr(SafeGgufContextHandle gguf, string key, int fallback)
    {
        long id = GgufNative.gguf_find_key(gguf, key);
        if (id < 0) return fallback;
        return GgufNative.gguf_get_kv_type(gguf, id) switch
        {
            4 => (int)GgufNative.gguf_get_val_u32(gguf, id),
            5 => GgufNative.gguf_get_val_i32(gguf, id),
            _ => fallback,
        };
    }

    static float FloatOr(SafeGgufContextHandle gguf, string key, float fallback)
    {
        long id = GgufNative.gguf_find_key(gguf, key);
        return id >= 0 && GgufNative.gguf_get_kv_type(gguf, id) == 6 ? GgufNative.gguf_get_val_f32(gguf, id) : fallback;
    }

    static unsafe string String(SafeGgufContextHandle gguf, string key, string path)
    {
        long id = GgufNative.gguf_find_key(gguf, key);
        if (id < 0 || GgufNative.gguf_get_kv_type(gguf, id) != 8)
            throw new SleepingLlmException($"{Path.GetFileName(path)}: missing {key}");
        return NativeRuntime.Utf8(GgufNative.gguf_get_val_str(gguf, id));
    }
}
