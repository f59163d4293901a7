using System.Buffers.Binary;
using System.Text;

namespace SleepingLlm.Tests.Gguf;

/// <summary>
/// Writes raw GGUF bytes field by field, so tests can build files the writer refuses to make
/// (bad counts, bad types, lying lengths) and know the offset of each field they corrupt.
/// </summary>
internal sealed class GgufBytes
{
    private readonly MemoryStream _bytes = new();

    /// <summary>The offset the next field will be written at.</summary>
    public long Offset => _bytes.Length;

    /// <summary>"GGUF", a version and the two counts.</summary>
    public static GgufBytes Header(uint version, ulong tensorCount, ulong kvCount) =>
        new GgufBytes().Raw("GGUF"u8).U32(version).U64(tensorCount).U64(kvCount);

    public GgufBytes Raw(ReadOnlySpan<byte> bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    public GgufBytes U8(byte value) => Raw([value]);

    public GgufBytes U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Raw(b);
    }

    public GgufBytes U64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        return Raw(b);
    }

    public GgufBytes Str(string value) => Str(Encoding.UTF8.GetBytes(value));

    public GgufBytes Str(ReadOnlySpan<byte> utf8) => U64((ulong)utf8.Length).Raw(utf8);

    /// <summary>A key and its value type id; the caller writes the value.</summary>
    public GgufBytes Key(string key, uint type) => Str(key).U32(type);

    /// <summary>A tensor info: name, dims, type id, data offset.</summary>
    public GgufBytes Tensor(string name, ulong[] dims, uint type, ulong offset)
    {
        Str(name).U32((uint)dims.Length);
        foreach (var d in dims) U64(d);
        return U32(type).U64(offset);
    }

    /// <summary>Zeros up to a multiple of <paramref name="alignment"/>.</summary>
    public GgufBytes PadTo(int alignment)
    {
        while (_bytes.Length % alignment != 0) _bytes.WriteByte(0);
        return this;
    }

    public byte[] ToArray() => _bytes.ToArray();
}
