using SleepingLlm.Chat;
using SleepingLlm.Sleep;

namespace SleepingLlm.Tests.Chat;

/// <summary>When the full-screen chat sleeps by itself after a write, and what it says.</summary>
public sealed class AutoSleepTests
{
    static readonly DateTimeOffset Nap = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    static SleepPressure InWeights(int count) => new(count, 45, 0, 0, null);

    static SleepPressure Falling(DateTimeOffset audit, int inWeights = 10) => new(inWeights, 45, 10, 3, audit);

    [Fact]
    public void A_write_that_takes_the_memory_over_the_budget_starts_a_sleep_and_says_why()
    {
        Assert.Null(AutoSleep.Reason(InWeights(45), null, enabled: true, sleeping: false));
        Assert.Equal("48 memories in the weights, over the budget of 45", AutoSleep.Reason(InWeights(48), null, enabled: true, sleeping: false));
    }

    [Fact]
    public void Never_while_a_sleep_runs_nor_with_auto_sleep_off()
    {
        Assert.Null(AutoSleep.Reason(InWeights(48), null, enabled: true, sleeping: true));
        Assert.Null(AutoSleep.Reason(InWeights(48), null, enabled: false, sleeping: false));
        Assert.Null(AutoSleep.Reason(Falling(Nap), null, enabled: false, sleeping: false));
    }

    [Fact]
    public void After_a_sleep_that_left_the_memory_over_the_budget_the_next_comes_a_margin_of_writes_later()
    {
        var left = InWeights(47);
        Assert.Null(AutoSleep.Reason(InWeights(48), left, enabled: true, sleeping: false));
        Assert.Null(AutoSleep.Reason(InWeights(51), left, enabled: true, sleeping: false));
        Assert.Equal("52 memories in the weights, over the budget of 45", AutoSleep.Reason(InWeights(52), left, enabled: true, sleeping: false));
        // A sleep that brought it under: the next crossing sleeps at once.
        Assert.NotNull(AutoSleep.Reason(InWeights(46), InWeights(44), enabled: true, sleeping: false));
    }

    [Fact]
    public void Recall_falling_sleeps_once_per_audit_that_finds_it()
    {
        string? reason = AutoSleep.Reason(Falling(Nap), null, enabled: true, sleeping: false);
        Assert.Equal("recall is falling: 3 of 10 memories recalled at their previous audit were missed at the last", reason);
        // The sleep's own audit still shows the fall: writes after it do not sleep again until a newer audit (a nap) does.
        var left = Falling(Nap.AddMinutes(5));
        Assert.Null(AutoSleep.Reason(Falling(Nap.AddMinutes(5), inWeights: 12), left, enabled: true, sleeping: false));
        Assert.Equal(reason, AutoSleep.Reason(Falling(Nap.AddMinutes(30)), left, enabled: true, sleeping: false));
    }

    [Fact]
    public void Over_the_budget_and_falling_names_what_is_new()
    {
        var left = new SleepPressure(47, 45, 10, 0, Nap);
        var now = new SleepPressure(48, 45, 10, 3, Nap.AddMinutes(30));
        Assert.Equal("recall is falling: 3 of 10 memories recalled at their previous audit were missed at the last",
            AutoSleep.Reason(now, left, enabled: true, sleeping: false));
    }
}
