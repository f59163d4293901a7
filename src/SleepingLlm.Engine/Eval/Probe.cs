using SleepingLlm.Inference;
using SleepingLlm.Native;

namespace SleepingLlm.Eval;

/// <summary>What the probes of one fact gave; no chat answer where the model has no chat template or the fact no question.</summary>
public sealed record FactAnswers(FactRecord Fact, bool Raw, double Paraphrase, bool? Chat, string RawAnswer, string? ChatAnswer);

/// <summary>
/// A locality prompt's greedy continuation on the bare model and with the memory, and where measured
/// the KL divergence of its next-token distribution, bare ‖ with the memory (<see cref="Probe.Divergence"/>).
/// </summary>
public sealed record LocalityAnswer(string Prompt, string Before, string After, double? Divergence = null);

/// <summary>Recall of a set of facts: the share named by the raw prompt, the paraphrases and the chat question (of those asked).</summary>
public sealed record Recall(double Raw, double Paraphrase, double? Chat, IReadOnlyList<FactAnswers> Answers);

/// <summary>
/// Greedy probes of a context as it stands (with whatever adapter it has), as a user would meet the
/// model. Each probe starts from an empty cache so that no answer depends on the probe before it.
/// Engine thread only.
/// </summary>
public static class Probe
{
    const int CompletionTokens = 8, ReplyTokens = 32;

    public static string Complete(Context context, string prompt)
    {
        context.Clear();
        return Generation.Run(context, context.Model.Tokenize(prompt), SamplerSettings.Greedy, CompletionTokens).Text;
    }

    public static string Ask(Context context, string question)
    {
        context.Clear();
        return new ChatSession(context).Reply(question, SamplerSettings.Greedy, ReplyTokens).Text;
    }

    public static bool Names(string text, string obj) => text.Contains(obj, StringComparison.OrdinalIgnoreCase);

    /// <summary>Raw, paraphrase and chat recall of <paramref name="facts"/>.</summary>
    public static Recall Facts(Context context, IReadOnlyList<FactRecord> facts)
    {
        var answers = facts.Select(f =>
        {
            string raw = Complete(context, f.Prompt);
            double para = f.Paraphrases is { Count: > 0 } ps
                ? ps.Count(p => Names(Complete(context, p), f.Object)) / (double)ps.Count : 0;
            string? reply = f.Question is not null && context.Model.ChatTemplate is not null ? Ask(context, f.Question) : null;
            return new FactAnswers(f, Names(raw, f.Object), para, reply is null ? null : Names(reply, f.Object), raw, reply);
        }).ToList();
        var asked = answers.Where(a => a.Chat is not null).ToList();
        return new Recall(answers.Count == 0 ? 0 : answers.Average(a => a.Raw ? 1.0 : 0), answers.Count == 0 ? 0 : answers.Average(a => a.Paraphrase),
            asked.Count == 0 ? null : asked.Average(a => a.Chat == true ? 1.0 : 0), answers);
    }

    /// <summary>Each prompt's greedy continuation now beside what it was on the bare model (<paramref name="before"/>, same order).</summary>
    public static IReadOnlyList<LocalityAnswer> Locality(Context context, IReadOnlyList<string> prompts, IReadOnlyList<string> before) =>
        [.. prompts.Select((p, i) => new LocalityAnswer(p, before[i], Complete(context, p)))];

    /// <summary>Share of answers that did not change; 1 when there are none.</summary>
    public static double Unchanged(IReadOnlyList<LocalityAnswer> answers) =>
        answers.Count == 0 ? 1 : answers.Count(a => a.Before == a.After) / (double)answers.Count;

    /// <summary>The log-probabilities of the token after each prompt (llama.cpp, with <paramref name="adapter"/> if any).</summary>
    public static IReadOnlyList<float[]> NextToken(Model model, SafeLlamaAdapterHandle? adapter, IReadOnlyList<string> prompts)
    {
        using var scorer = new Scorer(model, 128);
        scorer.UseAdapter(adapter);
        int vocab = model.VocabularySize;
        return [.. prompts.Select(p =>
        {
            int[] tokens = model.Tokenize(p);
            var last = scorer.Logits(tokens).AsSpan((tokens.Length - 1) * vocab, vocab);
            var result = new float[vocab];
            System.Numerics.Tensors.TensorPrimitives.Subtract(last, (float)LogSumExp(last), result);
            return result;
        })];
    }

    /// <summary>KL(before ‖ after) in nats between two next-token distributions given as log-probabilities.</summary>
    public static double Divergence(float[] before, float[] after)
    {
        double kl = 0;
        for (int i = 0; i < before.Length; i++)
            if (before[i] > -30) kl += Math.Exp(before[i]) * (before[i] - after[i]);
        return Math.Max(0, kl);
    }

    /// <summary>Perplexity over <paramref name="windows"/> fixed, consecutive windows of <paramref name="windowTokens"/> tokens from the text's start.</summary>
    public static double Perplexity(Model model, SafeLlamaAdapterHandle? adapter, string path, int windows = 4, int windowTokens = 128)
    {
        string text = File.ReadAllText(path);
        int[] tokens = model.Tokenize(text[..Math.Min(text.Length, Math.Max(20_000, 10 * windows * windowTokens))]);
        if (tokens.Length < windows * windowTokens) throw new SleepingLlmException($"{path} is too short for {windows} windows of {windowTokens} tokens");
        using var scorer = new Scorer(model, windowTokens);
        scorer.UseAdapter(adapter);
        double nll = 0;
        int count = 0, vocab = model.VocabularySize;
        for (int w = 0; w < windows; w++)
        {
            int[] window = tokens[(w * windowTokens)..((w + 1) * windowTokens)];
            float[] logits = scorer.Logits(window);
            for (int i = 0; i + 1 < window.Length; i++)
            {
                var row = logits.AsSpan(i * vocab, vocab);
                nll += LogSumExp(row) - row[window[i + 1]];
                count++;
            }
        }
        return Math.Exp(nll / count);
    }

    /// <summary>log Σ exp(x), shifted by the maximum so that no term overflows.</summary>
    static double LogSumExp(ReadOnlySpan<float> row)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.Max(row);
        double sum = 0;
        foreach (float l in row) sum += Math.Exp(l - max);
        return max + Math.Log(sum);
    }
}
