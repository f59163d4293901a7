using SleepingLlm.Gguf;

namespace SleepingLlm.Synth;

/// <summary>How a synthetic tensor's values are drawn.</summary>
public enum SynthInit
{
    /// <summary>N(0, <see cref="SynthModel.WeightStd"/>): matrices and embeddings.</summary>
    Weight,
    /// <summary>1 + N(0, <see cref="SynthModel.NormNoiseStd"/>): RMS norm scales.</summary>
    Norm,
    /// <summary>N(0, <see cref="SynthModel.WeightStd"/>): the q/k/v biases of Qwen2.</summary>
    Bias,
}

/// <summary>One tensor of a synthetic model: llama.cpp's name, the type it is stored as, ggml dimensions (ne[0] first).</summary>
public sealed record SynthTensor(string Name, GgmlType Type, IReadOnlyList<long> Dimensions, SynthInit Init)
{
    public long ElementCount => Dimensions.Aggregate(1L, (a, d) => a * d);

    /// <summary>ne[0]: the length of a row, which quantization blocks must divide.</summary>
    public long RowLength => Dimensions[0];

    public long RowCount => ElementCount / RowLength;

    /// <summary>Bytes of data in the file, without alignment padding.</summary>
    public long ByteSize => Type.TryGetByteSize(ElementCount)
        ?? throw new InvalidOperationException($"tensor '{Name}' is not whole {Type.Name()} blocks");

    public override string ToString() => $"{Name} {Type.Name()} [{string.Join(", ", Dimensions)}]";
}

/// <summary>
/// Every tensor a synthetic model will have, in file order, computed without writing anything:
/// <see cref="SynthModel.Plan"/>. Matrices whose rows are not whole blocks of
/// <see cref="WeightType"/> use llama-quantize's fallback type (e.g. q4_K → q5_0, then f16).
/// </summary>
public sealed record SynthPlan(SynthShape Shape, GgmlType WeightType, int VocabSize, IReadOnlyList<SynthTensor> Tensors)
{
    public long ParameterCount => Tensors.Sum(t => t.ElementCount);

    /// <summary>Bytes of tensor data, without padding.</summary>
    public long TensorBytes => Tensors.Sum(t => t.ByteSize);

    /// <summary>The size of the file's data section: every tensor padded to <paramref name="alignment"/>.</summary>
    public long DataSectionBytes(uint alignment = 32) =>
        Tensors.Sum(t => GgufReader.AlignUp(t.ByteSize, alignment));

    /// <summary>Tensors per type name ("q4_K" → 196), sorted by name.</summary>
    public IReadOnlyDictionary<string, int> TypeCounts =>
        new SortedDictionary<string, int>(Tensors.GroupBy(t => t.Type.Name()).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);
}
