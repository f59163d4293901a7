using SleepingLlm.Inference;

namespace SleepingLlm.Sleep;

/// <summary>The gate's verdict, with the figures it judged.</summary>
public sealed record GateVerdict(bool Pass, string Reason, (int Raw, int Chat, int Asked) Before, (int Raw, int Chat, int Asked) After,
    double BasePerplexity, double PerplexityBefore, double PerplexityAfter);

/// <summary>
/// Sleep's Gate: a sleep commits only if recall of the facts, raw and chat, is not lower than before it,
/// and perplexity is within the allowance over the bare model (or not above what it was before the
/// sleep, so a sleep that repairs a memory already over the allowance is not refused for it).
/// </summary>
public static class Gate
{
    public static GateVerdict Judge(IReadOnlyList<FactAudit> before, IReadOnlyList<FactAudit> after,
        double basePerplexity, double perplexityBefore, double perplexityAfter, double allowance)
    {
        var b = Audit.Count(before);
        var a = Audit.Count(after);
        string? problem = a.Raw < b.Raw ? $"raw recall would fall from {b.Raw} to {a.Raw} of {before.Count}"
            : a.Chat < b.Chat ? $"chat recall would fall from {b.Chat} to {a.Chat} of {b.Asked}"
            : !double.IsFinite(perplexityAfter) ? "perplexity would not be finite"
            : perplexityAfter > basePerplexity * (1 + allowance) && perplexityAfter > perplexityBefore
                ? $"perplexity would be {perplexityAfter:F2}, {(perplexityAfter / basePerplexity - 1) * 100:+0.0;-0.0}% over the bare model's {basePerplexity:F2} " +
                  $"(allowed +{allowance * 100:0.#}%, or not above the {perplexityBefore:F2} before the sleep)"
            : null;
        string pass = $"recall raw {b.Raw} → {a.Raw}, chat {b.Chat} → {a.Chat} of {before.Count}; perplexity {perplexityBefore:F2} → {perplexityAfter:F2} " +
                      $"(bare {basePerplexity:F2})";
        return new GateVerdict(problem is null, problem ?? pass, b, a, basePerplexity, perplexityBefore, perplexityAfter);
    }

    /// <summary>
    /// What the gate measures when given no text: replies the bare model writes through its chat template
    /// (<see cref="Eval.Perplexity.Chat"/>), or without a template its own continuations of a few starts.
    /// </summary>
    public static Eval.PerplexityText SelfWritten(Context bare, int windows = 4, int tokens = 128)
    {
        var model = bare.Model;
        if (model.ChatTemplate is not null) return Eval.Perplexity.Chat(model);
        string[] starts = ["The history of the city", "In the morning, the", "Scientists have found that", "The best way to learn"];
        var result = new List<int[]>();
        for (int i = 0; i < windows; i++)
        {
            bare.Clear();
            int[] start = model.Tokenize(starts[i % starts.Length]);
            var text = Generation.Run(bare, start, new SamplerSettings { Temperature = 0.8f, Seed = (uint)(7 + i) }, tokens - start.Length).Text;
            int[] window = model.Tokenize(starts[i % starts.Length] + text);
            result.Add(window[..Math.Min(window.Length, tokens)]);
        }
        bare.Clear();
        return new Eval.PerplexityText($"{windows} continuations the model wrote (temperature 0.8)", result, [.. Enumerable.Repeat(1, windows)]);
    }
}
