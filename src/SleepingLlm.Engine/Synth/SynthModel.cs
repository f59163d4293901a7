using System.Diagnostics;
using System.Numerics;
using SleepingLlm.Gguf;
using SleepingLlm.Native;

namespace SleepingLlm.Synth;

/// <summary>What <see cref="SynthModel.Write"/> made.</summary>
public sealed record SynthResult(string Path, long FileSize, SynthPlan Plan, int Seed, string Donor, TimeSpan Elapsed);

/// <summary>
/// Random-weight GGUF models of any Llama or Qwen2 shape, for tests and benchmarks at sizes no small
/// checkpoint has: the tokenizer is copied from a donor model, the weights are seeded Gaussians
/// quantized by ggml. Same seed, shape and donor: the same source values for every weight type, so a
/// Q8_0 file dequantizes to (nearly) its F32 twin.
/// </summary>
public static unsafe class SynthModel
{
    /// <summary>Standard deviation of matrices, embeddings and biases: small enough that activations stay finite.</summary>
    public const float WeightStd = 0.02f;

    /// <summary>Standard deviation of the noise on the RMS norm scales (around 1).</summary>
    public const float NormNoiseStd = 0.02f;

    /// <summary>The alignment of the data section that the files get (<c>general.alignment</c>).</summary>
    public const uint Alignment = 32;

    /// <summary>Elements drawn and quantized per unit of parallel work.</summary>
    const long SlabElements = 1 << 18;

    /// <summary>The weight types that ggml can quantize to without an importance matrix.</summary>
    public static IReadOnlyList<GgmlType> SupportedTypes { get; } =
    [
        GgmlType.F32, GgmlType.F16, GgmlType.BF16,
        GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0,
        GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
        GgmlType.IQ4_NL, GgmlType.IQ4_XS,
    ];

    /// <summary>ggml_quantize_requires_imatrix's list, to refuse them before the runtime is loaded.</summary>
    static readonly GgmlType[] NeedImatrix = [GgmlType.IQ2_XXS, GgmlType.IQ2_XS, GgmlType.IQ1_S];

    /// <summary>The tensors a model of this shape and vocabulary gets, without writing anything.</summary>
    /// <exception cref="SleepingLlmException">the shape is invalid or the type cannot be written.</exception>
    public static SynthPlan Plan(SynthShape shape, GgmlType weightType, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(shape);
        shape.Validate();
        CheckType(weightType);
        if (vocabSize < 1) throw new SleepingLlmException($"the vocabulary size {vocabSize} must be positive");

        long embd = shape.EmbeddingLength, ff = shape.FeedForwardLength, vocab = vocabSize;
        long q = (long)shape.HeadCount * shape.HeadDimension, kv = (long)shape.KvHeadCount * shape.HeadDimension;
        var tensors = new List<SynthTensor>();
        void Matrix(string name, long ne0, long ne1) => tensors.Add(new(name, StorageType(weightType, ne0), [ne0, ne1], SynthInit.Weight));
        void Vector(string name, long n, SynthInit init) => tensors.Add(new(name, GgmlType.F32, [n], init));

        Matrix("token_embd.weight", embd, vocab);
        for (var i = 0; i < shape.LayerCount; i++)
        {
            var blk = $"blk.{i}.";
            Vector(blk + "attn_norm.weight", embd, SynthInit.Norm);
            Matrix(blk + "attn_q.weight", embd, q);
            Matrix(blk + "attn_k.weight", embd, kv);
            Matrix(blk + "attn_v.weight", embd, kv);
            if (shape.HasQkvBias)
            {
                Vector(blk + "attn_q.bias", q, SynthInit.Bias);
                Vector(blk + "attn_k.bias", kv, SynthInit.Bias);
                Vector(blk + "attn_v.bias", kv, SynthInit.Bias);
            }
            Matrix(blk + "attn_output.weight", q, embd);
            Vector(blk + "ffn_norm.weight", embd, SynthInit.Norm);
            Matrix(blk + "ffn_gate.weight", embd, ff);
            Matrix(blk + "ffn_up.weight", embd, ff);
            Matrix(blk + "ffn_down.weight", ff, embd);
        }
        Vector("output_norm.weight", embd, SynthInit.Norm);
        if (!shape.TiedEmbeddings) Matrix("output.weight", embd, vocab);
        return new SynthPlan(shape, weightType, vocabSize, tensors);
    }

    /// <summary>
    /// Writes a random-weight model to <paramref name="outputPath"/> (atomically: a temporary file renamed
    /// at the end), tensor by tensor, so memory stays small whatever the model's size.
    /// <paramref name="progress"/> gets the fraction of elements written, on the calling thread.
    /// </summary>
    /// <exception cref="SleepingLlmException">a bad shape or type, a donor without a tokenizer, or an I/O failure.</exception>
    /// <exception cref="OperationCanceledException">cancelled; nothing is left at <paramref name="outputPath"/>.</exception>
    public static SynthResult Write(SynthShape shape, GgmlType weightType, string donorGguf, string outputPath, int seed,
        IProgress<double>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(donorGguf);
        ArgumentNullException.ThrowIfNull(outputPath);
        var clock = Stopwatch.StartNew();
        shape.Validate();
        CheckType(weightType);
        Inference.Runtime.Initialize();
        if (Ggml.ggml_quantize_requires_imatrix((int)weightType))
            throw RequiresImatrix(weightType);

        var donor = GgufFile.Read(donorGguf);
        var tokenizer = donor.Metadata.Where(kv => kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)).ToList();
        var plan = Plan(shape, weightType, VocabSize(donor));

