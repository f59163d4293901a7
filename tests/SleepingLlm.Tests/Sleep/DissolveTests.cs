using SleepingLlm.Memory;
using SleepingLlm.Sleep;

namespace SleepingLlm.Tests.Sleep;

/// <summary>Per-fact stages and the scale each subject's edit runs at after a sleep; which edits Refresh solves again.</summary>
public sealed class DissolveTests
{
    static StoredFact Fact(long id, string subject, int stage, int minutesAgo, bool pinned = false) =>
        new(id, subject, "owns a", "cat", $"{subject} owns a", null, [], DateTimeOffset.UtcNow.AddMinutes(-minutesAgo), FactStatus.Active,
            stage, SleepOptions.ScaleAt(stage), null, null, [], pinned);

    static FactAudit Audit(long id, bool raw, bool? chat = true) => new(id, raw, chat);

    [Fact]
    public void A_carried_fact_moves_a_stage_up_and_one_that_is_not_falls_back_to_stage_0()
    {
        var facts = new[] { Fact(1, "Ada", 0, 9), Fact(2, "Bo", 1, 8), Fact(3, "Cy", 2, 7), Fact(4, "Di", 3, 6), Fact(5, "Ed", 2, 5) };
        var alone = new[] { Audit(1, true), Audit(2, true), Audit(3, true), Audit(4, true), Audit(5, true, chat: false) }.ToDictionary(a => a.Id);
        var stages = Dissolve.Stages(facts, Dissolve.CarriedBy(alone.Values), budget: 50);
        Assert.Equal([(1, 0.5f), (2, 0.1f), (3, 0f), (3, 0f), (0, 1f)], stages.Select(s => (s.Stage, s.Scale)));
    }

    [Fact]
    public void The_adapter_trains_beside_each_edit_at_the_scale_it_takes_a_stage_up_however_many_edits()
    {
        // 60 facts (over the budget of 50): IfCarried never prunes, and a subject runs at its least consolidated fact's next scale.
        var facts = new[] { Fact(1, "Ada", 0, 9), Fact(2, "Bo", 1, 8), Fact(3, "Cy", 2, 7), Fact(4, "Di", 3, 6), Fact(5, "Ed", 2, 5), Fact(6, "ed", 0, 4) }
            .Concat(Enumerable.Range(7, 54).Select(i => Fact(i, $"P{i}", 0, 3))).ToList();
        var scales = Dissolve.IfCarried(facts);
        Assert.Equal([0.5f, 0.1f, 0f, 0f, 0.5f, 0.5f], Enumerable.Range(1, 6).Select(i => scales[i]));
        Assert.All(Enumerable.Range(7, 54), i => Assert.Equal(0.5f, scales[i]));
    }

    [Fact]
    public void A_fact_moved_up_that_the_candidate_does_not_carry_goes_back_to_stage_0_and_only_it()
    {
        // Ada and Bo moved up on the first audit; on the candidate Bo is lost (a namesake's edit at 1.0 outvotes his at 0.1),
        // Cy never moved up and is lost too (not the settling's to undo: the gate judges it).
        var facts = new[] { Fact(1, "Ada", 0, 9), Fact(2, "Bo", 1, 8), Fact(3, "Cy", 0, 7) };
        var carried = new HashSet<long> { 1, 2 };
        var candidate = new[] { Audit(1, true), Audit(2, true, chat: false), Audit(3, false) }.ToDictionary(a => a.Id);
        var unsettled = Dissolve.Unsettled(carried, candidate);
        Assert.Equal([2L], unsettled);
        carried.ExceptWith(unsettled);
        var stages = Dissolve.Stages(facts, carried, budget: 50);
        Assert.Equal([(1, 0.5f), (0, 1f), (0, 1f)], stages.Select(s => (s.Stage, s.Scale)));
        Assert.Empty(Dissolve.Unsettled(carried, candidate));
    }

    [Fact]
    public void Namesakes_edits_run_at_the_scale_of_the_least_consolidated_of_them()
    {
        // Ilse Gallagher moves up to 0.1, Fenwick Gallagher fails and is back at 1.0: both run at 1.0, and Ilse's stage still moves.
        var facts = new[] { Fact(1, "Ilse Gallagher", 1, 9), Fact(2, "Fenwick Gallagher", 1, 8), Fact(3, "Ilse Varga", 1, 7), Fact(4, "my sister", 1, 6) };
        var alone = new[] { Audit(1, true), Audit(2, false), Audit(3, true), Audit(4, true) }.ToDictionary(a => a.Id);
        var stages = Dissolve.Stages(facts, Dissolve.CarriedBy(alone.Values), budget: 50);
        Assert.Equal([(2, 1f), (0, 1f), (2, 0.1f), (2, 0.1f)], stages.Select(s => (s.Stage, s.Scale)));
        Assert.Equal("my sister", Dissolve.Family("my sister"));
    }

