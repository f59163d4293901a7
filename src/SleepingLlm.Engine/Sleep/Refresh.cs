using SleepingLlm.Memory;

namespace SleepingLlm.Sleep;

/// <summary>
/// A group's edit solved again by <see cref="Refresh"/>: the new factors and keys, held by <paramref name="Carrier"/>;
/// the <paramref name="Members"/> (the carrier and the facts solved with it, as a write groups them) lose their old ones.
/// </summary>
public sealed record RefreshedEdit(long Carrier, IReadOnlyList<long> Members, IReadOnlyList<LayerFactor> Factors, IReadOnlyList<LayerKey> Keys);

/// <summary>
/// Solves the edits of <paramref name="degraded"/> again on the model a sleep's candidate runs: the other edits at
/// <paramref name="scales"/>, the consolidated adapter <paramref name="consolidated"/> beside them.
/// </summary>
/// <param name="earlier">Edits refreshed before in this sleep: in the model, in place of their groups' stored ones.</param>
/// <returns>The new edits of <paramref name="degraded"/>'s groups only.</returns>
public delegate IReadOnlyList<RefreshedEdit> Refresher(IReadOnlyList<StoredFact> degraded, IReadOnlyDictionary<long, float> scales,
    byte[] consolidated, IReadOnlyList<RefreshedEdit> earlier, IProgress<string>? progress);

/// <summary>
/// Sleep's Refresh step. A fact the candidate does not recall had its edit solved on another model: the base weights
/// and the edits of its time, without the adapter this sleep trained, which now answers its prompt too (a namesake's
/// object, measured). Its family's edits are solved again, v* and the layer solves, on the candidate itself, with every
/// other fact's keys held as constraints as in any write, and replace the old ones in place: the facts keep their ids
/// and history and start again at stage 0. A family's new edits stay only if the candidate's audit with them recalls
/// no fewer facts, raw and chat, and more in all; then the gate judges the candidate as before.
/// </summary>
public static class Refresh
{
    /// <summary>
    /// The facts the candidate does not carry (<see cref="Dissolve.Carried"/>), those it lost against the audit before
    /// the sleep first, then by id; at most <paramref name="limit"/>.
    /// </summary>
    public static IReadOnlyList<long> Degraded(IReadOnlyList<FactAudit> before, IReadOnlyList<FactAudit> candidate, int limit)
    {
        var was = before.ToDictionary(a => a.Id);
        return [.. candidate.Where(a => !Dissolve.Carried(a))
            .OrderBy(a => was.TryGetValue(a.Id, out var b) && Lost(b, a) ? 0 : 1).ThenBy(a => a.Id)
            .Take(limit).Select(a => a.Id)];
    }

    /// <summary>
    /// The degraded facts' families (<see cref="Dissolve.Family"/>: namesakes), each in the order its facts were written, the
    /// family of the first degraded fact first. A refreshed edit fires on its namesakes' prompts as any edit keyed at a
    /// surname does (measured: refreshing Florian Abernathy's harmonica alone cost Alaric Abernathy his mandolin), so a
    /// family is solved again whole, each edit on the model with the ones solved before it, as wake wrote them.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<StoredFact>> Families(IReadOnlyList<StoredFact> facts, IReadOnlyList<long> degraded) =>
        [.. degraded.Select(id => Dissolve.Family(facts.First(f => f.Id == id).Subject)).Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(family => (IReadOnlyList<StoredFact>)[.. facts.Where(f => string.Equals(Dissolve.Family(f.Subject), family, StringComparison.OrdinalIgnoreCase)).OrderBy(f => f.Id)])];

    /// <summary>Recalled before, raw or in chat, and not after.</summary>
    public static bool Lost(FactAudit before, FactAudit after) => (before.Raw && !after.Raw) || (before.Chat == true && after.Chat != true);
}
