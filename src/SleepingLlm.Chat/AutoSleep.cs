using SleepingLlm.Sleep;

namespace SleepingLlm.Chat;

/// <summary>
/// When the full-screen chat sleeps by itself: after a write, with the sleep pressure over its threshold and no
/// sleep running, unless the last sleep of this session left the pressure where it is now. A sleep cannot always
/// bring the pressure under (facts the adapter does not carry yet keep their edits), and a sleep after every write
/// would stall the chat for minutes each time: after one, the next comes when <see cref="SleepPressure.Margin"/>
/// more memories are in the weights, or when a newer audit (a nap) finds recall falling.
/// </summary>
static class AutoSleep
{
    /// <param name="now">The pressure after the write.</param>
    /// <param name="afterLastSleep">The pressure the last sleep of this session left; null before the first.</param>
    /// <param name="enabled">chat --auto-sleep on (the default), with the memory in the weights.</param>
    /// <param name="sleeping">A sleep or a nap is running.</param>
    /// <returns>Why the chat sleeps now ("48 memories in the weights, over the budget of 45"); null: it does not.</returns>
    public static string? Reason(SleepPressure now, SleepPressure? afterLastSleep, bool enabled, bool sleeping)
    {
        if (!enabled || sleeping) return null;
        var last = afterLastSleep;
        bool moreEdits = now.OverBudget && (last is null || !last.OverBudget || now.InWeights >= last.InWeights + SleepPressure.Margin);
        bool newLoss = now.RecallFalling && (last is null || !last.RecallFalling || now.LastAudit > last.LastAudit);
        return moreEdits ? now.BudgetReason : newLoss ? now.FallingReason : null;
    }
}
