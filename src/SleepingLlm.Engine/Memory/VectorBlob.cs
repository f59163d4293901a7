using System.Buffers.Binary;

namespace SleepingLlm.Memory;

/// <summary>
/// How the store keeps vectors: a format byte, then the values. Factors are kept as half floats scaled
/// by their largest magnitude (relative error ≤ 5e-4 of it, half the bytes of float32); constraint keys,
/// which only steer later solves, as 8-bit integers with the same kind of scale (a quarter). Together
/// they keep a fact under 64 KB on a 30-layer model with five edit layers and two keys.
/// </summary>
public static class VectorBlob
{
    public const byte Float32 = 1, ScaledHalf = 2, ScaledInt8 = 3;

    public static byte[] Encode(ReadOnlySpan<float> values, byte format)
    {
        if (format == Float32)
        {
            var raw = new byte[1 + 4 * values.Length];
            raw[0] = Float32;
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(1 + 4 * i), values[i]);
            return raw;
        }
        float max = values.Length == 0 ? 0 : System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(values);
        float scale = max == 0 ? 1 : Math.Abs(max);
        int width = format switch { ScaledHalf => 2, ScaledInt8 => 1, _ => throw new ArgumentOutOfRangeException(nameof(format)) };
        var bytes = new byte[5 + width * values.Length];
        bytes[0] = format;
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(1), scale);
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i] / scale;
            if (format == ScaledHalf) BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(5 + 2 * i), (Half)v);
            else bytes[5 + i] = (byte)(sbyte)Math.Round(v * 127);
        }
        return bytes;
    }

    /// <summary>The values, or null when the bytes are not a vector blob (the caller names the file and row).</summary>
    public static float[]? Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0) return null;
        var body = bytes[1..];
        switch (bytes[0])
        {
            case Float32 when body.Length % 4 == 0:
            {
                var values = new float[body.Length / 4];
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(body[(4 * i)..]);
                return values;
            }
            case ScaledHalf when body.Length >= 4 && (body.Length - 4) % 2 == 0:
            {
                float scale = BinaryPrimitives.ReadSingleLittleEndian(body);
                var values = new float[(body.Length - 4) / 2];
                for (int i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(body[(4 + 2 * i)..]) * scale;
                return values;
            }
            case ScaledInt8 when body.Length >= 4:
            {
                float scale = BinaryPrimitives.ReadSingleLittleEndian(body);
                var values = new float[body.Length - 4];
                for (int i = 0; i < values.Length; i++) values[i] = (sbyte)body[4 + i] * scale / 127f;
                return values;
            }
            default:
                return null;
        }
    }

    /// <summary>How many values a blob holds, from its length and format (−1 when it is not a vector blob).</summary>
    public static long Count(ReadOnlySpan<byte> bytes) => Decode(bytes)?.Length ?? -1;
}
