using System.Runtime.InteropServices;
using SleepingLlm.Gguf;

namespace SleepingLlm.Adapters;

/// <summary>
/// One low-rank term of an adapter: ΔW = B·A on the base weight <see cref="Weight"/>
/// (e.g. "blk.12.ffn_down.weight"). A is [InputDim → Rank], B is [Rank → OutputDim], stored as GGUF
/// LoRA tensors with ggml dims lora_a [InputDim, Rank], lora_b [Rank, OutputDim].
/// </summary>
public sealed record LoraPair(string Weight, int InputDim, int OutputDim, int Rank, float[] A, float[] B)
{
    public void Validate()
    {
        if (A.Length != InputDim * Rank) throw new ArgumentException($"{Weight}: A has {A.Length} values, not {InputDim}×{Rank}");
        if (B.Length != Rank * OutputDim) throw new ArgumentException($"{Weight}: B has {B.Length} values, not {Rank}×{OutputDim}");
    }
}

/// <summary>
/// Writes standard GGUF LoRA adapters that llama.cpp (and its other tools) load with
/// llama_adapter_lora_init. alpha is written equal to the rank, so scale 1 applies B·A exactly.
/// </summary>
public static class LoraAdapterFile
{
    /// <param name="type">F32, or F16: half the bytes llama.cpp reads per token for the adapter (decode is memory-bound).</param>
    public static void Write(string path, string architecture, IReadOnlyList<LoraPair> pairs, GgmlType type = GgmlType.F32)
    {
        if (type is not (GgmlType.F32 or GgmlType.F16)) throw new ArgumentException($"adapters are F32 or F16, not {type}", nameof(type));
        if (pairs.Count == 0) throw new ArgumentException("an adapter needs at least one pair", nameof(pairs));
        int rank = pairs[0].Rank;
        if (pairs.Any(p => p.Rank != rank))
            throw new ArgumentException("llama.cpp reads one alpha per adapter: all pairs need the same rank (pad with zeros)");
        var writer = new GgufWriter()
            .Add("general.type", GgufValue.String("adapter"))
            .Add("general.architecture", GgufValue.String(architecture))
            .Add("adapter.type", GgufValue.String("lora"))
            .Add("adapter.lora.alpha", GgufValue.Float32(rank));
        foreach (var pair in pairs)
        {
            pair.Validate();
            writer.AddTensor(pair.Weight + ".lora_a", type, [pair.InputDim, pair.Rank], Bytes(pair.A, type));
            writer.AddTensor(pair.Weight + ".lora_b", type, [pair.Rank, pair.OutputDim], Bytes(pair.B, type));
        }
        writer.WriteTo(path);
    }

    /// <summary>
    /// The pairs of an adapter as <see cref="Write"/> wrote it (F32 or F16), e.g. the consolidated adapter a
    /// sleep continues from.
    /// </summary>
    /// <exception cref="SleepingLlmException">not such an adapter: a lora_a without its lora_b, another type, other shapes.</exception>
    public static IReadOnlyList<LoraPair> Read(byte[] bytes, string source)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        var file = GgufFile.Read(stream, source);
        var pairs = new List<LoraPair>();
        foreach (var a in file.Tensors.Where(t => t.Name.EndsWith(".lora_a", StringComparison.Ordinal)))
        {
            string weight = a.Name[..^".lora_a".Length];
            var b = file.FindTensor(weight + ".lora_b");
            if (b is null || a.Dimensions.Count != 2 || b.Dimensions.Count != 2 || a.Dimensions[1] != b.Dimensions[0])
                throw new SleepingLlmException($"{source}: {weight} is not a LoRA pair (lora_a [n_in, rank] with lora_b [rank, n_out])");
            pairs.Add(new LoraPair(weight, (int)a.Dimensions[0], (int)b.Dimensions[1], (int)a.Dimensions[1], Floats(file, a), Floats(file, b)));
        }
        return pairs;
    }

    static float[] Floats(GgufFile file, GgufTensorInfo tensor)
    {
        byte[] data = file.ReadTensorData(tensor);
        return tensor.Type switch
        {
            GgmlType.F32 => MemoryMarshal.Cast<byte, float>(data).ToArray(),
            GgmlType.F16 => [.. MemoryMarshal.Cast<byte, Half>(data).ToArray().Select(h => (float)h)],
            _ => throw new SleepingLlmException($"{file.Source}: {tensor.Name} is {tensor.Type}; adapters here are F32 or F16"),
        };
    }

    static byte[] Bytes(float[] values, GgmlType type)
    {
        if (type == GgmlType.F32) return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var half = new Half[values.Length];
        for (int i = 0; i < values.Length; i++) half[i] = (Half)values[i];
        return MemoryMarshal.AsBytes(half.AsSpan()).ToArray();
    }
}
