using SleepingLlm.Inference;
using SleepingLlm.Native;
using SleepingLlm.Wake;

namespace SleepingLlm.Eval;

/// <summary>
/// Text that perplexity is measured on, as token windows: the character range of the file it came from
/// (none for text the model wrote) and what it is, for the report.
/// </summary>
/// <param name="Windows">Each window is scored on its own from an empty cache; <paramref name="ScoredFrom"/>[i] is the first token of window i that counts.</param>
public sealed record PerplexityText(string Description, IReadOnlyList<int[]> Windows, IReadOnlyList<int> ScoredFrom)
{
    public int ScoredTokens => Windows.Zip(ScoredFrom).Sum(w => w.First.Length - w.Second);
}

/// <summary>
/// Perplexity before and after a memory, on text the key covariance never saw: a held-apart range of
/// WikiText-2 (the second half of the file: a covariance from a file reads it from the start), and text
/// the model writes itself as chat replies. 8k WikiText tokens in 512-token windows keep it to a few
/// seconds of scoring. Engine thread only.
/// </summary>
public static class Perplexity
{
    public const int WindowTokens = 512, Windows = 16;
    const int ChatReplyTokens = 96;

    static readonly string[] ChatMessages =
    [
        "How do I make a good cup of tea?", "Tell me about the history of the bicycle.", "What should I pack for a weekend hike?",
        "Why is the sky blue?", "Give me some tips for learning to play the guitar.", "How does a refrigerator keep food cold?",
        "Write a short story about a lighthouse keeper.", "What are the benefits of reading every day?",
    ];

    /// <summary>
    /// <see cref="Windows"/> windows of <see cref="WindowTokens"/> tokens from the second half of <paramref name="path"/>.
    /// With a covariance from a file, refuses any overlap: the same file must have been read only before the range,
    /// another file must hold none of the range's lines.
    /// </summary>
    public static PerplexityText HeldOut(Model model, string path, Corpus covariance, int covarianceTokens, Action<string>? log = null)
    {
        string text = File.ReadAllText(path);
        int start = text.IndexOf('\n', text.Length / 2) + 1;
        int need = WindowTokens * Windows;
        int[] tokens = [];
        int end = start;
        // Grow the range by whole lines until it holds enough tokens: WikiText runs ~4 characters a token.
        for (int length = need * 5; tokens.Length < need; length *= 2)
        {
            if (end >= text.Length) throw new SleepingLlmException($"{path} has fewer than {need} tokens after its middle, which perplexity needs");
            end = text.IndexOf('\n', Math.Min(text.Length - 1, start + length)) is var n and >= 0 ? n + 1 : text.Length;
            tokens = model.Tokenize(text[start..end], addSpecial: false);
        }
        string range = text[start..end];
        string description = $"{Windows}×{WindowTokens} tokens of {System.IO.Path.GetFileName(path)}, characters {start}–{end}";
        if (covariance is Corpus.FileCorpus file)
        {
            if (SameFile(file.Path, path))
            {
                int read = file.CharactersRead(model, Covariance.SequenceLength, covarianceTokens);
                if (read > start)
                    throw new SleepingLlmException($"the covariance reads characters 0–{read} of {path} and perplexity would be measured on {start}–{end}: they overlap; give --corpus another file");
                description += $"; the covariance read characters 0–{read} of the same file: disjoint";
                log?.Invoke($"perplexity on characters {start}–{end} of {path}, the covariance on characters 0–{read} of the same file: disjoint ranges");
            }
            else if (SharedLine(File.ReadAllText(file.Path), range) is { } line)
                throw new SleepingLlmException($"the covariance text {file.Path} holds a line of the perplexity text (\"{line[..Math.Min(60, line.Length)]}…\"): give texts that do not overlap");
        }
        return new PerplexityText(description, [.. Enumerable.Range(0, Windows).Select(w => tokens[(w * WindowTokens)..((w + 1) * WindowTokens)])],
            [.. Enumerable.Repeat(1, Windows)]);
    }

    /// <summary>
    /// Replies the bare model writes to a few fixed messages through its chat template (sampled, fixed
    /// seed); only the reply's tokens are scored. The covariance's self-written text starts from raw
    /// openings, not chat turns, so this is not text it saw either.
    /// </summary>
    public static PerplexityText Chat(Model model)
    {
        if (model.ChatTemplate is null) throw new SleepingLlmException("the model has no chat template: no chat text to measure perplexity on");
        using var context = new Context(model);
        var settings = new SamplerSettings { Temperature = 0.8f, Seed = 7 };
        var windows = new List<int[]>();
        var from = new List<int>();
        foreach (string message in ChatMessages)
        {
            string prompt = model.ApplyChatTemplate([ChatMessage.User(message)], addAssistant: true);
            int[] promptTokens = model.Tokenize(prompt);
            context.Clear();
            string reply = Generation.Run(context, promptTokens, settings, ChatReplyTokens).Text;
            int[] all = model.Tokenize(prompt + reply);
            if (all.Length <= promptTokens.Length) continue;
            windows.Add(all);
            from.Add(promptTokens.Length);
        }
        return new PerplexityText($"{ChatMessages.Length} chat replies the model wrote (temperature 0.8, seed 7)", windows, from);
    }

    /// <summary>exp of the mean negative log-likelihood of the scored tokens, with <paramref name="adapter"/> if any.</summary>
    public static double Measure(Scorer scorer, PerplexityText text, SafeLlamaAdapterHandle? adapter) =>
        MeasureWith(scorer, text, adapter is null ? [] : [new AdapterScale(adapter, 1f)]);

    /// <summary>The same with several adapters at once (a memory's MEMIT edits and its consolidated adapter).</summary>
    public static double MeasureWith(Scorer scorer, PerplexityText text, IReadOnlyList<AdapterScale> adapters)
    {
        scorer.UseAdapters(adapters);
        double nll = 0;
        int count = 0;
        foreach (var (window, from) in text.Windows.Zip(text.ScoredFrom))
        {
            foreach (double lp in scorer.LogProbabilities(window, from)) nll -= lp;
            count += window.Length - from;
        }
        return Math.Exp(nll / count);
    }

    static bool SameFile(string a, string b) =>
        string.Equals(System.IO.Path.GetFullPath(a), System.IO.Path.GetFullPath(b), StringComparison.Ordinal) ||
        File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));

    /// <summary>A line of <paramref name="text"/> long enough to be distinctive that <paramref name="corpus"/> also holds; null for none.</summary>
    public static string? SharedLine(string corpus, string text) =>
        text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length >= 80 && corpus.Contains(l, StringComparison.Ordinal));
}
