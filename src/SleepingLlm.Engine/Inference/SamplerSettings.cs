namespace SleepingLlm.Inference;

/// <summary>Sampling as the user sets it. Temperature 0 is greedy (deterministic).</summary>
public sealed record SamplerSettings
{
    public float Temperature { get; init; } = 0.7f;
    public float TopP { get; init; } = 0.95f;
    public float MinP { get; init; } = 0.05f;
    public float RepeatPenalty { get; init; } = 1.1f;
    public int RepeatLastN { get; init; } = 64;
    /// <summary>Null: a random seed.</summary>
    public uint? Seed { get; init; }
    /// <summary>Null: any text; else only text the GBNF grammar accepts (llama.cpp's grammar sampler).</summary>
    public Grammar? Grammar { get; init; }

    public static SamplerSettings Greedy { get; } = new() { Temperature = 0, RepeatPenalty = 1 };
}

/// <summary>GBNF production rules and the start symbol (llama.cpp's grammars/README.md).</summary>
public sealed record Grammar(string Rules, string Root = "root");
