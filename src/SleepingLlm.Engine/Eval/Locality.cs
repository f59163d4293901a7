using SleepingLlm.Inference;
using SleepingLlm.Native;

namespace SleepingLlm.Eval;

/// <summary>
/// How much a memory moves the model where it should not: over prompts about people it holds nothing
/// on, the share whose first answer token is the bare model's, and the mean next-token KL divergence
/// (nats), bare ‖ with the memory.
/// </summary>
/// <param name="Unchanged">Share of prompts whose greedy first token is the bare model's; 1 when there are none.</param>
/// <param name="Divergence">Mean KL(bare ‖ with the memory) of the next-token distributions; 0 when there are none.</param>
public sealed record LocalityScore(double Unchanged, double Divergence);

/// <summary>One locality prompt: whether its greedy first token is the bare model's, and the KL of its next-token distribution, bare ‖ with the memory.</summary>
public sealed record LocalityAnswer(string Prompt, bool FirstTokenUnchanged, double Divergence);

/// <summary>
/// The one locality measure every eval uses (wake, modes, CounterFact's neighbourhood). It reads the next
/// token's distribution, not a greedy continuation: an 8-token continuation flips on a near-tie many
/// tokens in, which says little about the memory (at adapter scale 10⁻⁶, the edit shrunk to nothing, a
/// third of other people's continuations flipped), whereas the first token and the KL are stable there
/// (<see cref="FloorScale"/>). Engine thread only.
/// </summary>
public static class Locality
{
    /// <summary>
    /// The adapter's scale for the floor: the edit shrunk to nothing, llama.cpp's adapter path still run.
    /// What the measure reads there is its noise; it must read at least 0.98 unchanged to mean anything.
    /// </summary>
    public const float FloorScale = 1e-6f;

    /// <summary>The log-probabilities of the token after each sequence, with <paramref name="adapter"/> (null: none) at <paramref name="scale"/>.</summary>
    public static IReadOnlyList<float[]> NextToken(Scorer scorer, IReadOnlyList<int[]> prompts, SafeLlamaAdapterHandle? adapter, float scale = 1f)
    {
        scorer.UseAdapter(adapter, scale);
        return [.. prompts.Select(p => scorer.NextToken(p))];
    }

    /// <summary>Each prompt's first token and KL with the memory (<paramref name="after"/>) against the bare model's (<paramref name="before"/>), same order.</summary>
    public static IReadOnlyList<LocalityAnswer> Compare(IReadOnlyList<string> prompts, IReadOnlyList<float[]> before, IReadOnlyList<float[]> after)
    {
        if (before.Count != prompts.Count || after.Count != prompts.Count) throw new ArgumentException("before and after are not of the same prompts", nameof(after));
        return [.. prompts.Select((p, i) => new LocalityAnswer(p, SameFirstToken(before[i], after[i]), Divergence(before[i], after[i])))];
    }

    public static LocalityScore Score(IReadOnlyList<LocalityAnswer> answers) => answers.Count == 0
        ? new LocalityScore(1, 0)
        : new LocalityScore(answers.Average(a => a.FirstTokenUnchanged ? 1.0 : 0), answers.Average(a => a.Divergence));

    public static bool SameFirstToken(float[] before, float[] after) =>
        System.Numerics.Tensors.TensorPrimitives.IndexOfMax(before) == System.Numerics.Tensors.TensorPrimitives.IndexOfMax(after);

    /// <summary>KL(before ‖ after) in nats between two next-token distributions given as log-probabilities.</summary>
    public static double Divergence(float[] before, float[] after)
    {
        double kl = 0;
        for (int i = 0; i < before.Length; i++)
            if (before[i] > -30) kl += Math.Exp(before[i]) * (before[i] - after[i]);
        return Math.Max(0, kl);
    }
}
