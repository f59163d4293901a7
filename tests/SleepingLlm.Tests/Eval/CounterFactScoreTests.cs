using SleepingLlm.Eval;

namespace SleepingLlm.Tests.Eval;

/// <summary>CounterFact's ES, PS, NS and generation efficacy, from known probabilities.</summary>
public sealed class CounterFactScoreTests
{
    static CounterFactProbabilities P(double newP, double trueP, double newR, double trueR, double newN, double trueN, bool generates) =>
        new(Math.Log(newP), Math.Log(trueP), Math.Log(newR), Math.Log(trueR), Math.Log(newN), Math.Log(trueN), generates);

    [Fact]
    public void Efficacy_paraphrase_and_neighbourhood_compare_the_new_and_the_true_targets_probabilities()
    {
        var score = CounterFactScore.Of(
        [
            // The edit took on its prompt and its paraphrase, and left the neighbour alone.
            P(0.6, 0.1, 0.3, 0.2, 0.05, 0.5, generates: true),
            // The edit took only on its prompt, and bled into the neighbour.
            P(0.02, 0.01, 0.1, 0.4, 0.3, 0.2, generates: false),
            // The edit did not take.
            P(0.001, 0.5, 0.001, 0.5, 0.001, 0.5, generates: false),
            // Products of several tokens' probabilities are tiny; only their order counts.
            P(1e-30, 1e-31, 1e-40, 1e-39, 1e-20, 1e-21, generates: true),
        ]);
        Assert.Equal(0.75, score.Efficacy, 9);
        Assert.Equal(0.25, score.Paraphrase, 9);
        Assert.Equal(0.5, score.Neighbourhood, 9);
        Assert.Equal(0.5, score.Generation, 9);
    }

    [Fact]
    public void A_tie_counts_for_neither_target()
    {
        var score = CounterFactScore.Of([P(0.2, 0.2, 0.2, 0.2, 0.2, 0.2, false)]);
        Assert.Equal(new CounterFactScore(0, 0, 0, 0), score);
    }
}
