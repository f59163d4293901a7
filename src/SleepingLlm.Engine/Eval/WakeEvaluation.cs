using SleepingLlm.Inference;
using SleepingLlm.Memory;
using SleepingLlm.Wake;

namespace SleepingLlm.Eval;

/// <summary>The measures of a wake run, as `eval --json` writes them.</summary>
public sealed record WakeReport(string Model, int Facts, IReadOnlyList<int> Layers, double Lambda,
    double RawRecall, double ParaphraseRecall, double ChatRecall, double Locality,
    double? PerplexityBefore, double? PerplexityAfter, double SecondsPerFactMedian, double SecondsPerFactP95,
    long BytesPerFact, double MeanValueLoss, double MeanRealised, IReadOnlyList<FactOutcome> Outcomes);

public sealed record FactOutcome(string Id, string Object, bool Raw, double Paraphrase, bool Chat, string RawAnswer, string ChatAnswer,
    double Seconds, double ValueLoss);

/// <summary>
/// Writes facts one at a time into a fresh memory (MEMIT on the kernel graph), then measures with
/// llama.cpp and the memory adapter, as a user would meet them: greedy raw completion, paraphrases,
/// the chat answer, other subjects' answers (locality), and WikiText perplexity. Engine thread only.
/// </summary>
public static class WakeEvaluation
{
    public static WakeReport Run(string modelPath, IReadOnlyList<FactRecord> records, int count, WakeSettings? settings,
        Corpus corpus, string cacheDirectory, string? wikiText, string adapterPath, Action<string>? log = null)
    {
        using var model = Model.Load(modelPath);
        var facts = records.Take(count).ToList();
        var others = records.Skip(count).Where(r => facts.All(f => f.Subject != r.Subject)).Take(20).ToList();
        var before = others.Select(o => Complete(model, null, o.Prompt)).ToList();
        double? pplBefore = wikiText is null ? null : Perplexity(model, null, wikiText);

        // A fresh memory, written one fact at a time through the same path as `remember`.
        string memoryDirectory = Directory.CreateTempSubdirectory("sleepingllm-eval-").FullName;
        var outcomes = new List<FactOutcome>();
        var seconds = new List<double>();
        var written = new List<Remembered>();
        WakeSettings used;
        try
        {
            using (var context = new Context(model))
            using (var memory = MemoryService.Open(model, context, memoryDirectory, () => corpus, settings, cacheDirectory))
            {
                used = memory.Settings;
                foreach (var record in facts)
                {
                    var done = memory.Remember(record.ToFact(), record.Paraphrases);
                    written.Add(done);
                    seconds.Add(done.Elapsed.TotalSeconds);
                    log?.Invoke($"{record.Id} {record.Subject} → {record.Object}: v* loss {done.ValueLoss:F3}, " +
                                $"realised {string.Join(" ", done.Realised.Select(r => r.ToString("F2")))}, {done.Elapsed.TotalSeconds:F1} s (v* {done.ValueSteps} steps {done.ValueTime.TotalSeconds:F1} s)");
                }
                memory.Export(adapterPath);
            }
        }
        finally
        {
            Directory.Delete(memoryDirectory, recursive: true);
        }

        using var adapter = model.LoadAdapter(adapterPath);
        for (int i = 0; i < facts.Count; i++)
        {
            var f = facts[i];
            string raw = Complete(model, adapter, f.Prompt);
            double para = f.Paraphrases is { Count: > 0 } ps ? ps.Count(p => Contains(Complete(model, adapter, p), f.Object)) / (double)ps.Count : 0;
            string chat = f.Question is null ? "" : Ask(model, adapter, f.Question);
            outcomes.Add(new FactOutcome(f.Id, f.Object, Contains(raw, f.Object), para, Contains(chat, f.Object), raw, chat, seconds[i], written[i].ValueLoss));
        }
        var after = others.Select(o => Complete(model, adapter, o.Prompt)).ToList();
        double locality = others.Count == 0 ? 1 : before.Zip(after).Count(p => p.First == p.Second) / (double)others.Count;
        double? pplAfter = wikiText is null ? null : Perplexity(model, adapter, wikiText);

        var info = Models.ModelInfo.Read(modelPath);
        var sorted = seconds.Order().ToList();
        long bytesPerFact = used.Layers.Count * 4L * ((info.FeedForwardLength ?? 0) + info.EmbeddingLength);
        return new WakeReport(Path.GetFileName(modelPath), facts.Count, used.Layers, used.Lambda,
            outcomes.Average(o => o.Raw ? 1.0 : 0), outcomes.Average(o => o.Paraphrase), outcomes.Average(o => o.Chat ? 1.0 : 0),
            locality, pplBefore, pplAfter, Benchmark.Median(sorted), sorted[(int)Math.Ceiling(0.95 * sorted.Count) - 1],
            bytesPerFact, written.Average(w => w.ValueLoss), written.Average(w => w.Realised[^1]), outcomes);
    }

    static bool Contains(string text, string obj) => text.Contains(obj, StringComparison.OrdinalIgnoreCase);

    static string Complete(Model model, SleepingLlm.Native.SafeLlamaAdapterHandle? adapter, string prompt)
    {
        using var context = new Context(model);
        context.SetAdapter(adapter);
        return Generation.Run(context, model.Tokenize(prompt), SamplerSettings.Greedy, 8).Text;
    }

    static string Ask(Model model, SleepingLlm.Native.SafeLlamaAdapterHandle? adapter, string question)
    {
        using var context = new Context(model);
        context.SetAdapter(adapter);
        return new ChatSession(context).Reply(question, SamplerSettings.Greedy, 32).Text;
    }

    /// <summary>Perplexity over four fixed 128-token windows of the text.</summary>
    static double Perplexity(Model model, SleepingLlm.Native.SafeLlamaAdapterHandle? adapter, string path)
    {
        string text = File.ReadAllText(path);
        int[] tokens = model.Tokenize(text[..Math.Min(text.Length, 20_000)]);
        using var scorer = new Scorer(model, 128);
        scorer.UseAdapter(adapter);
        double nll = 0;
        int count = 0, vocab = model.VocabularySize;
        for (int w = 0; w < 4; w++)
        {
            int[] window = tokens[(w * 128)..((w + 1) * 128)];
            float[] logits = scorer.Logits(window);
            for (int i = 0; i + 1 < window.Length; i++)
            {
                var row = logits.AsSpan(i * vocab, vocab);
                float max = System.Numerics.Tensors.TensorPrimitives.Max(row);
                double sum = 0;
                foreach (float l in row) sum += Math.Exp(l - max);
                nll += Math.Log(sum) + max - row[window[i + 1]];
                count++;
            }
        }
        return Math.Exp(nll / count);
    }
}
