namespace SleepingLlm.Gguf;

/// <summary>
/// Parses a GGUF header (metadata and tensor infos, not tensor data) and validates everything a
/// later reader of the data relies on. Any inconsistency is a <see cref="GgufFormatException"/>
/// naming the field and offset; every count and length is checked against the bytes left in the
/// file before anything is allocated for it.
/// </summary>
internal static class GgufReader
{
    public const uint DefaultAlignment = 32;
    public const string AlignmentKey = "general.alignment";
    public const int MaxDims = 4; // GGML_MAX_DIMS

    /// <summary>Arrays of arrays deeper than this are corruption; the limit keeps recursion off the stack's end.</summary>
    public const int MaxArrayNesting = 16;

    // The fewest bytes a kv pair (empty key, type, 1-byte value) and a tensor info
    // (empty name, n_dims = 0, type, offset) can take.
    private const int MinKvSize = 8 + 4 + 1;
    private const int MinTensorInfoSize = 8 + 4 + 4 + 8;

    private const long TensorCountOffset = 8; // after magic and version

    private static ReadOnlySpan<byte> Magic => "GGUF"u8;

    public static GgufFile Read(Stream stream, string source, string? path)
    {
        var cursor = new GgufCursor(stream, source);
        var version = ReadHeader(cursor, out var tensorCount, out var kvCount);
        var (metadata, alignment) = ReadMetadata(cursor, kvCount);
        var (tensors, offsetFields) = ReadTensorInfos(cursor, tensorCount, alignment);

        // The data section starts at the next multiple of the alignment after the tensor infos.
        var dataOffset = AlignUp(cursor.Position, alignment);
        if (tensors.Count > 0 && dataOffset > cursor.Length)
            throw cursor.Error(new("data section"), cursor.Position,
                $"padding to the {alignment}-byte aligned data start at {dataOffset} runs past the end of the file ({cursor.Length} bytes)");
        for (var i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            // dataOffset + Offset + ByteSize cannot overflow: each is below 2^63 and checked in turn.
            if (t.Offset > cursor.Length - dataOffset || t.ByteSize > cursor.Length - dataOffset - t.Offset)
                throw cursor.Error(new($"tensor[{i}].offset"), offsetFields[i],
                    $"data of {GgufFormatException.Quote(t.Name)} ({t.ByteSize} bytes at data offset {t.Offset}) extends past the end of the file ({cursor.Length} bytes, data section at {dataOffset})");
        }
        return new GgufFile(source, path, stream, version, metadata, tensors, alignment, dataOffset, cursor.Length);
    }

    private static uint ReadHeader(GgufCursor cursor, out ulong tensorCount, out ulong kvCount)
    {
        if (cursor.Length == 0) throw GgufFormatException.NotGguf(cursor.Source, "the file is empty");
        var magicField = new Field("header.magic");
        Span<byte> magic = stackalloc byte[(int)Math.Min(4, cursor.Length)];
        cursor.ReadExactly(magic, magicField);
        if (!magic.SequenceEqual(Magic[..magic.Length]))
            throw GgufFormatException.NotGguf(cursor.Source, $"it starts with {Describe(magic)}, not \"GGUF\"");
        if (magic.Length < 4)
            throw cursor.Error(magicField, 0, $"the file is only {cursor.Length} bytes long (truncated file?)");

        var versionOffset = cursor.Position;
        var versionField = new Field("header.version");
        var version = cursor.ReadUInt32(versionField);
        if (version is not (2 or 3))
        {
            var problem = version switch
            {
                0 => "unsupported GGUF version 0",
                1 => "GGUF version 1 is no longer supported; convert the model again with a current llama.cpp",
                _ when (version & 0xFFFF) == 0 => $"version {version} looks byte-swapped: big-endian GGUF files are not supported",
                _ => $"unsupported GGUF version {version} (supported: 2 and 3)",
            };
            throw cursor.Error(versionField, versionOffset, problem);
        }
        tensorCount = ReadCount(cursor, new("header.tensor_count"), "tensor count", MinTensorInfoSize);
        kvCount = ReadCount(cursor, new("header.kv_count"), "kv count", MinKvSize);
        return version;
    }

    /// <summary>Reads an element count and checks the elements could fit in the rest of the file.</summary>
    internal static ulong ReadCount(GgufCursor cursor, Field field, string what, int minElementSize)
    {
        var offset = cursor.Position;
        var count = cursor.ReadUInt64(field);
        if (count > (ulong)cursor.Remaining / (ulong)minElementSize)
            throw cursor.Error(field, offset,
                $"{what} {count} needs at least {minElementSize} bytes each but only {cursor.Remaining} bytes are left in the file");
        return count;
    }

