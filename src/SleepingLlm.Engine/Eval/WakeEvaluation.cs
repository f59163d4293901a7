using System.Diagnostics;
using System.Security.Cryptography;
using MathNet.Numerics.LinearAlgebra;
using SleepingLlm.Adapters;
using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using SleepingLlm.Wake;

namespace SleepingLlm.Eval;

/// <summary>The measures of a wake run, as `eval --json` writes them.</summary>
public sealed record WakeReport(string Model, int Facts, IReadOnlyList<int> Layers, double Lambda,
    double RawRecall, double ParaphraseRecall, double ChatRecall, double Locality,
    double PerplexityBefore, double PerplexityAfter, double SecondsPerFactMedian, double SecondsPerFactP95,
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
        using var backend = Backend.Cpu();
        settings ??= WakeSettings.For(Models.ModelInfo.Read(modelPath).LayerCount);
        // v* runs forward and backward through the layers after the critical one: F32 there is ~2.5× faster.
        using var weights = ModelWeights.Load(modelPath, backend, f32FromLayer: settings.CriticalLayer + 1);
        var facts = records.Take(count).ToList();
        var others = records.Skip(count).Where(r => facts.All(f => f.Subject != r.Subject)).Take(20).ToList();

        Templates templates;
        using (var context = new Context(model)) templates = Templates.Generate(context);
        string sha = Convert.ToHexStringLower(SHA256.HashData(File.OpenRead(modelPath)));
        var clock = Stopwatch.StartNew();
        var covariance = new Covariance(cacheDirectory).Get(model, sha, settings.Layers, corpus, settings.CovarianceTokens);
        log?.Invoke($"covariance ready in {clock.Elapsed.TotalSeconds:F1} s");
        var inverses = covariance.ToDictionary(kv => kv.Key, kv => Solve.RegularisedInverse(kv.Value, settings.Lambda));

        var before = others.Select(o => Complete(model, null, o.Prompt)).ToList();
        double pplBefore = wikiText is null ? double.NaN : Perplexity(model, null, wikiText);

        var editor = new Editor(model, weights, backend, settings, templates, layer => inverses[layer]);
        var columns = new Dictionary<string, IReadOnlyList<EditColumn>>();   // by subject
        var keys = new Dictionary<string, IReadOnlyList<(int Layer, float[] Key)>>();
        var seconds = new List<double>();
        var edits = new List<Edit>();
        foreach (var record in facts)
        {
            var group = facts.TakeWhile(f => f != record).Where(f => f.Subject == record.Subject).Select(f => f.ToFact()).Append(record.ToFact()).ToList();
            // A new fact about a known subject re-solves the subject: its old column is replaced.
            columns.Remove(record.Subject);
            keys.Remove(record.Subject);
            var edit = editor.Write(group, [.. columns.Values.SelectMany(c => c)],
                layer => [.. keys.Values.SelectMany(k => k).Where(k => k.Layer == layer).Select(k => k.Key)]);
            columns[record.Subject] = edit.Columns;
            keys[record.Subject] = edit.Keys;
            seconds.Add(edit.Elapsed.TotalSeconds);
            edits.Add(edit);
            log?.Invoke($"{record.Id} {record.Subject} → {record.Object}: v* loss {edit.Value.Loss:F3} in {edit.Value.Steps} steps, " +
                        $"realised {string.Join(" ", edit.Realised.Select(r => r.ToString("F2")))}, {edit.Elapsed.TotalSeconds:F1} s");
        }

        WriteAdapter(adapterPath, weights.Hparams, [.. columns.Values.SelectMany(c => c)]);
        using var adapter = model.LoadAdapter(adapterPath);
        var outcomes = facts.Select((f, i) =>
        {
            string raw = Complete(model, adapter, f.Prompt);
            double para = f.Paraphrases is { Count: > 0 } ps ? ps.Count(p => Contains(Complete(model, adapter, p), f.Object)) / (double)ps.Count : 0;
            string chat = f.Question is null ? "" : Ask(model, adapter, f.Question);
            return new FactOutcome(f.Id, f.Object, Contains(raw, f.Object), para, Contains(chat, f.Object), raw, chat, seconds[i], edits[i].Value.Loss);
        }).ToList();
        var after = others.Select(o => Complete(model, adapter, o.Prompt)).ToList();
        double locality = others.Count == 0 ? 1 : before.Zip(after).Count(p => p.First == p.Second) / (double)others.Count;
        double pplAfter = wikiText is null ? double.NaN : Perplexity(model, adapter, wikiText);

        var sorted = seconds.Order().ToList();
        long bytesPerFact = settings.Layers.Count * 4L * (weights.Hparams.FeedForwardLength + weights.Hparams.EmbeddingLength);
        return new WakeReport(Path.GetFileName(modelPath), facts.Count, settings.Layers, settings.Lambda,
            outcomes.Average(o => o.Raw ? 1.0 : 0), outcomes.Average(o => o.Paraphrase), outcomes.Average(o => o.Chat ? 1.0 : 0),
            locality, pplBefore, pplAfter, Benchmark.Median(sorted), sorted[(int)Math.Ceiling(0.95 * sorted.Count) - 1],
            bytesPerFact, edits.Average(e => e.Value.Loss), edits.Average(e => e.Realised[^1]), outcomes);
    }

    public static void WriteAdapter(string path, Hyperparameters hp, IReadOnlyList<EditColumn> columns)
    {
        var pairs = columns.GroupBy(c => c.Layer).Select(layer =>
        {
            var list = layer.ToList();
            int rank = list.Count;
            var a = new float[hp.FeedForwardLength * rank];
            var b = new float[rank * hp.EmbeddingLength];
            for (int j = 0; j < rank; j++)
            {
                for (int i = 0; i < hp.FeedForwardLength; i++) a[j * hp.FeedForwardLength + i] = list[j].A[i] * list[j].Scale;
                for (int i = 0; i < hp.EmbeddingLength; i++) b[i * rank + j] = list[j].B[i];
            }
            return new LoraPair($"blk.{layer.Key}.ffn_down.weight", hp.FeedForwardLength, hp.EmbeddingLength, rank, a, b);
        }).ToList();
        LoraAdapterFile.Write(path, hp.Architecture, pairs);
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
