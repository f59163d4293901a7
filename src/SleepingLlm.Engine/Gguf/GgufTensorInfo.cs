namespace SleepingLlm.Gguf;

/// <summary>
/// A tensor's entry in a GGUF file. <see cref="Dimensions"/> are in ggml order (ne[0] is the
/// innermost, contiguous dimension), <see cref="Offset"/> is relative to the file's data section.
/// </summary>
public sealed class GgufTensorInfo
{
    internal GgufTensorInfo(string name, long[] dimensions, GgmlType type, long offset, long elementCount, long byteSize)
    {
        Name = name;
        Dimensions = Array.AsReadOnly(dimensions);
        Type = type;
        Offset = offset;
        ElementCount = elementCount;
        ByteSize = byteSize;
    }

    public string Name { get; }

    /// <summary>ne[0..n): at most 4 (GGML_MAX_DIMS), none negative.</summary>
    public IReadOnlyList<long> Dimensions { get; }

    public GgmlType Type { get; }

    /// <summary>Start of the data, in bytes from <see cref="GgufFile.DataOffset"/>; a multiple of the file's alignment.</summary>
    public long Offset { get; }

    /// <summary>The product of <see cref="Dimensions"/> (1 for a tensor with no dimensions).</summary>
    public long ElementCount { get; }

    /// <summary>Bytes of data, without the alignment padding that follows it in the file.</summary>
    public long ByteSize { get; }

    public override string ToString() => $"{Name} {Type.Name()} [{string.Join(", ", Dimensions)}]";
}
