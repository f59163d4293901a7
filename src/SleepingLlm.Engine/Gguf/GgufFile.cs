using System.Diagnostics.CodeAnalysis;

namespace SleepingLlm.Gguf;

/// <summary>A metadata entry with where it was read, so a wrong type can be reported at its offset.</summary>
internal readonly record struct GgufKeyValue(string Key, GgufValue Value, int Index, long TypeOffset);

/// <summary>
/// The header of a GGUF file: version, metadata in file order, tensor infos. Reading it does not
/// read tensor data; <see cref="ReadTensorData(GgufTensorInfo)"/> reads one tensor's bytes on demand.
/// </summary>
public sealed class GgufFile
{
    private readonly Dictionary<string, GgufKeyValue> _metadata;
    private readonly Dictionary<string, int> _tensorIndex;
    private readonly Stream? _stream;

    internal GgufFile(string source, string? path, Stream stream, uint version, List<GgufKeyValue> metadata,
        List<GgufTensorInfo> tensors, uint alignment, long dataOffset, long fileSize)
    {
        Source = source;
        Path = path;
        _stream = path is null ? stream : null;
        Version = version;
        _metadata = metadata.ToDictionary(kv => kv.Key, StringComparer.Ordinal);
        Metadata = metadata.Select(kv => KeyValuePair.Create(kv.Key, kv.Value)).ToArray();
        Tensors = tensors.AsReadOnly();
        _tensorIndex = new Dictionary<string, int>(tensors.Count, StringComparer.Ordinal);
        for (var i = 0; i < tensors.Count; i++) _tensorIndex.Add(tensors[i].Name, i);
        Alignment = alignment;
        DataOffset = dataOffset;
        FileSize = fileSize;
    }

    /// <summary>The path, or the name given to <see cref="Read(Stream, string)"/>; used in messages.</summary>
    public string Source { get; }

    /// <summary>The file read, or null when read from a stream.</summary>
    public string? Path { get; }

    /// <summary>2 or 3.</summary>
    public uint Version { get; }

    /// <summary>Keys are unique; the order is the file's.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata { get; }

    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary><c>general.alignment</c>, or 32 when absent; a power of two.</summary>
    public uint Alignment { get; }

    /// <summary>File offset of the data section, a multiple of <see cref="Alignment"/>.</summary>
    public long DataOffset { get; }

    public long FileSize { get; }

    /// <summary>Reads the header of a file.</summary>
    /// <exception cref="GgufFormatException">the file is not GGUF or is malformed.</exception>
    /// <exception cref="SleepingLlmException">the file is missing or cannot be read.</exception>
    public static GgufFile Read(string path)
    {
        try
        {
            // The file is held open only while the header is read; tensor reads reopen it.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            return GgufReader.Read(stream, path, path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SleepingLlmException($"GGUF file not found: {path}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SleepingLlmException($"cannot read GGUF file '{path}': {e.Message}".ReplaceLineEndings(" "), e);
        }
    }

