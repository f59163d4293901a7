namespace SleepingLlm.Memory;

/// <summary>One remembered fact as the user sees it.</summary>
/// <param name="Stage">Consolidation stage: 0 = MEMIT edit at full scale; each passed sleep moves it on.</param>
/// <param name="Scale">The scale its MEMIT edit is applied with now (1.0 → 0.5 → 0.1 → 0.0).</param>
/// <param name="LastRecall">When it was last audited, and whether the model gave the object then.</param>
/// <param name="Pinned">The user pinned it: sleep never prunes its edit.</param>
public sealed record MemoryFact(long Id, string Subject, string Relation, string Object, int Stage, float Scale,
    DateTimeOffset? LastRecall, bool? Recalled, bool Pinned);

/// <summary>‖ΔW_l‖ (Frobenius) of all active memories' edits at one layer.</summary>
public sealed record LayerNorm(int Layer, double Norm);

/// <summary>The memory as the UI shows it: facts, the per-layer norms of the edits, and how much it needs a sleep.</summary>
public sealed record MemorySnapshot(IReadOnlyList<MemoryFact> Facts, IReadOnlyList<LayerNorm> EditNorms, Sleep.SleepPressure Pressure)
{
    public static MemorySnapshot Empty { get; } = new([], [], Sleep.SleepPressure.None);
}

/// <summary>A recall audit of every memory (what a sleep starts with).</summary>
public sealed record NapResult(int Audited, int Recalled, TimeSpan Elapsed);
