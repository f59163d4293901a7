using SleepingLlm.Memory;

namespace SleepingLlm.Sleep;

/// <summary>
/// What a sleep's Consolidate trains. The first sleep trains a new adapter on every fact in the weights;
/// each later one continues from the last adapter and trains the facts it does not carry yet (stage 0:
/// fresh edits, and facts that fell back) with a bounded replay sample of those it does, so a sleep's cost
/// does not grow with the memory's lifetime. The sample takes the degraded first (not recalled at this
/// sleep's audit), then those whose subject shares a name with a fact trained fresh (the new adapter learns
/// "Alaric Abernathy plays the mandolin" and, unreplayed, answers it for Florian Abernathy too), then the
/// least consolidated, then a rotation that reaches every fact over the sleeps; a family (namesakes) is trained
/// whole, so the sample may grow by the families' other members.
/// </summary>
public static class Replay
{
    /// <param name="audit">This sleep's audit of <paramref name="facts"/> on the model as it ran.</param>
    /// <param name="sample">At most this many already consolidated facts are replayed.</param>
    /// <param name="continuing">Whether there is an adapter to continue from; without one every fact is trained.</param>
    /// <param name="rotation">Changes from sleep to sleep (the number of sleeps so far), so the sample moves on.</param>
    public static IReadOnlyList<StoredFact> Choose(IReadOnlyList<StoredFact> facts, IReadOnlyList<FactAudit> audit, int sample,
        bool continuing, int rotation)
    {
        if (!continuing) return facts;
        var carried = audit.ToDictionary(a => a.Id, Dissolve.Carried);
        var fresh = facts.Where(f => f.Stage == 0).SelectMany(f => Names(f.Subject)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var replayed = facts.Where(f => f.Stage > 0)
            .OrderBy(f => carried.GetValueOrDefault(f.Id))
            .ThenBy(f => !Names(f.Subject).Any(fresh.Contains))
            .ThenBy(f => f.Stage)
            .ThenBy(f => (ulong)(f.Id + rotation) * 0x9E3779B97F4A7C15UL)
            .Take(Math.Max(0, sample))
            .Select(f => f.Id)
            .ToHashSet();
        // A family (namesakes, Dissolve.Family) is trained whole: its edits share a scale, and the adapter that learns one
        // of them unreplayed beside the others answers it for them too. This may take a few facts over the sample.
        var families = facts.Where(f => f.Stage == 0 || replayed.Contains(f.Id)).Select(f => Dissolve.Family(f.Subject))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. facts.Where(f => families.Contains(Dissolve.Family(f.Subject)))];
    }

    static string[] Names(string subject) => subject.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
