using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace SleepingLlm.Gguf;

/// <summary>
/// Names the field being read, formatted only when an error needs it: the reader passes one of
/// these for every array element, and building "kv[3] 'tokens' value[17]" strings for 50k tokens
/// that are fine would be most of the reading time.
/// </summary>
internal readonly record struct Field(string Prefix, long Index = -1, string Suffix = "")
{
    public override string ToString() => Index < 0 ? Prefix + Suffix : $"{Prefix}[{Index}]{Suffix}";
}

/// <summary>
/// Sequential, buffered, bounds-checked little-endian reads from a seekable stream. Every read
/// first checks the bytes left in the file, so a truncated file becomes a
/// <see cref="GgufFormatException"/> naming the field, never an EndOfStreamException.
/// </summary>
internal sealed class GgufCursor
{
    /// <summary>Longest string accepted: chat templates are kilobytes, and a longer length is corruption
    /// that would otherwise allocate a string larger than .NET allows.</summary>
    public const int MaxStringBytes = 64 << 20;

    private const int BufferSize = 64 << 10;
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferSize];
    private long _bufferFileOffset; // file offset of _buffer[0]
    private int _start;             // next unread byte in _buffer
    private int _end;               // end of valid bytes in _buffer

    public GgufCursor(Stream stream, string source)
    {
        _stream = stream;
        Source = source;
        Length = stream.Length;
        stream.Position = 0;
    }

    public string Source { get; }
    public long Length { get; }
    public long Position => _bufferFileOffset + _start;
    public long Remaining => Length - Position;

    public GgufFormatException Error(Field field, long offset, string problem) =>
        GgufFormatException.Invalid(Source, field.ToString(), offset, problem);

    public byte ReadUInt8(Field field) => Take(1, field)[0];
    public ushort ReadUInt16(Field field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));
    public uint ReadUInt32(Field field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));
    public ulong ReadUInt64(Field field) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, field));
    public float ReadSingle(Field field) => BinaryPrimitives.ReadSingleLittleEndian(Take(4, field));
    public double ReadDouble(Field field) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, field));

    public bool ReadBool(Field field)
    {
        var offset = Position;
        return ReadUInt8(field) switch
        {
            0 => false,
            1 => true,
            var b => throw Error(field, offset, $"bool byte is 0x{b:x2}, not 0 or 1"),
        };
    }

    /// <summary>A length-prefixed UTF-8 string; the length is checked before anything is allocated.</summary>
    public string ReadString(Field field)
    {
        var offset = Position;
        var length = ReadUInt64(field);
        if (length > (ulong)Remaining)
            throw Error(field, offset, $"string length {length} exceeds the {Remaining} bytes left in the file");
        if (length > MaxStringBytes)
            throw Error(field, offset, $"string length {length} is over the {MaxStringBytes} byte limit");
        if (length == 0) return string.Empty;

        var n = (int)length;
        byte[]? large = null;
        ReadOnlySpan<byte> bytes;
        if (n <= BufferSize) bytes = Take(n, field);
        else
        {
            large = new byte[n];
            ReadExactly(large, field);
            bytes = large;
        }
        if (!Utf8.IsValid(bytes)) throw Error(field, offset, "string is not valid UTF-8");
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Fills <paramref name="destination"/>; the caller has checked it fits in what is left.</summary>
    public void ReadExactly(Span<byte> destination, Field field)
    {
        while (!destination.IsEmpty)
        {
            var chunk = Take(Math.Min(destination.Length, BufferSize), field);
            chunk.CopyTo(destination);
            destination = destination[chunk.Length..];
        }
    }

    private ReadOnlySpan<byte> Take(int n, Field field)
    {
        if (Remaining < n)
            throw Error(field, Position, $"needs {n} bytes but the file ends {Remaining} bytes later (truncated file?)");
        if (_end - _start < n) Fill(n, field);
        var span = new ReadOnlySpan<byte>(_buffer, _start, n);
        _start += n;
        return span;
    }

    private void Fill(int n, Field field)
    {
        var kept = _end - _start;
        Buffer.BlockCopy(_buffer, _start, _buffer, 0, kept);
        _bufferFileOffset += _start;
        _start = 0;
        _end = kept;
        while (_end < n)
        {
            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            // The length was checked up front, so this is a file that shrank while being read.
            if (read == 0) throw Error(field, Position, $"the file ended at {_bufferFileOffset + _end}, before its length {Length} (changed while reading?)");
            _end += read;
        }
    }
}
