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
}
