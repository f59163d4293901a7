namespace SleepingLlm.Synth;

/// <summary>
/// The shape of a Llama- or Qwen2-architecture transformer, as llama.cpp reads it from
/// <c>&lt;arch&gt;.*</c> keys. The head dimension is <see cref="EmbeddingLength"/> / <see cref="HeadCount"/>
/// (llama.cpp's default when <c>attention.key_length</c> is absent); the vocabulary comes from the donor tokenizer.
/// </summary>
/// <param name="Architecture">"llama" or "qwen2" (qwen2 adds q/k/v biases).</param>
/// <param name="LayerCount">n_layer.</param>
/// <param name="EmbeddingLength">n_embd.</param>
/// <param name="FeedForwardLength">n_ff.</param>
/// <param name="HeadCount">n_head.</param>
/// <param name="KvHeadCount">n_head_kv (grouped-query attention when fewer than <paramref name="HeadCount"/>).</param>
public sealed record SynthShape(string Architecture, int LayerCount, int EmbeddingLength, int FeedForwardLength, int HeadCount, int KvHeadCount)
{
    public const string Llama = "llama";
    public const string Qwen2 = "qwen2";

    /// <summary>n_ctx_train: <c>&lt;arch&gt;.context_length</c>.</summary>
    public int ContextLength { get; init; } = 2048;

    /// <summary><c>&lt;arch&gt;.rope.freq_base</c>.</summary>
    public float RopeFreqBase { get; init; } = 10000f;

    /// <summary><c>&lt;arch&gt;.attention.layer_norm_rms_epsilon</c>.</summary>
    public float RmsNormEpsilon { get; init; } = 1e-5f;

    /// <summary>True: no <c>output.weight</c>; llama.cpp uses the token embedding as the output projection.</summary>
    public bool TiedEmbeddings { get; init; }

    /// <summary>Per-head width of queries, keys and values; also the rope dimension count.</summary>
    public int HeadDimension => HeadCount > 0 ? EmbeddingLength / HeadCount : 0;

    /// <summary>Qwen2 has biases on the q, k and v projections.</summary>
    public bool HasQkvBias => Architecture == Qwen2;

    /// <summary>The named shapes, by name (lower case).</summary>
    public static IReadOnlyDictionary<string, SynthShape> Presets { get; } = new Dictionary<string, SynthShape>(StringComparer.OrdinalIgnoreCase)
    {
        ["tiny"] = new(Llama, 2, 64, 128, 4, 2) { ContextLength = 2048 },
        ["qwen2-tiny"] = new(Qwen2, 2, 64, 128, 4, 2) { ContextLength = 2048, RopeFreqBase = 1_000_000f, RmsNormEpsilon = 1e-6f, TiedEmbeddings = true },
        ["smollm2-135m"] = new(Llama, 30, 576, 1536, 9, 3) { ContextLength = 8192, RopeFreqBase = 100_000f, TiedEmbeddings = true },
        // Llama 3.2 3B also has rope_freqs (llama3 rope scaling); left out: a synthetic model does not need it.
        ["llama-3.2-3b"] = new(Llama, 28, 3072, 8192, 24, 8) { ContextLength = 131072, RopeFreqBase = 500_000f, TiedEmbeddings = true },
        ["llama-3.1-8b"] = new(Llama, 32, 4096, 14336, 32, 8) { ContextLength = 131072, RopeFreqBase = 500_000f },
    };

    /// <exception cref="SleepingLlmException">no preset has that name.</exception>
    public static SynthShape Preset(string name) =>
        Presets.TryGetValue(name, out var shape)
            ? shape
            : throw new SleepingLlmException($"unknown shape '{name}'; the presets are {string.Join(", ", Presets.Keys)}");

    /// <summary>Checks what llama.cpp would refuse or crash on, with a one-line reason.</summary>
    /// <exception cref="SleepingLlmException">the shape cannot be a model.</exception>
    public void Validate()
    {
        if (Architecture is not (Llama or Qwen2))
            throw Invalid($"architecture '{Architecture}' is not supported (llama or qwen2)");
        if (LayerCount is < 1 or > 512) throw Invalid($"layers = {LayerCount} must be between 1 and 512");
        if (EmbeddingLength < 1) throw Invalid($"n_embd = {EmbeddingLength} must be positive");
        if (FeedForwardLength < 1) throw Invalid($"n_ff = {FeedForwardLength} must be positive");
        if (HeadCount < 1) throw Invalid($"heads = {HeadCount} must be positive");
        if (KvHeadCount < 1 || HeadCount % KvHeadCount != 0)
            throw Invalid($"kv heads = {KvHeadCount} must divide heads = {HeadCount}");
        if (EmbeddingLength % HeadCount != 0)
            throw Invalid($"n_embd = {EmbeddingLength} is not a multiple of heads = {HeadCount}");
        if (HeadDimension % 2 != 0)
            throw Invalid($"the head dimension n_embd / heads = {HeadDimension} must be even for rope");
        if (ContextLength < 1) throw Invalid($"context length = {ContextLength} must be positive");
        if (!(RopeFreqBase > 0) || !float.IsFinite(RopeFreqBase)) throw Invalid($"rope base = {RopeFreqBase} must be positive");
        if (!(RmsNormEpsilon > 0) || !float.IsFinite(RmsNormEpsilon)) throw Invalid($"rms epsilon = {RmsNormEpsilon} must be positive");
    }

    private static SleepingLlmException Invalid(string reason) => new($"invalid model shape: {reason}");
}
