using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using MathNet.Numerics.LinearAlgebra;
using SleepingLlm.Inference;
using SleepingLlm.Native;

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
        Ensure(model, modelSha256, layers, corpus, tokens, progress);
        return layers.ToDictionary(l => l, l =>
        {
            var (values, n) = Load(modelSha256, l, corpus, tokens);
            return Matrix<double>.Build.Dense(n, n, (i, j) => values[(long)i * n + j]);
        });
    }

    /// <summary>
    /// Computes (one pass over the corpus) and caches the covariance of each layer in <paramref name="layers"/>
    /// not cached yet. Each layer is written out row by row from its packed sums and then freed, so the
    /// memory it takes is the sums' (<see cref="CaptureSums"/>), never a dense matrix per layer.
    /// </summary>
    /// <returns>Whether anything was computed.</returns>
    public bool Ensure(Model model, string modelSha256, IReadOnlyList<int> layers, Corpus corpus, int tokens, IProgress<double>? progress = null)
    {
        var missing = layers.Where(l => !Valid(PathFor(modelSha256, l, corpus, tokens))).ToList();
        if (missing.Count == 0) return false;

        CaptureSums sums;
        using (var capture = new ActivationCapture(model, SequenceLength))
        {
            sums = capture.CreateSums(CaptureKind.FfnDownInput, [.. missing]);
            int done = 0;
            foreach (int[] sequence in corpus.Sequences(model, SequenceLength, tokens))
            {
                capture.Accumulate(sequence, sums);
                done += sequence.Length;
                progress?.Report(Math.Min(1.0, (double)done / tokens));
            }
        }
        foreach (int layer in missing) SaveMean(sums, layer, PathFor(modelSha256, layer, corpus, tokens));
        return true;
    }

    /// <summary>Writes a layer's sums out row by row as their mean, then frees them.</summary>
    static void SaveMean(CaptureSums sums, int layer, string path)
    {
        double count = sums.Count(layer);
        Save(path, sums.Dimension, (i, row) =>
        {
            sums.Row(layer, i, row);
            for (int j = 0; j < row.Length; j++) row[j] /= count;
        });
        sums.Release(layer);
    }

    /// <summary>
    /// Other key statistics of every layer in <paramref name="layers"/> (made-up names, chat turns: <paramref name="compute"/>
    /// gives their sums), cached like the covariance under <paramref name="id"/>; all computed (one call) when any is missing.
    /// </summary>
    public void EnsureOther(string modelSha256, string id, IReadOnlyList<int> layers, Func<CaptureSums> compute)
    {
        if (layers.All(l => Valid(PathFor(modelSha256, l, id)))) return;
        var sums = compute();
        foreach (int layer in layers) SaveMean(sums, layer, PathFor(modelSha256, layer, id));
    }

    /// <summary>
    /// Adds <paramref name="weight"/> times the cached statistics <paramref name="id"/> of <paramref name="layer"/> to
    /// <paramref name="values"/> (n × n row-major), reading the file a row at a time: at 3B a layer's is 0.5 GB.
    /// </summary>
    /// <exception cref="SleepingLlmException">not cached (<see cref="EnsureOther"/> first), or damaged.</exception>
    public void AddOther(string modelSha256, string id, int layer, double[] values, int n, double weight)
    {
        string path = PathFor(modelSha256, layer, id);
        if (!Valid(path)) throw new SleepingLlmException($"the key statistics {path} are missing or damaged; they are computed again at the next write");
        using var file = File.OpenHandle(path);
        if (RandomAccess.GetLength(file) != HeaderBytes + 8L * n * n)
            throw new SleepingLlmException($"the key statistics {path} are not of {n} × {n} values");
        var row = new double[n];
        var bytes = MemoryMarshal.AsBytes(row.AsSpan());
        for (int i = 0; i < n; i++)
        {
            if (RandomAccess.Read(file, bytes, HeaderBytes + (long)i * bytes.Length) != bytes.Length)
                throw new SleepingLlmException($"the key statistics {path} could not be read");
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(row, weight, values.AsSpan((int)((long)i * n), n), values.AsSpan((int)((long)i * n), n));
        }
    }

    /// <summary>A cached covariance (n × n row-major) from <see cref="Ensure"/>.</summary>
    public (double[] Values, int N) Load(string modelSha256, int layer, Corpus corpus, int tokens) =>
        TryLoad(PathFor(modelSha256, layer, corpus, tokens))
        ?? throw new SleepingLlmException($"the key statistics of layer {layer} are not cached; compute them first");

    /// <summary>
    /// The layer's covariance factored for the solve (<see cref="CovarianceFactor"/>), cached beside it:
    /// factoring is the one n_ff³ step, so it runs once per model, layer and corpus (λ only scales it).
    /// </summary>
    /// <param name="reuse">An array of n² doubles the caller no longer needs (the previous layer's factor) to read into:
    /// at 3B each is 0.5 GB, and a new one per layer would leave the last as garbage the GC may keep.</param>
    /// <param name="extra">Other key statistics added to the text's before factoring (made-up names, chat turns), under an id
    /// that names them in the cache: (id, add(values, n)).</param>
    public CovarianceFactor Factor(string modelSha256, int layer, Corpus corpus, int tokens, double lambda, IProgress<double>? progress = null,
        double[]? reuse = null, (string Id, Action<double[], int> Add)? extra = null)
    {
        string path = PathFor(modelSha256, layer, $"chol-{corpus.Id}-{tokens}" + (extra is { } e ? "-" + e.Id : ""));
        if (TryLoad(path, reuse) is var (cached, n)) return CovarianceFactor.FromFactor(cached, n, lambda);
        var (values, size) = TryLoad(PathFor(modelSha256, layer, corpus, tokens), reuse)
            ?? throw new SleepingLlmException($"the key statistics of layer {layer} are not cached; compute them first");
        extra?.Add(values, size);
        var factor = CovarianceFactor.Factor(values, size, lambda, progress);
        var lower = factor.Values;
        Save(path, size, (i, row) => lower.Span.Slice(i * size, size).CopyTo(row));
        return factor;
    }

    string PathFor(string sha, int layer, Corpus corpus, int tokens) => PathFor(sha, layer, $"{corpus.Id}-{tokens}");

    string PathFor(string sha, int layer, string id) => Path.Combine(cacheDirectory, sha[..16], $"cov-L{layer}-{id}.bin");

    /// <summary>Whether a cache file is whole: header, size and checksum, read in pieces (a 3B layer's is 0.5 GB).</summary>
    bool Valid(string path)
    {
        if (!File.Exists(path)) return false;
        try
        {
            using var file = File.OpenHandle(path);
            var header = new byte[HeaderBytes];
            long length = RandomAccess.GetLength(file);
            if (length < HeaderBytes || RandomAccess.Read(file, header, 0) != HeaderBytes) return Damaged(path);
            long n = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic || n <= 0 || length != HeaderBytes + 8 * n * n) return Damaged(path);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var chunk = new byte[4 << 20];
            for (long at = HeaderBytes; at < length;)
            {
                int read = RandomAccess.Read(file, chunk.AsSpan(0, (int)Math.Min(chunk.Length, length - at)), at);
                if (read <= 0) return Damaged(path);
                hash.AppendData(chunk, 0, read);
                at += read;
            }
            return hash.GetHashAndReset().AsSpan().SequenceEqual(header.AsSpan(8, ChecksumBytes)) || Damaged(path);
        }
        catch (IOException e)
        {
            notice?.Invoke($"key statistics {path} cannot be read ({e.Message}); recomputing");
            return false;
        }
    }

    bool Damaged(string path)
    {
        // A short, damaged or older-format file would silently skew every later edit: recompute it.
        notice?.Invoke($"key statistics {path} are damaged or from an older version; recomputing");
        return false;
    }

    (double[] Values, int N)? TryLoad(string path, double[]? reuse = null)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var file = File.OpenHandle(path);
            var header = new byte[HeaderBytes];
            long length = RandomAccess.GetLength(file);
            int n = length >= HeaderBytes && RandomAccess.Read(file, header, 0) == HeaderBytes
                ? BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4)) : -1;
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) == Magic && n > 0 && length == HeaderBytes + 8L * n * n)
            {
                // Read straight into the doubles (the file is little-endian, as every platform we run on).
                var values = reuse?.LongLength == (long)n * n ? reuse : new double[(long)n * n];
                var bytes = MemoryMarshal.AsBytes(values.AsSpan());
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                for (int done = 0; done < bytes.Length;)
                {
                    int read = RandomAccess.Read(file, bytes.Slice(done, Math.Min(16 << 20, bytes.Length - done)), HeaderBytes + done);
                    if (read <= 0) break;
                    hash.AppendData(bytes.Slice(done, read));
                    done += read;
                }
                if (hash.GetHashAndReset().AsSpan().SequenceEqual(header.AsSpan(8, ChecksumBytes))) return (values, n);
            }
        }
        catch (IOException e)
        {
            notice?.Invoke($"key statistics {path} cannot be read ({e.Message}); recomputing");
            return null;
        }
        // A short, damaged or older-format file would silently skew every later edit: recompute it.
        notice?.Invoke($"key statistics {path} are damaged or from an older version; recomputing");
        return null;
    }

    /// <summary>magic, n, then the sha256 of the values, then n×n little-endian doubles, row by row; written whole or not at all.</summary>
    static void Save(string path, int n, Action<int, Span<double>> row)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("key statistics are stored little-endian");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20))
        {
            var header = new byte[HeaderBytes];
            BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), n);
            file.Write(header);
            var values = new double[n];
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            for (int i = 0; i < n; i++)
            {
                row(i, values);
                var bytes = MemoryMarshal.AsBytes(values.AsSpan());
                hash.AppendData(bytes);
                file.Write(bytes);
            }
            hash.GetHashAndReset().CopyTo(header.AsSpan(8));
            file.Position = 8;
            file.Write(header.AsSpan(8, ChecksumBytes));
        }
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
