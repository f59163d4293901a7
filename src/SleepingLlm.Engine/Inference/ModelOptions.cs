namespace SleepingLlm.Inference;

/// <summary>How a model is loaded and its context sized.</summary>
public sealed record ModelOptions
{
    /// <summary>Layers offloaded to a GPU backend when one is present; -1 = all.</summary>
    public int GpuLayers { get; init; } = -1;
    /// <summary>Context length in tokens; 0 = the smaller of 4096 and the model's training context.</summary>
    public int ContextLength { get; init; }
    /// <summary>Threads for decoding; 0 = the number of cores.</summary>
    public int Threads { get; init; }
    public int BatchSize { get; init; } = 512;
    /// <summary>
    /// F16 K/V cache with flash attention (half the KV memory) instead of the default F32 cache without
    /// it. The default computes exactly what the capture context and the kernel graph compute, so the
    /// chat runs the arithmetic the memory's edits were solved on; F16 moves SmolLM2's logits by ~5%
    /// of their range on every CPU.
    /// </summary>
    public bool HalfPrecisionCache { get; init; }
    /// <summary>
    /// llama.cpp's repacked CPU layouts (its "extra buffer types"): faster prompt processing, but the
    /// repacked weights are a copy beside the mapped file, which the kernel graph (wake, sleep) reads in
    /// place. Off: one copy of the weights (docs/laptop.md has the measured trade).
    /// </summary>
    public bool Repack { get; init; }
}
