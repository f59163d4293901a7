using SleepingLlm.Memory;

namespace SleepingLlm.Tests.Memory;

/// <summary>A subject's facts solved together: the new fact's edit carries the group, the others keep their rows.</summary>
public sealed class SubjectGroupTests() : ScratchDirectory("sleepingllm-group-")
{
    const string Sha = "1111111111111111111111111111111111111111111111111111111111111111";

    static LayerFactor[] Factors() => [new(4, [1f, 2f, 3f], [4f, 5f]), new(5, [6f, 7f, 8f], [9f, 1f])];
    static LayerKey[] Keys() => [new(4, [1f, 0f, 0f]), new(5, [0f, 1f, 0f])];

    [Fact]
    public void Absorbed_facts_stay_active_without_their_own_edit()
    {
        using var store = MemoryStore.Open(directory, Sha, "test");
        long first = store.AddFact(new NewFact("Ada", "drives a", "Fiat", "Ada drives a"), Factors(), Keys());
        long second = store.AddFact(new NewFact("Ada", "speaks", "Welsh", "Ada speaks"), Factors(), Keys(), absorbs: [first]);

        Assert.Equal([first, second], store.ActiveFacts().Select(f => f.Id));
        Assert.Empty(store.Factors(first));
        Assert.Empty(store.Keys(first));
        Assert.Equal(2, store.Factors(second).Count);
        Assert.All(store.AllActiveFactors(), layer => Assert.Equal([second], layer.Facts.Select(f => f.FactId)));
    }

    [Fact]
    public void A_failed_write_keeps_the_absorbed_facts_edit()
    {
        using var store = MemoryStore.Open(directory, Sha, "test");
        long first = store.AddFact(new NewFact("Ada", "drives a", "Fiat", "Ada drives a"), Factors(), Keys());
        store.FaultPoint = step => { if (step == "keys") throw new IOException("disk full"); };
        Assert.Throws<IOException>(() => store.AddFact(new NewFact("Ada", "speaks", "Welsh", "Ada speaks"), Factors(), Keys(), absorbs: [first]));
        store.FaultPoint = null;

        Assert.Equal([first], store.ActiveFacts().Select(f => f.Id));
        Assert.Equal(2, store.Factors(first).Count);
    }
}
