using SleepingLlm.Memory;

namespace SleepingLlm.Sleep;

/// <summary>
/// How much the memory needs a sleep. MEMIT alone holds about <see cref="SleepOptions.EditBudget"/> edits before
/// recall falls, so the threshold is crossed when more facts than the budget less <see cref="Margin"/> still have
/// an edit acting (scale above 0): the sleep comes before the budget is reached, not after. It is crossed too when
/// the last audit (a nap's or a sleep's) found recall falling: more than <see cref="FallingShare"/> of the facts
/// recalled at their previous audit were missed at their last.
/// </summary>
/// <param name="InWeights">Facts whose MEMIT edit still acts (scale above 0).</param>
/// <param name="Limit">The budget less the margin: more facts than this in the weights cross the threshold.</param>
/// <param name="Recalled">Facts audited twice or more that their previous audit recalled.</param>
/// <param name="Lost">Of those, the ones their last audit missed.</param>
/// <param name="LastAudit">The newest audit in any fact's history; null before the first.</param>
public sealed record SleepPressure(int InWeights, int Limit, int Recalled, int Lost, DateTimeOffset? LastAudit)
{
    /// <summary>How far under the edit budget a sleep is due: one sleep's worth of writes of headroom.</summary>
    public const int Margin = 5;

    /// <summary>More than this share of the facts recalled before, missed now, is recall falling (one in five).</summary>
    public const double FallingShare = 0.2;

    /// <summary>An empty memory's pressure, at the default budget.</summary>
    public static SleepPressure None { get; } = Of([], new SleepOptions().EditBudget);

    /// <param name="inWeights">The facts in the weights (<see cref="MemoryStore.FactsInWeights"/>); text-only facts never press.</param>
    /// <param name="budget">The edit budget the sleep prunes to (<see cref="SleepOptions.EditBudget"/>).</param>
    public static SleepPressure Of(IReadOnlyList<StoredFact> inWeights, int budget)
    {
        int recalled = 0, lost = 0;
        DateTimeOffset? lastAudit = null;
        foreach (var fact in inWeights)
        {
            if (fact.RecallHistory is [.., var last] && (lastAudit is null || last.At > lastAudit)) lastAudit = last.At;
            if (fact.RecallHistory is not [.., var previous, var latest] || !Given(previous)) continue;
            recalled++;
            if (!Given(latest)) lost++;
        }
        return new SleepPressure(inWeights.Count(f => f.Scale > 0), Math.Max(0, budget - Margin), recalled, lost, lastAudit);
    }

    /// <summary>Recalled in the nap's sense: the raw prompt or the chat question gave the object.</summary>
    static bool Given(RecallRecord audit) => new FactAudit(0, audit.Raw, audit.Chat).Recalled;

    public bool OverBudget => InWeights > Limit;

    public bool RecallFalling => Lost > FallingShare * Recalled;

    /// <summary>Over the threshold: a sleep is due.</summary>
    public bool Crossed => OverBudget || RecallFalling;

    /// <summary>Why a sleep is due, as the chat says it; null under the threshold.</summary>
    public string? Reason => OverBudget ? BudgetReason : RecallFalling ? FallingReason : null;

    public string BudgetReason => $"{InWeights} memories in the weights, over the budget of {Limit}";

    public string FallingReason => $"recall is falling: {Lost} of {Recalled} memories recalled at their previous audit were missed at the last";
}
