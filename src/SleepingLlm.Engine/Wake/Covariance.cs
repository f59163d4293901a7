using System.Buffers.Binary;
using System.Security.Cryptography;
using MathNet.Numerics.LinearAlgebra;
using SleepingLlm.Inference;

namespace SleepingLlm.Wake;

/// <summary>
/// Each edit layer's uncentered key covariance C = E[k kᵀ] (k: the input of ffn_down), over a few
/// ten thousand tokens captured inside llama.cpp. Cached on disk by model sha256, layer, corpus and
/// size, each file checksummed; the cache can be deleted at any time.
/// </summary>
public sealed class Covariance(string cacheDirectory, Action<string>? notice = null)
{
    const uint Magic = 0x32564353; // "SCV2": v1 files had no checksum
    const int ChecksumBytes = 32, HeaderBytes = 8 + ChecksumBytes;

    /// <summary>Tokens per captured sequence of the corpus.</summary>
    public const int SequenceLength = 512;

    /// <summary>The covariance of every layer in <paramref name="layers"/>, computing (one pass) those not cached.</summary>
    public Dictionary<int, Matrix<double>> Get(Model model, string modelSha256, IReadOnlyList<int> layers, Corpus corpus,
        int tokens, IProgress<double>? progress = null)
    {
        var result = new Dictionary<int, Matrix<double>>();
        var missing = new List<int>();
        foreach (int layer in layers)
        {
            if (TryLoad(PathFor(modelSha256, layer, corpus, tokens)) is { } cached) result[layer] = cached;
            else missing.Add(layer);
        }
        if (missing.Count == 0) return result;

        using var capture = new ActivationCapture(model, SequenceLength);
        var sums = capture.CreateSums(CaptureKind.FfnDownInput, [.. missing]);
        int done = 0;
        foreach (int[] sequence in corpus.Sequences(model, SequenceLength, tokens))
        {
            capture.Accumulate(sequence, sums);
            done += sequence.Length;
            progress?.Report(Math.Min(1.0, (double)done / tokens));
        }
        foreach (int layer in missing)
        {
            int n = sums.Dimension;
            double count = sums.Count(layer);
            var moment = sums.SecondMoment(layer);
            var matrix = Matrix<double>.Build.Dense(n, n, (i, j) => moment[i * n + j] / count);
            Save(PathFor(modelSha256, layer, corpus, tokens), matrix);
            result[layer] = matrix;
        }
        return result;
    }

    string PathFor(string sha, int layer, Corpus corpus, int tokens) => PathFor(sha, layer, $"{corpus.Id}-{tokens}");

    string PathFor(string sha, int layer, string id) => Path.Combine(cacheDirectory, sha[..16], $"cov-L{layer}-{id}.bin");

    /// <summary>Matrices per layer cached like the covariance under <paramref name="id"/>; all computed (one call) when any is missing.</summary>
    public Dictionary<int, Matrix<double>> Cached(string modelSha256, string id, IReadOnlyList<int> layers,
        Func<Dictionary<int, Matrix<double>>> compute)
    {
        var result = layers.Select(l => (l, m: TryLoad(PathFor(modelSha256, l, id)))).Where(x => x.m is not null).ToDictionary(x => x.l, x => x.m!);
        if (result.Count == layers.Count) return result;
        result = compute();
        foreach (int layer in layers) Save(PathFor(modelSha256, layer, id), result[layer]);
        return result;
    }

