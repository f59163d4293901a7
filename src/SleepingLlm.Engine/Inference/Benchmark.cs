using System.Diagnostics;

namespace SleepingLlm.Inference;

/// <summary>Medians of prompt processing and generation speed, measured as llama-bench does.</summary>
public sealed record BenchmarkResult(int PromptTokens, int GeneratedTokens, int Runs,
    double PromptTokensPerSecond, double GenerationTokensPerSecond,
    IReadOnlyList<double> PromptSamples, IReadOnlyList<double> GenerationSamples);

public static class Benchmark
{
    /// <summary>
    /// Prompt processing: <paramref name="promptTokens"/> tokens decoded as one batch into an empty
    /// cache. Generation: <paramref name="generatedTokens"/> single-token decodes, each on the cache
    /// the previous left. Fixed pseudo-random tokens, so no text or end-of-generation can shorten a
    /// run. One warm-up run is not counted. Engine thread only.
    /// </summary>
    public static BenchmarkResult Run(Context context, int promptTokens, int generatedTokens, int runs)
    {
        if (runs < 1) throw new ArgumentOutOfRangeException(nameof(runs));
        if (promptTokens + generatedTokens > context.Size)
            throw new SleepingLlmException($"{promptTokens}+{generatedTokens} tokens do not fit the context of {context.Size}");
        var random = new Random(42);
        int[] tokens = Enumerable.Range(0, Math.Max(promptTokens, generatedTokens))
            .Select(_ => random.Next(context.Model.VocabularySize)).ToArray();
        var prompt = new List<double>();
        var generation = new List<double>();
        for (int run = -1; run < runs; run++)
        {
            context.Clear();
            var clock = Stopwatch.StartNew();
            context.Decode(tokens.AsSpan(0, promptTokens));
            double pp = promptTokens / clock.Elapsed.TotalSeconds;

            context.Clear();
            clock.Restart();
            for (int i = 0; i < generatedTokens; i++) context.Decode(tokens.AsSpan(i, 1));
            double tg = generatedTokens / clock.Elapsed.TotalSeconds;
            if (run < 0) continue;
            prompt.Add(pp);
            generation.Add(tg);
        }
        context.Clear();
        return new BenchmarkResult(promptTokens, generatedTokens, runs, Median(prompt), Median(generation), prompt, generation);
    }

    /// <summary>Reading a GGUF file's header (metadata and tensor table, no tensor data): median milliseconds after one warm-up.</summary>
    public static double HeaderMilliseconds(string path, int runs)
    {
        if (runs < 1) throw new ArgumentOutOfRangeException(nameof(runs));
        Gguf.GgufFile.Read(path);
        var samples = new List<double>();
        for (int run = 0; run < runs; run++)
        {
            var clock = Stopwatch.StartNew();
            Gguf.GgufFile.Read(path);
            samples.Add(clock.Elapsed.TotalMilliseconds);
        }
        return Median(samples);
    }

    public static double Median(IReadOnlyList<double> samples)
    {
        var sorted = samples.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