        var arch = shape.Architecture;
        var writer = new GgufWriter()
            .Add("general.architecture", GgufValue.String(arch))
            .Add("general.name", GgufValue.String($"synth {arch} {shape.LayerCount}x{shape.EmbeddingLength} {weightType.Name()}"))
            .Add("general.file_type", GgufValue.UInt32(FileType(weightType)))
            .Add("general.quantization_version", GgufValue.UInt32(2))
            .Add("general.alignment", GgufValue.UInt32(Alignment))
            .Add($"{arch}.block_count", GgufValue.UInt32((uint)shape.LayerCount))
            .Add($"{arch}.context_length", GgufValue.UInt32((uint)shape.ContextLength))
            .Add($"{arch}.embedding_length", GgufValue.UInt32((uint)shape.EmbeddingLength))
            .Add($"{arch}.feed_forward_length", GgufValue.UInt32((uint)shape.FeedForwardLength))
            .Add($"{arch}.attention.head_count", GgufValue.UInt32((uint)shape.HeadCount))
            .Add($"{arch}.attention.head_count_kv", GgufValue.UInt32((uint)shape.KvHeadCount))
            .Add($"{arch}.rope.freq_base", GgufValue.Float32(shape.RopeFreqBase))
            .Add($"{arch}.attention.layer_norm_rms_epsilon", GgufValue.Float32(shape.RmsNormEpsilon))
            .Add($"{arch}.rope.dimension_count", GgufValue.UInt32((uint)shape.HeadDimension));
        foreach (var (key, value) in tokenizer) writer.Add(key, value);

