using SleepingLlm.Wake;

namespace SleepingLlm.Memory;

/// <summary>Sleep's Refresh: the one place a sleep writes edits, through the same editor as wake.</summary>
public sealed partial class MemoryService
{
    /// <summary>
    /// Sleep's Refresh (<see cref="SleepingLlm.Sleep.Refresh"/>): each degraded fact's group solved again on the candidate
    /// (the other edits at <paramref name="scales"/>, those refreshed before it in place of their old ones, the new adapter
    /// beside them), every other fact's keys held as constraints. Nothing is stored: the sleep commits the result or drops it.
    /// </summary>
    IReadOnlyList<SleepingLlm.Sleep.RefreshedEdit> Refresh(IReadOnlyList<StoredFact> degraded, IReadOnlyDictionary<long, float> scales,
        byte[] consolidated, IReadOnlyList<SleepingLlm.Sleep.RefreshedEdit> earlier, IProgress<string>? progress)
    {
        var editor = Editor(progress);
        var lora = SleepingLlm.Sleep.Consolidation.ReadAdapter(consolidated);
        var active = store.ActiveFacts();
        var holding = store.AllActiveFactors().SelectMany(l => l.Facts).Select(f => f.FactId).ToHashSet();
        var result = earlier.ToList();
        var eta = new SleepingLlm.Sleep.Eta(degraded.Count);
        foreach (var fact in degraded)
        {
            if (result.Any(r => r.Members.Contains(fact.Id))) continue;
            var group = SolvedWith(fact.Subject, fact.Relation, active).OrderBy(f => f.Id).ToList();
            if (!group.Any(f => f.Id == fact.Id)) group.Add(fact);
            List<long> members = [.. group.Select(f => f.Id)];
            // The group's edit stays with the fact that holds it (the newest write about the subject).
            long carrier = members.Where(holding.Contains).DefaultIfEmpty(fact.Id).Max();
            var excluded = result.SelectMany(r => r.Members).Concat(members).ToHashSet();
            var memory = AdapterBuilder.Columns(store, scales, [.. result, new SleepingLlm.Sleep.RefreshedEdit(carrier, members, [], [])]);
            var refreshedKeys = result.SelectMany(r => r.Keys).Select(k => (k.Layer, Key: new ConstraintKey(--refreshKeyId, k.K))).ToList();
            var edit = editor.Write([.. group.Select(f => f.ToFact())], memory,
                layer => [.. ConstraintKeys(layer, excluded), .. refreshedKeys.Where(k => k.Layer == layer).Select(k => k.Key)], lora);
            result.Add(new SleepingLlm.Sleep.RefreshedEdit(carrier, members,
                [.. edit.Columns.Select(c => new LayerFactor(c.Layer, c.A, c.B))], [.. edit.Keys.Select(k => new LayerKey(k.Layer, k.Key))]));
            progress?.Report($"refresh: {fact.Subject} {fact.Relation} {fact.Object} solved again on the candidate (v* loss {edit.Value.Loss:F2}){eta.Next()}");
        }
        return result[earlier.Count..];
    }

    /// <summary>Ids for refreshed keys in the editor's cache of projected keys: never a stored key's, never reused.</summary>
    long refreshKeyId;
}
