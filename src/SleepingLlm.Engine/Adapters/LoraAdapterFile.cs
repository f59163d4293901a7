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

    static byte[] Bytes(float[] values, GgmlType type)
    {
        if (type == GgmlType.F32) return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var half = new Half[values.Length];
        for (int i = 0; i < values.Length; i++) half[i] = (Half)values[i];
        return MemoryMarshal.AsBytes(half.AsSpan()).ToArray();
    }
}
