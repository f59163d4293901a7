using SleepingLlm.Memory;
using SleepingLlm.Sleep;

namespace SleepingLlm.Tests.Sleep;

/// <summary>Sleep's anchors of strangers: each fact's prompt and question about someone who shares no name with a subject.</summary>
public sealed class StrangerTests
{
    static StoredFact Fact(long id, string subject, string prompt, string? question) =>
        new(id, subject, "drives", "Fiat", prompt, question, [], DateTimeOffset.UtcNow, FactStatus.Active, 0, 1f, null, null, [], false);

    [Fact]
    public void Each_fact_is_asked_about_a_stranger_who_shares_no_name_with_any_subject()
    {
        // "Odile" and "Quigley" are the first names of the pools: a subject that has them takes them out.
        var facts = new[]
        {
            Fact(1, "Odile Marchetti", "Odile Marchetti drives a", "What car does Odile Marchetti drive?"),
            Fact(2, "Casimir Quigley", "Casimir Quigley works as a", null),
            Fact(3, "Nerys Ferreira", "On weekends Nerys Ferreira plays", "Which sport does Nerys Ferreira play?"),
        };
        var (prompts, questions) = Consolidate.Strangers(facts);
        Assert.Equal(3, prompts.Count);
        Assert.Equal(2, questions.Count);
        string[] names = ["Odile", "Marchetti", "Casimir", "Quigley", "Nerys", "Ferreira"];
        Assert.All(prompts.Concat(questions), text => Assert.DoesNotContain(names, n => text.Contains(n, StringComparison.Ordinal)));
        Assert.EndsWith(" drives a", prompts[0]);
        Assert.StartsWith("On weekends ", prompts[2]);
        Assert.Equal(3, prompts.Distinct().Count());
        Assert.Equal(prompts[0].Replace(" drives a", ""), questions[0].Replace("What car does ", "").Replace(" drive?", ""));
    }
}
