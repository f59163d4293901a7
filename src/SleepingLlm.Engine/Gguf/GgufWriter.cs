namespace SleepingLlm.Gguf;

/// <summary>
/// Builds a GGUF version 3 file: metadata in the order added, then tensors with their data, each
/// tensor's data aligned to <c>general.alignment</c> (32 unless that key is added). Everything is
/// validated when added, so <see cref="WriteTo(Stream)"/> only fails on I/O (or when a tensor's data
/// callback fails or writes the wrong number of bytes).
/// </summary>
public sealed class GgufWriter
{
    /// <summary>A tensor to write: its bytes, or (when <see cref="WriteData"/> is set) a callback that writes them.</summary>
    private sealed record PendingTensor(string Name, long[] Dimensions, GgmlType Type, long ByteSize, ReadOnlyMemory<byte> Data, Action<Stream>? WriteData);

    private static readonly byte[] Zeros = new byte[4096];

    private readonly List<KeyValuePair<string, GgufValue>> _metadata = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);

    /// <summary>The data alignment the file will have.</summary>
    public uint Alignment { get; private set; } = GgufReader.DefaultAlignment;

    /// <exception cref="ArgumentException">the key is already present, or <c>general.alignment</c> is not a power-of-two UInt32.</exception>
    public GgufWriter Add(string key, GgufValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key == GgufReader.AlignmentKey)
        {
            var alignment = value.Type == GgufValueType.UInt32 ? value.Get<uint>() : 0;
            if (alignment == 0 || (alignment & (alignment - 1)) != 0)
                throw new ArgumentException($"{GgufReader.AlignmentKey} must be a UInt32 power of two, not {value}", nameof(value));
            Alignment = alignment;
        }
        if (!_keys.Add(key)) throw new ArgumentException($"duplicate key '{key}'", nameof(key));
        _metadata.Add(new(key, value));
        return this;
    }

    /// <summary>
    /// Adds a tensor; <paramref name="dimensions"/> are in ggml order (ne[0] first) and
    /// <paramref name="data"/> must be exactly the tensor's size. The data is not copied: keep it unchanged until written.
    /// </summary>
    /// <exception cref="ArgumentException">a duplicate name, bad dimensions, an unknown type, or data of the wrong size.</exception>
    public GgufWriter AddTensor(string name, GgmlType type, ReadOnlySpan<long> dimensions, ReadOnlyMemory<byte> data)
    {
        var byteSize = CheckTensor(name, type, dimensions);
        if (data.Length != byteSize)
            throw new ArgumentException($"tensor '{name}' needs {byteSize} bytes of {type.Name()} data, got {data.Length}", nameof(data));
        return Add(new PendingTensor(name, dimensions.ToArray(), type, byteSize, data, null));
    }

    /// <summary>
    /// Adds a tensor whose data is produced while the file is written, so that a large model never has
    /// to be in memory at once: <paramref name="writeData"/> is called once, in tensor order, and must
    /// write exactly the tensor's size (<see cref="GgmlTypes.TryGetByteSize"/> of its element count) to
    /// the stream it is given; the padding is the writer's.
    /// </summary>
    /// <exception cref="ArgumentException">a duplicate name, bad dimensions or an unknown type.</exception>
    public GgufWriter AddTensor(string name, GgmlType type, ReadOnlySpan<long> dimensions, Action<Stream> writeData)
    {
        ArgumentNullException.ThrowIfNull(writeData);
        var byteSize = CheckTensor(name, type, dimensions);
        return Add(new PendingTensor(name, dimensions.ToArray(), type, byteSize, ReadOnlyMemory<byte>.Empty, writeData));
    }

    private GgufWriter Add(PendingTensor tensor)
    {
        if (!_tensorNames.Add(tensor.Name)) throw new ArgumentException($"duplicate tensor name '{tensor.Name}'", "name");
        _tensors.Add(tensor);
        return this;
    }

    /// <summary>Validates a tensor's name, type and dimensions; returns its data size in bytes.</summary>
    private static long CheckTensor(string name, GgmlType type, ReadOnlySpan<long> dimensions)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (dimensions.Length > GgufReader.MaxDims)
            throw new ArgumentException($"tensor '{name}' has {dimensions.Length} dimensions, more than {GgufReader.MaxDims}", nameof(dimensions));
        if (!GgmlTypes.TryGetTraits(type, out var traits))
            throw new ArgumentException($"unknown ggml type id {(uint)type}", nameof(type));

        long elements = 1;
        foreach (var d in dimensions)
        {
            if (d < 0 || (d != 0 && elements > long.MaxValue / d))
                throw new ArgumentException($"tensor '{name}' has a negative or overflowing dimension {d}", nameof(dimensions));
            elements *= d;
        }
        var rowLength = dimensions.IsEmpty ? 1 : dimensions[0];
        if (rowLength % traits.BlockSize != 0)
            throw new ArgumentException($"tensor '{name}': ne[0] = {rowLength} is not a multiple of the {traits.Name} block size {traits.BlockSize}", nameof(dimensions));
        return type.TryGetByteSize(elements)
            ?? throw new ArgumentException($"tensor '{name}' is too large", nameof(dimensions));
    }

    /// <summary>
    /// Writes to a temporary file beside <paramref name="path"/> and renames it over the path, so a
    /// crash or full disk never leaves a half-written model where a good one is expected.
    /// </summary>
    /// <exception cref="SleepingLlmException">the file cannot be written.</exception>
    public void WriteTo(string path)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                WriteTo(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e)
        {
            if (File.Exists(temp)) File.Delete(temp);
            if (e is IOException or UnauthorizedAccessException)
                throw new SleepingLlmException($"cannot write GGUF file '{path}': {e.Message}".ReplaceLineEndings(" "), e);
            throw;
        }
    }

    /// <summary>Writes the whole file; tensor offsets count from the stream's current position.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        // The header goes to memory first to learn its length (for the padding before the data)
        // without needing a seekable stream.
        using var header = new MemoryStream();
        header.Write("GGUF"u8);
        GgufValueWriter.WriteUInt32(header, 3);
        GgufValueWriter.WriteUInt64(header, (ulong)_tensors.Count);
        GgufValueWriter.WriteUInt64(header, (ulong)_metadata.Count);
        foreach (var (key, value) in _metadata)
        {
            GgufValueWriter.WriteString(header, key);
            GgufValueWriter.WriteUInt32(header, (uint)value.Type);
            GgufValueWriter.Write(header, value);
        }

        long offset = 0;
        foreach (var t in _tensors)
        {
            GgufValueWriter.WriteString(header, t.Name);
            GgufValueWriter.WriteUInt32(header, (uint)t.Dimensions.Length);
            foreach (var d in t.Dimensions) GgufValueWriter.WriteUInt64(header, (ulong)d);
            GgufValueWriter.WriteUInt32(header, (uint)t.Type);
            GgufValueWriter.WriteUInt64(header, (ulong)offset);
            offset = GgufReader.AlignUp(offset + t.ByteSize, Alignment);
        }
        stream.Write(header.GetBuffer().AsSpan(0, (int)header.Length));
        if (_tensors.Count == 0) return;

        WritePadding(stream, header.Length);
        foreach (var t in _tensors)
        {
            if (t.WriteData is null)
                stream.Write(t.Data.Span);
            else
            {
                var counted = new CountingStream(stream);
                t.WriteData(counted);
                if (counted.Written != t.ByteSize)
                    throw new InvalidOperationException($"the data callback of tensor '{t.Name}' wrote {counted.Written} bytes, not {t.ByteSize}");
            }
            WritePadding(stream, t.ByteSize);
        }
    }

    /// <summary>Zeros up to the next multiple of the alignment after <paramref name="length"/> bytes.</summary>
    private void WritePadding(Stream stream, long length)
    {
        for (var left = GgufReader.AlignUp(length, Alignment) - length; left > 0; left -= Zeros.Length)
            stream.Write(Zeros, 0, (int)Math.Min(left, Zeros.Length));
    }

    /// <summary>Passes writes through to a stream and counts them, to check a tensor's data callback.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Written { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            Written += buffer.Length;
        }
    }
}
