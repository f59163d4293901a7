using SleepingLlm.Memory;
using SleepingLlm.Sleep;

namespace SleepingLlm.Tests.Sleep;

/// <summary>When the memory needs a sleep: too many edits acting, or recall falling at the last audit.</summary>
public sealed class SleepPressureTests
{
    static readonly DateTimeOffset Then = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    static StoredFact Fact(long id, float scale = 1f, params (bool Raw, bool? Chat)[] audits) =>
        new(id, $"Person {id}", "owns a", "cat", $"Person {id} owns a", null, [], Then, FactStatus.Active, 0, scale, null, null,
            [.. audits.Select((a, i) => new RecallRecord(Then.AddHours(i), a.Raw, a.Chat))], false);

    static StoredFact[] Facts(int count, float scale = 1f) => [.. Enumerable.Range(1, count).Select(i => Fact(i, scale))];

    [Fact]
    public void The_threshold_is_the_edit_budget_less_the_margin()
    {
        var at = SleepPressure.Of(Facts(45), budget: 50);
        Assert.Equal((45, 45), (at.InWeights, at.Limit));
        Assert.False(at.Crossed);
        Assert.Null(at.Reason);

        var over = SleepPressure.Of(Facts(48), budget: 50);
        Assert.True(over.OverBudget);
        Assert.True(over.Crossed);
        Assert.Equal("48 memories in the weights, over the budget of 45", over.Reason);
    }

    [Fact]
    public void Facts_whose_edit_is_dissolved_do_not_press()
    {
        // 40 edits at full scale, 5 at a consolidated stage's 0.1, 20 that live in the adapter alone.
        var facts = Facts(40).Concat(Enumerable.Range(41, 5).Select(i => Fact(i, 0.1f))).Concat(Enumerable.Range(46, 20).Select(i => Fact(i, 0f))).ToList();
        var pressure = SleepPressure.Of(facts, budget: 50);
        Assert.Equal(45, pressure.InWeights);
        Assert.False(pressure.Crossed);
    }

    [Fact]
    public void Recall_falls_when_more_than_a_fifth_of_what_was_recalled_is_missed_at_the_last_audit()
    {
        // Ten facts recalled at their previous audit; two missed at the last is a fifth, not more.
        var steady = Enumerable.Range(1, 8).Select(i => Fact(i, 1f, (true, true), (true, true)))
            .Append(Fact(9, 1f, (true, null), (false, null))).Append(Fact(10, 1f, (true, true), (false, false))).ToList();
        var fifth = SleepPressure.Of(steady, budget: 50);
        Assert.Equal((10, 2), (fifth.Recalled, fifth.Lost));
        Assert.False(fifth.RecallFalling);

        steady[0] = Fact(1, 1f, (true, true), (false, false));
        var falling = SleepPressure.Of(steady, budget: 50);
        Assert.True(falling.RecallFalling);
        Assert.True(falling.Crossed);
        Assert.Equal("recall is falling: 3 of 10 memories recalled at their previous audit were missed at the last", falling.Reason);
        Assert.Equal(Then.AddHours(1), falling.LastAudit);
    }

    [Fact]
    public void Only_facts_recalled_before_count_and_one_answer_of_two_is_recalled()
    {
        var facts = new[]
        {
            Fact(1, 1f, (false, false), (false, false)), // never recalled: not a fall
            Fact(2, 1f, (true, true)),                   // audited once: nothing to compare
            Fact(3),                                     // never audited
            Fact(4, 1f, (false, true), (true, false)),   // chat, then raw: recalled both times
            Fact(5, 1f, (true, true), (false, false), (true, true)), // fell once, but the last audit recalled it
        };
        var pressure = SleepPressure.Of(facts, budget: 50);
        Assert.Equal((1, 0), (pressure.Recalled, pressure.Lost));
        Assert.False(pressure.Crossed);
        Assert.Equal(Then.AddHours(2), pressure.LastAudit);
    }

    [Fact]
    public void An_empty_memory_has_no_pressure()
    {
        Assert.Equal(new SleepPressure(0, 45, 0, 0, null), SleepPressure.None);
        Assert.False(SleepPressure.None.Crossed);
    }
}
