using SleepingLlm.Memory;
using SleepingLlm.Sleep;

namespace SleepingLlm.Tests.Sleep;

/// <summary>What a sleep trains: everything for a new adapter; on top of the last one, the new facts and a bounded replay sample.</summary>
public sealed class ReplayTests
{
    static StoredFact Fact(long id, int stage, string? subject = null) =>
        new(id, subject ?? $"Person{id} Doe{id}", "owns a", "cat", $"Person {id} owns a", null, [], DateTimeOffset.UtcNow.AddMinutes(-id), FactStatus.Active,
            stage, SleepOptions.ScaleAt(stage), null, null, [], Pinned: false);

    static FactAudit Audit(long id, bool recalled) => new(id, recalled, recalled);

    [Fact]
    public void Without_an_adapter_to_continue_from_every_fact_is_trained()
    {
        var facts = Enumerable.Range(1, 30).Select(i => Fact(i, i % 4)).ToList();
        var chosen = Replay.Choose(facts, [.. facts.Select(f => Audit(f.Id, true))], sample: 5, continuing: false, rotation: 0);
        Assert.Equal(facts.Select(f => f.Id), chosen.Select(f => f.Id));
    }

    [Fact]
    public void On_top_of_the_last_adapter_the_new_facts_and_at_most_the_sample_of_the_rest_are_trained()
    {
        var facts = Enumerable.Range(1, 40).Select(i => Fact(i, i <= 10 ? 0 : 3)).ToList();
        var chosen = Replay.Choose(facts, [.. facts.Select(f => Audit(f.Id, true))], sample: 8, continuing: true, rotation: 0);
        Assert.Equal(18, chosen.Count);
        Assert.All(Enumerable.Range(1, 10), id => Assert.Contains(chosen, f => f.Id == id));
        Assert.Equal(8, chosen.Count(f => f.Stage > 0));
    }

    [Fact]
    public void Degraded_facts_are_replayed_first_then_the_least_consolidated()
    {
        var facts = new[] { Fact(1, 3), Fact(2, 3), Fact(3, 1), Fact(4, 2), Fact(5, 3), Fact(6, 0) };
        var audit = new[] { Audit(1, true), Audit(2, false), Audit(3, true), Audit(4, true), Audit(5, true), Audit(6, false) };
        var chosen = Replay.Choose(facts, audit, sample: 2, continuing: true, rotation: 0);
        Assert.Equal([2, 3, 6], chosen.Select(f => f.Id).Order());
    }

    [Fact]
    public void After_the_degraded_the_namesakes_of_a_fresh_fact_are_replayed()
    {
        // Florian Abernathy's harmonica is at risk from the adapter learning Alaric Abernathy's mandolin; Kit Vance is not.
        var facts = new[] { Fact(1, 1, "Kit Vance"), Fact(2, 2, "Florian Abernathy"), Fact(3, 1, "Ola Nord"), Fact(4, 0, "Alaric Abernathy") };
        var audit = facts.Select(f => Audit(f.Id, f.Id != 3)).ToArray();
        var chosen = Replay.Choose(facts, audit, sample: 2, continuing: true, rotation: 0);
        Assert.Equal([2, 3, 4], chosen.Select(f => f.Id).Order());
    }

    [Fact]
    public void A_family_is_trained_whole()
    {
        // Ilse Gallagher is fresh: Fenwick Gallagher comes with her, over the sample of 1 (Kit Vance, degraded, takes it).
        var facts = new[] { Fact(1, 2, "Fenwick Gallagher"), Fact(2, 1, "Kit Vance"), Fact(3, 3, "Ola Nord"), Fact(4, 0, "Ilse Gallagher") };
        var audit = facts.Select(f => Audit(f.Id, f.Id != 2)).ToArray();
        var chosen = Replay.Choose(facts, audit, sample: 1, continuing: true, rotation: 0);
        Assert.Equal([1, 2, 4], chosen.Select(f => f.Id).Order());
    }

    [Fact]
    public void The_sample_moves_on_from_sleep_to_sleep()
    {
        var facts = Enumerable.Range(1, 50).Select(i => Fact(i, 3)).ToList();
        var audit = facts.Select(f => Audit(f.Id, true)).ToList();
        var seen = Enumerable.Range(0, 10).SelectMany(r => Replay.Choose(facts, audit, sample: 10, continuing: true, rotation: r)).Select(f => f.Id).ToHashSet();
        Assert.True(seen.Count > 30, $"10 sleeps of 10 replayed only {seen.Count} of 50 facts");
    }
}
