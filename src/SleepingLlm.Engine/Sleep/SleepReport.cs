using SleepingLlm.Memory;

namespace SleepingLlm.Sleep;

/// <summary>One fact through a sleep: recall before, on the consolidated adapter alone, and after; its stage and MEMIT scale; whether Refresh solved its edit again.</summary>
public sealed record SleepFact(long Id, string Subject, string Relation, string Object, FactAudit Before, FactAudit? Alone, FactAudit? After,
    int StageBefore, int Stage, float ScaleBefore, float Scale, bool Refreshed = false);

/// <summary>How long each step took (Gate: the candidate's audits while its stages settle; Refresh: the new edits, their audit and the perplexity).</summary>
public sealed record SleepTimes(TimeSpan Audit, TimeSpan Consolidate, TimeSpan Dissolve, TimeSpan Gate, TimeSpan Total, TimeSpan Refresh = default);

/// <summary>What a sleep did, committed or rolled back: the readable table and the JSON both come from this.</summary>
public sealed record SleepReport
{
    public required bool Committed { get; init; }
    /// <summary>Why it rolled back, or the gate's figures when it committed.</summary>
    public required string Verdict { get; init; }
    public required IReadOnlyList<SleepFact> Facts { get; init; }
    /// <summary>Facts stored as text only (no edit): served by the prompt path, not audited here, never counted as lost.</summary>
    public int TextOnlyFacts { get; init; }
    public double BasePerplexity { get; init; }
    public double PerplexityBefore { get; init; }
    public double PerplexityAfter { get; init; }
    /// <summary>Facts trained this sleep: those not consolidated yet, and <see cref="ReplayedFacts"/> of those that are.</summary>
    public int TrainedFacts { get; init; }
    /// <summary>Already consolidated facts trained again (<see cref="Replay"/>).</summary>
    public int ReplayedFacts { get; init; }
    /// <summary>Facts the first audit moved up that the candidate did not carry at their new scales: back at stage 0 (<see cref="Dissolve.Unsettled"/>).</summary>
    public int SettledBack { get; init; }
    /// <summary>Facts whose edit <see cref="Sleep.Refresh"/> solved again on the candidate (a degraded fact and those solved with it).</summary>
    public int RefreshedFacts { get; init; }
    public int TrainingSteps { get; init; }
    public double TrainingNll { get; init; }
    public double AnchorKl { get; init; }
    public long ConsolidatedBytes { get; init; }
    public IReadOnlyList<LayerNorm> EditNorms { get; init; } = [];
    public IReadOnlyList<LayerNorm> ConsolidatedNorms { get; init; } = [];
    public required SleepTimes Times { get; init; }

    /// <summary>The verdict of a sleep over a memory with nothing in the weights: nothing to do, nothing changed.</summary>
    public const string NothingToDo = "nothing to sleep on: no memory is in the weights yet";

    public bool Empty => Facts.Count == 0;

    public int Dissolved => Facts.Count(f => f.Scale == 0);
    public int ActiveEdits => Facts.Count(f => f.Scale > 0);
}
