namespace SleepingLlm.Gguf;

/// <summary>Metadata value type ids as stored in a GGUF file (<c>enum gguf_type</c>).</summary>
public enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}

internal static class GgufValueTypes
{
    public static bool IsKnown(GgufValueType type) => type <= GgufValueType.Float64;

    /// <summary>
    /// The fewest bytes one value of this type takes in a file: a string is at least its 8-byte
    /// length, an array at least its 4-byte element type and 8-byte count. Counts read from a file are
    /// checked against this so that a lying count cannot make the reader allocate more than the file holds.
    /// </summary>
    public static int MinEncodedSize(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 or GgufValueType.String => 8,
        GgufValueType.Array => 12,
        _ => throw new ArgumentOutOfRangeException(nameof(type), $"unknown GGUF value type {(uint)type}"),
    };
}