    private static (List<GgufKeyValue>, uint) ReadMetadata(GgufCursor cursor, ulong kvCount)
    {
        // Capacity is capped: the count was checked against the file size, but that can still be millions.
        var metadata = new List<GgufKeyValue>((int)Math.Min(kvCount, 1024));
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var alignment = DefaultAlignment;
        for (ulong i = 0; i < kvCount; i++)
        {
            var keyOffset = cursor.Position;
            var key = cursor.ReadString(new($"kv[{i}].key"));
            if (!keys.Add(key))
                throw cursor.Error(new($"kv[{i}].key"), keyOffset, $"duplicate key {GgufFormatException.Quote(key)}");
            var name = $"kv[{i}] {GgufFormatException.Quote(key)}";

            var typeOffset = cursor.Position;
            var type = (GgufValueType)cursor.ReadUInt32(new(name, Suffix: " type"));
            if (!GgufValueTypes.IsKnown(type))
                throw cursor.Error(new(name, Suffix: " type"), typeOffset, $"unknown value type {(uint)type}");

            var valueOffset = cursor.Position;
            var value = GgufValueReader.Read(cursor, type, new(name, Suffix: " value"), depth: 0);
            if (key == AlignmentKey)
            {
                if (type != GgufValueType.UInt32)
                    throw cursor.Error(new(name, Suffix: " type"), typeOffset, $"{AlignmentKey} must be a UInt32, not {type}");
                alignment = value.Get<uint>();
                if (alignment == 0 || (alignment & (alignment - 1)) != 0)
                    throw cursor.Error(new(name, Suffix: " value"), valueOffset, $"alignment {alignment} is not a power of two");
            }
            metadata.Add(new(key, value, (int)i, typeOffset));
        }
        return (metadata, alignment);
    }

    private static (List<GgufTensorInfo>, List<long>) ReadTensorInfos(GgufCursor cursor, ulong tensorCount, uint alignment)
    {
        // Checked again now that the metadata is read: a clearer error than a truncated tensor[i].
        if (tensorCount > (ulong)cursor.Remaining / MinTensorInfoSize)
            throw cursor.Error(new("header.tensor_count"), TensorCountOffset,
                $"tensor count {tensorCount} needs at least {MinTensorInfoSize} bytes each but only {cursor.Remaining} bytes are left after the metadata");
        var tensors = new List<GgufTensorInfo>((int)Math.Min(tensorCount, 4096));
        var offsetFields = new List<long>(tensors.Capacity);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (ulong i = 0; i < tensorCount; i++)
        {
            var nameOffset = cursor.Position;
            var name = cursor.ReadString(new($"tensor[{i}].name"));
            if (!names.Add(name))
                throw cursor.Error(new($"tensor[{i}].name"), nameOffset, $"duplicate tensor name {GgufFormatException.Quote(name)}");

            var nDimsOffset = cursor.Position;
            var nDims = cursor.ReadUInt32(new($"tensor[{i}].n_dims"));
            if (nDims > MaxDims)
                throw cursor.Error(new($"tensor[{i}].n_dims"), nDimsOffset, $"{nDims} dimensions, more than the {MaxDims} ggml allows");

            var dims = new long[nDims];
            long elements = 1;
            for (var d = 0; d < nDims; d++)
            {
                var field = new Field($"tensor[{i}].ne", d);
                var dimOffset = cursor.Position;
                var dim = (long)cursor.ReadUInt64(field);
                if (dim < 0) throw cursor.Error(field, dimOffset, $"dimension {dim} is negative");
                if (dim != 0 && elements > long.MaxValue / dim)
                    throw cursor.Error(field, dimOffset, $"element count overflows at dimension {dim}");
                elements *= dim;
                dims[d] = dim;
            }

            var typeField = new Field($"tensor[{i}].type");
            var typeOffset = cursor.Position;
            var type = (GgmlType)cursor.ReadUInt32(typeField);
            if (!GgmlTypes.TryGetTraits(type, out var traits))
                throw cursor.Error(typeField, typeOffset, $"unknown ggml type id {(uint)type}");
            var rowLength = nDims > 0 ? dims[0] : 1;
            if (rowLength % traits.BlockSize != 0)
                throw cursor.Error(typeField, typeOffset, $"ne[0] = {rowLength} is not a multiple of the {traits.Name} block size {traits.BlockSize}");
            var byteSize = type.TryGetByteSize(elements)
                ?? throw cursor.Error(typeField, typeOffset, $"byte size of {elements} {traits.Name} elements overflows");

            var offsetField = new Field($"tensor[{i}].offset");
            var offsetOffset = cursor.Position;
            var offset = cursor.ReadUInt64(offsetField);
            if (offset > long.MaxValue) throw cursor.Error(offsetField, offsetOffset, $"offset {offset} is beyond any file");
            if (offset % alignment != 0)
                throw cursor.Error(offsetField, offsetOffset, $"offset {offset} of {GgufFormatException.Quote(name)} is not a multiple of the alignment {alignment}");

            tensors.Add(new GgufTensorInfo(name, dims, type, (long)offset, elements, byteSize));
            offsetFields.Add(offsetOffset);
        }
        return (tensors, offsetFields);
    }

    internal static long AlignUp(long position, uint alignment) => (position + alignment - 1) / alignment * alignment;

    /// <summary>Shows leading bytes as text when they are printable ASCII, else as hex.</summary>
    private static string Describe(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
            if (b is < 0x20 or > 0x7e) return Convert.ToHexString(bytes);
        return GgufFormatException.Quote(System.Text.Encoding.ASCII.GetString(bytes));
    }
}
