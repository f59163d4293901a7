using SleepingLlm.Memory;

namespace SleepingLlm.Sleep;

/// <summary>
/// Sleep's Dissolve and Prune steps. A fact the consolidated adapter recalls with the edits at the scales
/// they take a stage up (<see cref="IfCarried"/>, what the adapter was trained beside) moves a stage up, one
/// it does not falls back to stage 0, and its edit's scale follows its stage
/// (1.0 → 0.5 → 0.1 → 0.0); at 0.0 its columns leave the MEMIT adapter. A subject's facts share one edit
/// (one key, solved together), and namesakes' edits (the same surname: the key's last token) act on each
/// other's prompts, so a family's edits run at the scale of its least consolidated fact: no fact loses
/// its edit before the adapter carries it, and no namesake's edit at 1.0 outvotes one at 0.1 (Fenwick
/// Gallagher's Catalan over Ilse Gallagher's Icelandic, measured). Then, while more facts keep an edit
/// than the budget allows, the oldest families whose facts the adapter all carries are dissolved at once;
/// one with a fact the user pinned never is (its edit is the one copy the user asked to keep).
/// The stages are then settled (<see cref="Unsettled"/>): the first audit ran every edit a stage up, the
/// candidate runs them at the scales the stages give.
/// </summary>
public static class Dissolve
{
    /// <summary>The ids of the facts <paramref name="alone"/> (each fact's audit on the new adapter with the edits at <see cref="IfCarried"/>'s scales) finds carried.</summary>
    public static HashSet<long> CarriedBy(IEnumerable<FactAudit> alone) => [.. alone.Where(Carried).Select(a => a.Id)];

    /// <summary>The stages with only the facts in <paramref name="carried"/> moving up (the others fall back to stage 0).</summary>
    public static IReadOnlyList<FactStage> Stages(IReadOnlyList<StoredFact> facts, IReadOnlySet<long> carried, int budget) =>
        Stages(facts, f => carried.Contains(f.Id), budget);

    /// <summary>
    /// The facts moved up that the candidate (the new adapter with the edits at their new stages' scales) does not carry:
    /// they go back to stage 0 and the candidate is audited again, so that no fact moves up on an audit of scales
    /// it will not run at.
    /// </summary>
    public static IReadOnlyList<long> Unsettled(IReadOnlySet<long> carried, IReadOnlyDictionary<long, FactAudit> candidate) =>
        [.. carried.Where(id => candidate.TryGetValue(id, out var a) && !Carried(a)).Order()];

    /// <summary>
    /// Each fact's edit scale should the adapter carry every fact (each a stage up): what Consolidate trains
    /// beside, and what a fact is audited on to move up.
    /// </summary>
    public static IReadOnlyDictionary<long, float> IfCarried(IReadOnlyList<StoredFact> facts) =>
        Stages(facts, _ => true, int.MaxValue).ToDictionary(s => s.Id, s => s.Scale);

    static IReadOnlyList<FactStage> Stages(IReadOnlyList<StoredFact> facts, Func<StoredFact, bool> carried, int budget)
    {
        int last = SleepOptions.StageScales.Count - 1;
        bool Carried(StoredFact f) => carried(f);
        var stage = facts.ToDictionary(f => f.Id, f => Carried(f) ? Math.Min(f.Stage + 1, last) : 0);
        var subjects = facts.GroupBy(f => Family(f.Subject), StringComparer.OrdinalIgnoreCase)
            .Select(g => g.ToList()).OrderBy(g => g.Min(f => f.Created)).ThenBy(g => g.Min(f => f.Id)).ToList();
        var scale = subjects.ToDictionary(g => g, g => SleepOptions.ScaleAt(g.Min(f => stage[f.Id])));

        // Prune: edits over the budget go, oldest families first, among those the adapter wholly carries and none pinned.
        int over = subjects.Where(g => scale[g] > 0).Sum(g => g.Count) - budget;
        foreach (var group in subjects)
        {
            if (over <= 0) break;
            if (scale[group] == 0 || !group.All(Carried) || group.Any(f => f.Pinned)) continue;
            scale[group] = 0;
            foreach (var f in group) stage[f.Id] = last;
            over -= group.Count;
        }
        return [.. subjects.SelectMany(g => g.Select(f => new FactStage(f.Id, stage[f.Id], scale[g]))).OrderBy(s => s.Id)];
    }

    /// <summary>A name's surname (its last word, capitalised, after another), else the whole subject ("my sister").</summary>
    public static string Family(string subject)
    {
        string[] words = subject.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length >= 2 && char.IsUpper(words[^1][0]) ? words[^1] : subject;
    }

    /// <summary>Carried: the raw prompt gives the object, and so does the chat question where there is one.</summary>
    public static bool Carried(FactAudit audit) => audit.Raw && audit.Chat != false;
}
