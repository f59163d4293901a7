using SleepingLlm.Eval;

namespace SleepingLlm.Tests.Eval;

public sealed class MemoryBenchmarkTests
{
    [Fact]
    public void Made_up_facts_are_valid_one_person_each_and_the_same_every_run()
    {
        var facts = MemoryBenchmark.MadeUpFacts(30);
        foreach (var fact in facts) fact.Validate();
        Assert.Equal(30, facts.Select(f => f.Subject).Distinct().Count());
        Assert.All(facts, f => Assert.Contains(f.Subject, f.Question));
        Assert.Equal(facts, MemoryBenchmark.MadeUpFacts(30));
    }
}
