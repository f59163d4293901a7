using SleepingLlm.Kernels;

namespace SleepingLlm.Sleep;

/// <summary>How a sleep consolidates, dissolves and judges itself.</summary>
public sealed record SleepOptions
{
    /// <summary>The LoRA consolidation: rank, layers, steps (<see cref="LoraTrainer"/>). Null: <see cref="DefaultLora"/> for the model's depth.</summary>
    public LoraOptions? Lora { get; init; }

    /// <summary>At most this many facts keep a MEMIT edit (scale above 0) after a sleep; MEMIT alone holds about 50 on a small model.</summary>
    public int EditBudget { get; init; } = 50;

    /// <summary>
    /// At most this many already consolidated facts are trained again in a sleep that continues from the last
    /// adapter (<see cref="Replay"/>), beside every fact not consolidated yet.
    /// </summary>
    public int Replay { get; init; } = 10;

    /// <summary>
    /// At most this many times the candidate is audited again after facts it did not carry at their new scales went back
    /// to stage 0 (<see cref="Dissolve.Unsettled"/>); each is an audit of every fact.
    /// </summary>
    public int SettleRounds { get; init; } = 3;

    /// <summary>
    /// At most this many facts the candidate does not recall have their edits solved again on it (<see cref="Refresh"/>),
    /// about 5 s each on SmolLM2-135M; 0: no Refresh.
    /// </summary>
    public int RefreshLimit { get; init; } = 8;

    /// <summary>The gate's perplexity allowance over the bare model (0.02: +2%); a sleep that does not raise perplexity passes too.</summary>
    public double PerplexityGate { get; init; } = 0.02;

    /// <summary>What the gate measures perplexity on; null: text the bare model writes itself (<see cref="Gate.SelfWritten"/>).</summary>
    public Eval.PerplexityText? GateText { get; init; }

    /// <summary>The MEMIT scale of a fact at each consolidation stage: its edit dissolves as the LoRA proves it carries the fact.</summary>
    public static IReadOnlyList<float> StageScales { get; } = [1.0f, 0.5f, 0.1f, 0.0f];

    /// <summary>
    /// The last 8 layers' ffn_down at rank 16, the reference recipe's place (sleep.md). 15 steps at Adam 6e-3 with
    /// the anchors' KL weighted 8: 20 facts on SmolLM2-135M reach answer NLL ~0.2 with the edits beside them, and
    /// the gate's perplexity stays within +2% (anchor weight 1: +5.7%), in a sleep of under 180 s on two cores
    /// (docs/sleep-consolidate.md). The key term at 0.002 holds the adapter's change to ordinary text down: the second
    /// sleep's perplexity 3.86 → 3.80 (before it 3.82), where 0.01 carried 3 facts of 40 (docs/sleep.md).
    /// </summary>
    public static LoraOptions DefaultLora(int layerCount) =>
        new() { FirstLayer = Math.Max(0, layerCount - 8), EndLayer = layerCount, Steps = 15, LearningRate = 6e-3f, AnchorWeight = 8f, KeyWeight = 2e-3f };

    public static float ScaleAt(int stage) => StageScales[Math.Clamp(stage, 0, StageScales.Count - 1)];
}
