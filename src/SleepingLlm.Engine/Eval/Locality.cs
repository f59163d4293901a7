using SleepingLlm.Inference;
using SleepingLlm.Native;

namespace SleepingLlm.Eval;

/// <summary>
/// How much a memory moves the model where it should not: over prompts about people it holds nothing
/// on, the share whose next-token distribution stayed put (<see cref="Locality.UnchangedBelow"/>), the
/// share whose greedy first token is the bare model's, and the mean next-token KL divergence (nats),
/// bare ‖ with the memory. Where there are no prompts: 1, 1 and 0.
/// </summary>
public sealed record LocalityScore(double Unchanged, double FirstTokenUnchanged, double Divergence);

/// <summary>
/// One locality prompt: the KL of its next-token distribution, bare ‖ with the memory, whether its greedy
/// first token is the bare model's, and where measured the KL with the adapter at <see cref="Locality.FloorScale"/>.
/// </summary>
public sealed record LocalityAnswer(string Prompt, bool FirstTokenUnchanged, double Divergence, double? FloorDivergence = null)
{
    public bool Unchanged => Divergence < Locality.UnchangedBelow;
}

/// <summary>Locality prompts as text and tokens, with the bare model's next-token distributions after each: what a memory is compared against.</summary>
public sealed record LocalityBaseline(IReadOnlyList<string> Text, IReadOnlyList<int[]> Tokens, IReadOnlyList<float[]> Bare)
{
    public static LocalityBaseline Of(Model model, Scorer scorer, IReadOnlyList<string> text)
    {
        var tokens = text.Select(p => model.Tokenize(p)).ToList();
        return new LocalityBaseline(text, tokens, Locality.NextToken(scorer, tokens, null));
    }

    /// <summary>Each prompt's first token and KL with <paramref name="adapter"/> at <paramref name="scale"/>.</summary>
    public IReadOnlyList<LocalityAnswer> With(Scorer scorer, SafeLlamaAdapterHandle adapter, float scale = 1f) =>
        Locality.Compare(Text, Bare, Locality.NextToken(scorer, Tokens, adapter, scale));

    /// <summary>The same with several adapters at once (a memory's MEMIT edits and its consolidated adapter).</summary>
    public IReadOnlyList<LocalityAnswer> With(Scorer scorer, IReadOnlyList<AdapterScale> adapters) =>
        Locality.Compare(Text, Bare, Locality.NextTokenWith(scorer, Tokens, adapters));
}

/// <summary>
/// The one locality measure every eval uses (wake, its CounterFact locality prompts, modes). It reads the
/// next token's distribution, not a greedy continuation: an 8-token continuation flips on a near-tie many
/// tokens in, which says little about the memory (at adapter scale 10⁻⁶, the edit shrunk to nothing, a
/// third of other people's continuations flipped). A prompt counts as unchanged when its next-token KL
/// is under <see cref="UnchangedBelow"/>: even the greedy first token fails the floor (SmolLM2 Q4_1 at
/// scale 10⁻⁶: 0.96 of 50 prompts after 4 facts, 0.90 after 50; near-ties again), whereas the KL there
/// stays at 0.003 nats (median; at most 0.012 over the 50-fact run's 100 prompts). Engine thread only.
/// </summary>
public static class Locality
{
    /// <summary>
    /// The adapter's scale for the floor: the edit shrunk to nothing, llama.cpp's adapter path still run.
    /// What the measure reads there is its noise; it must read at least <see cref="FloorNeeded"/> unchanged to mean anything.
    /// </summary>
    public const float FloorScale = 1e-6f;

    /// <summary>The least a floor may read for the measure at scale 1 to count: below it, the measure's own noise decides the figure.</summary>
    public const double FloorNeeded = 0.98;

    /// <summary>
    /// Next-token KL (nats) under which a prompt counts as unchanged: four times the largest seen at <see cref="FloorScale"/>
    /// (0.012), and far under what an edit does to a namesake (0.3–7.8 nats at 50 facts).
    /// </summary>
    public const double UnchangedBelow = 0.05;

    /// <summary>The log-probabilities of the token after each sequence, with <paramref name="adapter"/> (null: none) at <paramref name="scale"/>.</summary>
    public static IReadOnlyList<float[]> NextToken(Scorer scorer, IReadOnlyList<int[]> prompts, SafeLlamaAdapterHandle? adapter, float scale = 1f) =>
        NextTokenWith(scorer, prompts, adapter is null ? [] : [new AdapterScale(adapter, scale)]);

    /// <summary>The same with several adapters at once (a memory's MEMIT edits and its consolidated adapter).</summary>
    public static IReadOnlyList<float[]> NextTokenWith(Scorer scorer, IReadOnlyList<int[]> prompts, IReadOnlyList<AdapterScale> adapters)
    {
        scorer.UseAdapters(adapters);
        return [.. prompts.Select(p => scorer.NextToken(p))];
    }

    /// <summary>Each prompt's first token and KL with the memory (<paramref name="after"/>) against the bare model's (<paramref name="before"/>), same order.</summary>
    public static IReadOnlyList<LocalityAnswer> Compare(IReadOnlyList<string> prompts, IReadOnlyList<float[]> before, IReadOnlyList<float[]> after)
    {
        if (before.Count != prompts.Count || after.Count != prompts.Count) throw new ArgumentException("before and after are not of the same prompts", nameof(after));
        return [.. prompts.Select((p, i) => new LocalityAnswer(p, SameFirstToken(before[i], after[i]), Divergence(before[i], after[i])))];
    }

    public static LocalityScore Score(IReadOnlyList<LocalityAnswer> answers) => answers.Count == 0
        ? new LocalityScore(1, 1, 0)
        : new LocalityScore(answers.Average(a => a.Unchanged ? 1.0 : 0), answers.Average(a => a.FirstTokenUnchanged ? 1.0 : 0), answers.Average(a => a.Divergence));

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