    [Fact]
    public void A_subjects_shared_edit_runs_at_the_scale_of_its_least_consolidated_fact()
    {
        var facts = new[] { Fact(1, "Ada", 2, 9), Fact(2, "ada", 0, 8) };
        var alone = new[] { Audit(1, true), Audit(2, false) }.ToDictionary(a => a.Id);
        var stages = Dissolve.Stages(facts, Dissolve.CarriedBy(alone.Values), budget: 50);
        Assert.Equal([(3, 1f), (0, 1f)], stages.Select(s => (s.Stage, s.Scale)));
    }

    [Fact]
    public void Over_the_budget_the_oldest_wholly_carried_subjects_are_dissolved_at_once()
    {
        var facts = new[] { Fact(1, "Ada", 0, 9), Fact(2, "Bo", 0, 8), Fact(3, "Cy", 0, 7), Fact(4, "Di", 0, 6) };
        var alone = new[] { Audit(1, false), Audit(2, true), Audit(3, true), Audit(4, true) }.ToDictionary(a => a.Id);
        var stages = Dissolve.Stages(facts, Dissolve.CarriedBy(alone.Values), budget: 2);
        // Ada is the oldest but not carried: it keeps its edit. Bo and Cy go, as many as the budget needs; Di stays at its stage.
        Assert.Equal([(0, 1f), (3, 0f), (3, 0f), (1, 0.5f)], stages.Select(s => (s.Stage, s.Scale)));
    }

    [Fact]
    public void A_subject_with_a_pinned_fact_keeps_its_edit_over_the_budget_and_the_next_oldest_goes_instead()
    {
        // Bo's second fact is pinned: both of Bo's facts share one edit, so none of it may be pruned.
        var facts = new[] { Fact(1, "Bo", 0, 9), Fact(2, "Bo", 0, 8, pinned: true), Fact(3, "Cy", 0, 7), Fact(4, "Di", 0, 6) };
        var alone = facts.Select(f => Audit(f.Id, true)).ToDictionary(a => a.Id);
        var stages = Dissolve.Stages(facts, Dissolve.CarriedBy(alone.Values), budget: 2);
        // Without the pin, Bo (the oldest, wholly carried) would go; Cy and Di go instead, and Bo still moves a stage up.
        Assert.Equal([(1, 0.5f), (1, 0.5f), (3, 0f), (3, 0f)], stages.Select(s => (s.Stage, s.Scale)));
    }

    [Fact]
    public void Pinned_facts_stay_over_the_budget_when_nothing_else_can_go()
    {
        var facts = new[] { Fact(1, "Ada", 2, 9, pinned: true), Fact(2, "Bo", 0, 8, pinned: true) };
        var alone = facts.Select(f => Audit(f.Id, true)).ToDictionary(a => a.Id);
        var stages = Dissolve.Stages(facts, Dissolve.CarriedBy(alone.Values), budget: 0);
        // Consolidation still moves a pinned fact to the last stage; only Prune leaves it alone.
        Assert.Equal([(3, 0f), (1, 0.5f)], stages.Select(s => (s.Stage, s.Scale)));
    }

    [Fact]
    public void The_facts_the_candidate_lost_are_refreshed_first_then_those_it_never_recalled_up_to_the_limit()
    {
        FactAudit[] before = [Audit(1, true), Audit(2, false, false), Audit(3, true), Audit(4, true, null), Audit(5, true)];
        // 2 was never recalled, 3 lost its chat answer, 4 (no question) its raw one, 5 is carried.
        FactAudit[] candidate = [Audit(1, true), Audit(2, false, false), Audit(3, true, false), Audit(4, false, null), Audit(5, true)];
        Assert.Equal([3, 4, 2], Refresh.Degraded(before, candidate, 8));
        Assert.Equal([3, 4], Refresh.Degraded(before, candidate, 2));
        Assert.Empty(Refresh.Degraded(before, candidate, 0));
        Assert.True(Refresh.Lost(before[2], candidate[2]));
        Assert.False(Refresh.Lost(before[1], candidate[1]));
    }

    [Fact]
    public void A_degraded_fact_is_refreshed_with_its_namesakes_in_the_order_they_were_written_family_by_family()
    {
        var facts = new[] { Fact(1, "Alaric Abernathy", 0, 9), Fact(2, "Ilse Gallagher", 1, 8), Fact(3, "Florian Abernathy", 1, 7), Fact(4, "my sister", 0, 6), Fact(5, "my sister", 0, 5) };
        Assert.Equal([[1, 3]], Refresh.Families(facts, [3]).Select(g => g.Select(f => f.Id)));
        Assert.Equal([[4, 5], [1, 3]], Refresh.Families(facts, [5, 1, 4]).Select(g => g.Select(f => f.Id)));
        Assert.Empty(Refresh.Families(facts, []));
    }
}