    /// <summary>
    /// Reads the header from a seekable stream holding the whole file from position 0. The stream is
    /// kept (not disposed) for <see cref="ReadTensorData(GgufTensorInfo)"/>.
    /// </summary>
    /// <exception cref="GgufFormatException">the stream is not GGUF or is malformed.</exception>
    public static GgufFile Read(Stream stream, string name = "<stream>")
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanRead) throw new ArgumentException("the stream must be readable and seekable", nameof(stream));
        return GgufReader.Read(stream, name, path: null);
    }

    public bool ContainsKey(string key) => _metadata.ContainsKey(key);

    public bool TryGet(string key, [NotNullWhen(true)] out GgufValue? value)
    {
        value = _metadata.TryGetValue(key, out var kv) ? kv.Value : null;
        return value is not null;
    }

    // Typed getters: a missing key or a value of the wrong type is a GgufFormatException, because
    // either means the file does not hold what a model of its kind must. The ...OrNull forms are
    // for optional keys: null when absent, still an error when present with the wrong type.

    public GgufValue Get(string key) =>
        _metadata.TryGetValue(key, out var kv) ? kv.Value : throw GgufFormatException.MissingKey(Source, key);

    public string GetString(string key) => GetStringOrNull(key) ?? throw GgufFormatException.MissingKey(Source, key);
    public uint GetUInt32(string key) => GetUInt32OrNull(key) ?? throw GgufFormatException.MissingKey(Source, key);
    public int GetInt32(string key) => GetInt32OrNull(key) ?? throw GgufFormatException.MissingKey(Source, key);
    public long GetInt64(string key) => GetInt64OrNull(key) ?? throw GgufFormatException.MissingKey(Source, key);
    public float GetFloat(string key) => GetFloatOrNull(key) ?? throw GgufFormatException.MissingKey(Source, key);
    public bool GetBool(string key) => GetBoolOrNull(key) ?? throw GgufFormatException.MissingKey(Source, key);

    public string? GetStringOrNull(string key) =>
        Typed(key, GgufValueType.String, v => v.Type == GgufValueType.String ? v.Get<string>() : null);

    public bool? GetBoolOrNull(string key) =>
        Typed(key, GgufValueType.Bool, v => v.Type == GgufValueType.Bool ? v.Get<bool>() : (bool?)null);

    /// <summary>Any integer type whose value fits in a long; writers disagree on u32/i32/u64.</summary>
    public long? GetInt64OrNull(string key) =>
        Typed(key, GgufValueType.Int64, v => v.TryGetInt64(out var n) ? n : (long?)null);

    /// <summary>Any integer type whose value fits in an int.</summary>
    public int? GetInt32OrNull(string key) =>
        Typed(key, GgufValueType.Int32, v => v.TryGetInt64(out var n) && n is >= int.MinValue and <= int.MaxValue ? (int)n : (int?)null);

    /// <summary>Any integer type whose value fits in a uint.</summary>
    public uint? GetUInt32OrNull(string key) =>
        Typed(key, GgufValueType.UInt32, v => v.TryGetInt64(out var n) && n is >= 0 and <= uint.MaxValue ? (uint)n : (uint?)null);

    /// <summary>A Float32, or a Float64 narrowed to float.</summary>
    public float? GetFloatOrNull(string key) =>
        Typed(key, GgufValueType.Float32, v => v.TryGetDouble(out var d) ? (float)d : (float?)null);

    /// <summary>The elements of an array key; <typeparamref name="T"/> is the element's CLR type.</summary>
    public IReadOnlyList<T> GetArray<T>(string key)
    {
        var kv = _metadata.TryGetValue(key, out var found) ? found : throw GgufFormatException.MissingKey(Source, key);
        return kv.Value.TryGetArray<T>(out var items)
            ? items
            : throw WrongType(kv, $"an array of {typeof(T).Name}");
    }

    public GgufTensorInfo? FindTensor(string name) => _tensorIndex.TryGetValue(name, out var i) ? Tensors[i] : null;

    /// <summary>Where a tensor's data starts in the file.</summary>
    public long GetTensorFileOffset(GgufTensorInfo tensor) => DataOffset + Tensors[IndexOf(tensor)].Offset;

    /// <summary>Reads one tensor's bytes (without padding).</summary>
    /// <exception cref="InvalidOperationException">the tensor is 2 GiB or more; use the span overload.</exception>
    public byte[] ReadTensorData(GgufTensorInfo tensor)
    {
        if (tensor.ByteSize > Array.MaxLength)
            throw new InvalidOperationException($"tensor '{tensor.Name}' is {tensor.ByteSize} bytes, too large for one array");
        var data = new byte[tensor.ByteSize];
        ReadTensorData(tensor, data);
        return data;
    }

    /// <summary>Reads one tensor's bytes into <paramref name="destination"/>, which must be exactly its size.</summary>
    public void ReadTensorData(GgufTensorInfo tensor, Span<byte> destination)
    {
        var index = IndexOf(tensor);
        if (destination.Length != tensor.ByteSize)
            throw new ArgumentException($"destination is {destination.Length} bytes, tensor '{tensor.Name}' is {tensor.ByteSize}", nameof(destination));
        var offset = DataOffset + tensor.Offset;
        try
        {
            if (_stream is not null)
            {
                _stream.Position = offset;
                _stream.ReadExactly(destination);
                return;
            }
            using var file = new FileStream(Path!, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            file.Position = offset;
            file.ReadExactly(destination);
        }
        catch (EndOfStreamException)
        {
            // The header checked the data fits, so the file was truncated after it was read.
            throw GgufFormatException.Invalid(Source, $"tensor[{index}] data", offset,
                $"the file ends before the {tensor.ByteSize} bytes of {GgufFormatException.Quote(tensor.Name)} (changed since its header was read?)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SleepingLlmException($"cannot read tensor '{tensor.Name}' from '{Source}': {e.Message}".ReplaceLineEndings(" "), e);
        }
    }

    private int IndexOf(GgufTensorInfo tensor) =>
        _tensorIndex.TryGetValue(tensor.Name, out var i) && ReferenceEquals(Tensors[i], tensor)
            ? i
            : throw new ArgumentException($"tensor '{tensor.Name}' is not from this file", nameof(tensor));

    private T? Typed<T>(string key, GgufValueType expected, Func<GgufValue, T?> convert)
    {
        if (!_metadata.TryGetValue(key, out var kv)) return default;
        return convert(kv.Value) ?? throw WrongType(kv, expected.ToString());
    }

    private GgufFormatException WrongType(GgufKeyValue kv, string expected) =>
        GgufFormatException.Invalid(Source, $"kv[{kv.Index}] {GgufFormatException.Quote(kv.Key)} type", kv.TypeOffset,
            $"is {(kv.Value.IsArray ? $"an array of {kv.Value.ElementType}" : kv.Value.Type)}, expected {expected}");
}
