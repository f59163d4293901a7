namespace SleepingLlm.Gguf;

/// <summary>Reads one metadata value of a known type, arrays (and arrays of arrays) included.</summary>
internal static class GgufValueReader
{
    public static GgufValue Read(GgufCursor cursor, GgufValueType type, Field field, int depth) => type switch
    {
        GgufValueType.UInt8 => GgufValue.UInt8(cursor.ReadUInt8(field)),
        GgufValueType.Int8 => GgufValue.Int8((sbyte)cursor.ReadUInt8(field)),
        GgufValueType.UInt16 => GgufValue.UInt16(cursor.ReadUInt16(field)),
        GgufValueType.Int16 => GgufValue.Int16((short)cursor.ReadUInt16(field)),
        GgufValueType.UInt32 => GgufValue.UInt32(cursor.ReadUInt32(field)),
        GgufValueType.Int32 => GgufValue.Int32((int)cursor.ReadUInt32(field)),
        GgufValueType.UInt64 => GgufValue.UInt64(cursor.ReadUInt64(field)),
        GgufValueType.Int64 => GgufValue.Int64((long)cursor.ReadUInt64(field)),
        GgufValueType.Float32 => GgufValue.Float32(cursor.ReadSingle(field)),
        GgufValueType.Float64 => GgufValue.Float64(cursor.ReadDouble(field)),
        GgufValueType.Bool => GgufValue.Bool(cursor.ReadBool(field)),
        GgufValueType.String => GgufValue.String(cursor.ReadString(field)),
        GgufValueType.Array => ReadArray(cursor, field, depth),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "caller checks the type is known"),
    };

    private static GgufValue ReadArray(GgufCursor cursor, Field field, int depth)
    {
        var typeField = field with { Suffix = field.Suffix + " element type" };
        var typeOffset = cursor.Position;
        var elementType = (GgufValueType)cursor.ReadUInt32(typeField);
        if (!GgufValueTypes.IsKnown(elementType))
            throw cursor.Error(typeField, typeOffset, $"unknown array element type {(uint)elementType}");
        if (elementType == GgufValueType.Array && depth + 1 >= GgufReader.MaxArrayNesting)
            throw cursor.Error(typeField, typeOffset, $"arrays nested more than {GgufReader.MaxArrayNesting} deep");

        var countField = field with { Suffix = field.Suffix + " count" };
        var countOffset = cursor.Position;
        var count = GgufReader.ReadCount(cursor, countField, "array count", GgufValueTypes.MinEncodedSize(elementType));
        if (count > (ulong)Array.MaxLength)
            throw cursor.Error(countField, countOffset, $"array count {count} is more than .NET arrays can hold");
        var n = (int)count;

        // Elements are named "<field>[i]"; a nested element's own fields extend that name.
        var element = new Field(field.ToString());
        Array values = elementType switch
        {
            GgufValueType.UInt8 => Fill(new byte[n], i => cursor.ReadUInt8(element with { Index = i })),
            GgufValueType.Int8 => Fill(new sbyte[n], i => (sbyte)cursor.ReadUInt8(element with { Index = i })),
            GgufValueType.UInt16 => Fill(new ushort[n], i => cursor.ReadUInt16(element with { Index = i })),
            GgufValueType.Int16 => Fill(new short[n], i => (short)cursor.ReadUInt16(element with { Index = i })),
            GgufValueType.UInt32 => Fill(new uint[n], i => cursor.ReadUInt32(element with { Index = i })),
            GgufValueType.Int32 => Fill(new int[n], i => (int)cursor.ReadUInt32(element with { Index = i })),
            GgufValueType.UInt64 => Fill(new ulong[n], i => cursor.ReadUInt64(element with { Index = i })),
            GgufValueType.Int64 => Fill(new long[n], i => (long)cursor.ReadUInt64(element with { Index = i })),
            GgufValueType.Float32 => Fill(new float[n], i => cursor.ReadSingle(element with { Index = i })),
            GgufValueType.Float64 => Fill(new double[n], i => cursor.ReadDouble(element with { Index = i })),
            GgufValueType.Bool => Fill(new bool[n], i => cursor.ReadBool(element with { Index = i })),
            GgufValueType.String => Fill(new string[n], i => cursor.ReadString(element with { Index = i })),
            _ => Fill(new GgufValue[n], i => ReadArray(cursor, new Field((element with { Index = i }).ToString()), depth + 1)),
        };
        return GgufValue.OwnedArray(elementType, values);
    }

    private static T[] Fill<T>(T[] values, Func<int, T> read)
    {
        for (var i = 0; i < values.Length; i++) values[i] = read(i);
        return values;
    }
}