        var total = (double)plan.ParameterCount;
        long done = 0;
        var scratch = new Scratch(plan);
        foreach (var tensor in plan.Tensors)
        {
            writer.AddTensor(tensor.Name, tensor.Type, tensor.Dimensions.ToArray(), stream =>
                WriteTensor(stream, tensor, (ulong)seed, scratch, elements =>
                {
                    done += elements;
                    progress?.Report(done / total);
                }, cancellationToken));
        }
        writer.WriteTo(outputPath);
        var full = Path.GetFullPath(outputPath);
        return new SynthResult(full, new FileInfo(full).Length, plan, seed, Path.GetFullPath(donorGguf), clock.Elapsed);
    }

    /// <summary>The vocabulary size a model with this donor's tokenizer gets: its number of tokens.</summary>
    /// <exception cref="SleepingLlmException">the file is missing, not GGUF, or has no tokenizer.</exception>
    public static int DonorVocabSize(string donorGguf) => VocabSize(GgufFile.Read(donorGguf));

    static int VocabSize(GgufFile donor) =>
        donor.TryGet("tokenizer.ggml.tokens", out var tokens) && tokens.TryGetArray<string>(out var list) && list.Count > 0
            ? list.Count
            : throw new SleepingLlmException($"the donor {donor.Source} has no tokenizer (tokenizer.ggml.tokens)");

    /// <summary>The type a matrix with rows of <paramref name="rowLength"/> is stored as: llama-quantize's fallback when its blocks do not fit.</summary>
    public static GgmlType StorageType(GgmlType weightType, long rowLength)
    {
        if (rowLength % weightType.Traits().BlockSize == 0) return weightType;
        var fallback = weightType switch
        {
            GgmlType.IQ4_XS => GgmlType.IQ4_NL,
            GgmlType.Q2_K or GgmlType.Q3_K => GgmlType.Q4_0,
            GgmlType.Q4_K => GgmlType.Q5_0,
            GgmlType.Q5_K => GgmlType.Q5_1,
            GgmlType.Q6_K => GgmlType.Q8_0,
            _ => GgmlType.F16,
        };
        return rowLength % fallback.Traits().BlockSize == 0 ? fallback : GgmlType.F16;
    }

    /// <summary>llama_ftype of a model whose matrices are mostly <paramref name="type"/> (the _S variant for k-quants).</summary>
    public static uint FileType(GgmlType type) => type switch
    {
        GgmlType.F32 => 0,
        GgmlType.F16 => 1,
        GgmlType.Q4_0 => 2,
        GgmlType.Q4_1 => 3,
        GgmlType.Q8_0 => 7,
        GgmlType.Q5_0 => 8,
        GgmlType.Q5_1 => 9,
        GgmlType.Q2_K => 10,
        GgmlType.Q3_K => 11,
        GgmlType.Q4_K => 14,
        GgmlType.Q5_K => 16,
        GgmlType.Q6_K => 18,
        GgmlType.IQ4_NL => 25,
        GgmlType.IQ4_XS => 30,
        GgmlType.BF16 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(type), $"no llama_ftype for {type.Name()}"),
    };

    static void CheckType(GgmlType type)
    {
        if (NeedImatrix.Contains(type)) throw RequiresImatrix(type);
        if (!SupportedTypes.Contains(type))
            throw new SleepingLlmException(
                $"cannot write {type.Name()} weights; use one of {string.Join(", ", SupportedTypes.Select(t => t.Name()))}");
    }

    static SleepingLlmException RequiresImatrix(GgmlType type) =>
        new($"{type.Name()} needs an importance matrix, which random weights do not have; use another type such as q4_K");

    /// <summary>Buffers for one window of slabs, reused by every tensor.</summary>
    sealed class Scratch
    {
        public readonly float[][] Source;
        public readonly byte[][] Quantized;

        public Scratch(SynthPlan plan)
        {
            long maxElements = plan.Tensors.Max(t => SlabRows(t) * t.RowLength);
            long maxBytes = plan.Tensors.Max(t => SlabRows(t) * t.Type.TryGetByteSize(t.RowLength)!.Value);
            var window = Math.Max(1, Environment.ProcessorCount) * 2;
            Source = Enumerable.Range(0, window).Select(_ => new float[maxElements]).ToArray();
            Quantized = Enumerable.Range(0, window).Select(_ => new byte[maxBytes]).ToArray();
        }
    }

    /// <summary>Rows per slab: about <see cref="SlabElements"/> elements, at least one row. Independent of the type,
    /// so that every type draws the same values.</summary>
    static long SlabRows(SynthTensor t) => Math.Clamp(SlabElements / t.RowLength, 1, t.RowCount);

    /// <summary>Draws and quantizes a window of slabs in parallel, then writes them in order.</summary>
    static void WriteTensor(Stream stream, SynthTensor tensor, ulong seed, Scratch scratch, Action<long> written, CancellationToken ct)
    {
        long rowLength = tensor.RowLength, rows = tensor.RowCount, slabRows = SlabRows(tensor);
        long rowBytes = tensor.Type.TryGetByteSize(rowLength)!.Value;
        long slabs = (rows + slabRows - 1) / slabRows;
        var nameHash = Fnv1a(tensor.Name);
        var window = scratch.Source.Length;
        var options = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount };
        for (long first = 0; first < slabs; first += window)
        {
            ct.ThrowIfCancellationRequested();
            var count = (int)Math.Min(window, slabs - first);
            Parallel.For(0, count, options, k =>
            {
                var slab = first + k;
                var n = Math.Min(slabRows, rows - slab * slabRows);
                var source = scratch.Source[k].AsSpan(0, (int)(n * rowLength));
                var rng = new Xoshiro256(seed ^ nameHash, (ulong)slab);
                var (mean, std) = tensor.Init == SynthInit.Norm ? (1f, NormNoiseStd) : (0f, WeightStd);
                rng.FillGaussian(source, mean, std);
                fixed (float* src = source)
                fixed (byte* dst = scratch.Quantized[k])
                {
                    var size = (long)Ggml.ggml_quantize_chunk((int)tensor.Type, src, dst, 0, n, rowLength, null);
                    if (size != n * rowBytes)
                        throw new InvalidOperationException($"ggml quantized {tensor.Name} rows to {size} bytes, expected {n * rowBytes}");
                }
            });
            for (var k = 0; k < count; k++)
            {
                var n = Math.Min(slabRows, rows - (first + k) * slabRows);
                stream.Write(scratch.Quantized[k], 0, (int)(n * rowBytes));
                written(n * rowLength);
            }
        }
    }

    static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text) hash = (hash ^ c) * 1099511628211UL;
        return hash;
    }

    /// <summary>xoshiro256** seeded through SplitMix64; Gaussians by Box-Muller. Fast and repeatable.</summary>
    struct Xoshiro256
    {
        ulong s0, s1, s2, s3;

        public Xoshiro256(ulong seed, ulong stream)
        {
            var x = seed ^ (stream * 0xD1B54A32D192ED03UL);
            s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
        }

        static ulong SplitMix(ref ulong x)
        {
            var z = x += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        ulong Next()
        {
            var result = BitOperations.RotateLeft(s1 * 5, 7) * 9;
            var t = s1 << 17;
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
            s3 = BitOperations.RotateLeft(s3, 45);
            return result;
        }

        public void FillGaussian(Span<float> destination, float mean, float std)
        {
            for (var i = 0; i < destination.Length; i += 2)
            {
                var r = Next();
                // u1 in (0, 1] so the log is finite; u2 in [0, 1).
                var u1 = ((r >> 40) + 1) * (1f / 16777216f);
                var u2 = (r & 0xFFFFFF) * (1f / 16777216f);
                var radius = std * MathF.Sqrt(-2f * MathF.Log(u1));
                var (sin, cos) = MathF.SinCos(2f * MathF.PI * u2);
                destination[i] = mean + radius * cos;
                if (i + 1 < destination.Length) destination[i + 1] = mean + radius * sin;
            }
        }
    }
}
