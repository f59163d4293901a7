using SleepingLlm.Memory;

namespace SleepingLlm.Tests.Conversation;

/// <summary>/forget TEXT: which stored facts the words name.</summary>
public sealed class FactMatchTests
{
    static StoredFact Fact(long id, string subject, string relation, string obj) =>
        new(id, subject, relation, obj, $"{subject} {relation}", null, [], DateTimeOffset.UtcNow, FactStatus.Active, 0, 1f, null, null, [], false);

    static readonly StoredFact[] Facts =
    [
        Fact(1, "Casimir Marchetti", "plays", "badminton"),
        Fact(2, "Casimir Marchetti", "lives in", "Turin"),
        Fact(3, "Anna Berg", "plays", "chess"),
        Fact(4, "Ann Berg", "plays", "chess"),
    ];

    static long[] Ids(string text) => [.. FactMatch.Find(Facts, text).Select(f => f.Id)];

    [Theory]
    [InlineData("Casimir badminton", new long[] { 1 })]
    [InlineData("casimir marchetti | lives in | turin", new long[] { 2 })]
    [InlineData("Casimir", new long[] { 1, 2 })]
    [InlineData("plays", new long[] { 1, 3, 4 })]
    [InlineData("Ann chess", new long[] { 4 })]
    [InlineData("Rome", new long[0])]
    [InlineData("  ", new long[0])]
    public void Words_name_the_facts_that_hold_all_of_them(string text, long[] expected) => Assert.Equal(expected, Ids(text));

    [Fact]
    public void The_whole_fact_wins_over_facts_that_merely_contain_its_words()
    {
        StoredFact[] facts = [Fact(1, "Bo", "likes", "tea"), Fact(2, "Bo", "likes", "green tea")];
        Assert.Equal([1L], FactMatch.Find(facts, "Bo likes tea").Select(f => f.Id));
        Assert.Equal([2L], FactMatch.Find(facts, "green").Select(f => f.Id));
    }
}
