using System.Buffers.Binary;
using System.Text;

namespace SleepingLlm.Gguf;

/// <summary>Little-endian encoding of metadata values, the inverse of <see cref="GgufValueReader"/>.</summary>
internal static class GgufValueWriter
{
    // Strict: a lone surrogate in a .NET string must fail here, not be written as '?' and read back different.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes the value's payload; the caller writes its type id first.</summary>
    public static void Write(Stream stream, GgufValue value)
    {
        if (!value.IsArray)
        {
            WriteScalar(stream, value.RawValue);
            return;
        }
        var values = (Array)value.RawValue;
        WriteUInt32(stream, (uint)value.ElementType!.Value);
        WriteUInt64(stream, (ulong)values.Length);
        if (values is GgufValue[] nested)
        {
            // An element of an array of arrays is an array payload with no type id of its own:
            // the outer element type already says Array.
            foreach (var element in nested) Write(stream, element);
            return;
        }
        foreach (var element in values) WriteScalar(stream, element!);
    }

    public static void WriteString(Stream stream, string value)
    {
        var bytes = StrictUtf8.GetBytes(value);
        WriteUInt64(stream, (ulong)bytes.Length);
        stream.Write(bytes);
    }

    public static void WriteUInt32(Stream stream, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        stream.Write(b);
    }

    public static void WriteUInt64(Stream stream, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        stream.Write(b);
    }

    private static void WriteScalar(Stream stream, object value)
    {
        Span<byte> b = stackalloc byte[8];
        switch (value)
        {
            case byte v: stream.WriteByte(v); return;
            case sbyte v: stream.WriteByte((byte)v); return;
            case bool v: stream.WriteByte(v ? (byte)1 : (byte)0); return;
            case ushort v: BinaryPrimitives.WriteUInt16LittleEndian(b, v); stream.Write(b[..2]); return;
            case short v: BinaryPrimitives.WriteInt16LittleEndian(b, v); stream.Write(b[..2]); return;
            case uint v: WriteUInt32(stream, v); return;
            case int v: WriteUInt32(stream, (uint)v); return;
            case ulong v: WriteUInt64(stream, v); return;
            case long v: WriteUInt64(stream, (ulong)v); return;
            case float v: BinaryPrimitives.WriteSingleLittleEndian(b, v); stream.Write(b[..4]); return;
            case double v: BinaryPrimitives.WriteDoubleLittleEndian(b, v); stream.Write(b[..8]); return;
            case string v: WriteString(stream, v); return;
            default: throw new ArgumentException($"not a GGUF scalar: {value.GetType()}", nameof(value));
        }
    }
}