    Matrix<double>? TryLoad(string path)
    {
        if (!File.Exists(path)) return null;
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e)
        {
            notice?.Invoke($"key statistics {path} cannot be read ({e.Message}); recomputing");
            return null;
        }
        int n = bytes.Length >= HeaderBytes ? BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)) : -1;
        bool whole = bytes.Length >= HeaderBytes && BinaryPrimitives.ReadUInt32LittleEndian(bytes) == Magic
            && n > 0 && bytes.Length == HeaderBytes + 8L * n * n
            && SHA256.HashData(bytes.AsSpan(HeaderBytes)).AsSpan().SequenceEqual(bytes.AsSpan(8, ChecksumBytes));
        if (!whole)
        {
            // A short, damaged or older-format file would silently skew every later edit: recompute it.
            notice?.Invoke($"key statistics {path} are damaged or from an older version; recomputing");
            return null;
        }
        var values = new double[n * n];
        Buffer.BlockCopy(bytes, HeaderBytes, values, 0, values.Length * 8);
        return Matrix<double>.Build.Dense(n, n, (i, j) => values[i * n + j]);
    }

    /// <summary>magic, n, then the sha256 of the values, then n×n little-endian doubles; written whole or not at all.</summary>
    static void Save(string path, Matrix<double> matrix)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        int n = matrix.RowCount;
        var bytes = new byte[HeaderBytes + 8L * n * n];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(HeaderBytes + 8 * (i * n + j)), matrix[i, j]);
        SHA256.HashData(bytes.AsSpan(HeaderBytes), bytes.AsSpan(8, ChecksumBytes));
        string temp = path + ".tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>Where covariance text comes from: a file (e.g. WikiText), or text the model writes itself.</summary>
public abstract class Corpus
{
    public abstract string Id { get; }
    public abstract IEnumerable<int[]> Sequences(Model model, int length, int tokens);

    public static Corpus FromFile(string path) => new FileCorpus(path);
    public static Corpus SelfGenerated() => new GeneratedCorpus();

    /// <summary>A text file, read from its start: the covariance of <c>--corpus F</c>.</summary>
    public sealed class FileCorpus(string path) : Corpus
    {
        public string Path => path;

        public override string Id => "file-" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)))[..12];

        public override IEnumerable<int[]> Sequences(Model model, int length, int tokens) => Pieces(model, length, tokens).Select(p => p.Sequence);

        /// <summary>
        /// How many characters from the file's start <see cref="Sequences"/> reads for <paramref name="tokens"/> tokens:
        /// what an eval must not measure perplexity on.
        /// </summary>
        public int CharactersRead(Model model, int length, int tokens) => Pieces(model, length, tokens).Select(p => p.End).DefaultIfEmpty(0).Max();

        IEnumerable<(int[] Sequence, int End)> Pieces(Model model, int length, int tokens)
        {
            // Tokenize in pieces: the whole WikiText at once is needlessly slow and large.
            string text = File.ReadAllText(path);
            int produced = 0;
            for (int at = 0; at < text.Length && produced < tokens; at += 8000)
            {
                int end = Math.Min(text.Length, at + 8000);
                int[] piece = model.Tokenize(text[at..end]);
                for (int i = 0; i + 16 < piece.Length && produced < tokens; i += length)
                {
                    int[] sequence = piece[i..Math.Min(piece.Length, i + length)];
                    produced += sequence.Length;
                    yield return (sequence, end);
                }
            }
        }
    }

    sealed class GeneratedCorpus : Corpus
    {
        static readonly string[] Starts =
        [
            "The history of", "In the morning", "Scientists have found", "My favourite recipe", "The city council",
            "Once upon a time", "The main reason", "According to the report", "She told me that", "The best way to",
        ];

        public override string Id => "self";

        public override IEnumerable<int[]> Sequences(Model model, int length, int tokens)
        {
            using var context = new Context(model);
            var settings = new SamplerSettings { Temperature = 0.9f, Seed = 1 };
            int produced = 0;
            for (int i = 0; produced < tokens; i++)
            {
                string start = Starts[i % Starts.Length];
                var text = Generation.Run(context, model.Tokenize(start), settings with { Seed = (uint)(i + 1) }, length - 8).Text;
                int[] sequence = model.Tokenize(start + text);
                produced += sequence.Length;
                yield return sequence[..Math.Min(sequence.Length, length)];
            }
        }
    }
}
