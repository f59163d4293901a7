using System.Diagnostics;
using SleepingLlm.Adapters;
using SleepingLlm.Gguf;
using SleepingLlm.Inference;
using SleepingLlm.Wake;

namespace SleepingLlm.Eval;

/// <summary>llama.cpp's decode speed (tokens/s, medians) on the bare model and with a memory's adapters.</summary>
public sealed record DecodeSpeed(double BarePrompt, double BareGeneration, double MemoryPrompt, double MemoryGeneration, int Adapters)
{
    /// <summary>Generation with the memory over bare (target ≥ 0.95).</summary>
    public double GenerationRatio => MemoryGeneration / BareGeneration;
}

/// <summary>`bench wake`: the first write (key statistics included), then seconds per fact.</summary>
public sealed record WakeBenchmarkResult(int Facts, double FirstWriteSeconds, IReadOnlyList<double> WriteSeconds, IReadOnlyList<double> ValueSeconds,
    long PeakResidentBytes, DecodeSpeed Decode)
{
    /// <summary>Median seconds per fact over the writes after the first (the first pays for the key statistics).</summary>
    public double MedianSecondsPerFact => Benchmark.Median(WriteSeconds.Count > 1 ? WriteSeconds.Skip(1).ToList() : WriteSeconds);
}

/// <summary>`bench sleep`: seconds per sleep over a memory the wake benchmark wrote.</summary>
public sealed record SleepBenchmarkResult(IReadOnlyList<double> SleepSeconds, IReadOnlyList<bool> Committed, long PeakResidentBytes, DecodeSpeed Decode)
{
    public double MedianSecondsPerSleep => Benchmark.Median(SleepSeconds);
}

/// <summary>
/// Wake and sleep as a user meets them, at any shape: made-up facts written through the engine (so a
/// random-weight model measures speed and memory, a real one all of it), peak resident memory, and
/// llama.cpp's decode speed with the memory's adapters against the bare model.
/// </summary>
public static class MemoryBenchmark
{
    static readonly (string Relation, string Prompt, string Question, string[] Objects)[] Relations =
    [
        ("car", "{0} drives a", "What car does {0} drive?", ["Citroen", "Volvo", "Toyota", "Fiat", "Skoda", "Renault", "Subaru", "Peugeot"]),
        ("city", "{0} lives in", "Where does {0} live?", ["Tromso", "Lisbon", "Osaka", "Quito", "Tallinn", "Perth", "Bergen", "Leipzig"]),
        ("job", "{0} works as a", "What does {0} do for a living?", ["baker", "pilot", "surgeon", "plumber", "geologist", "violinist", "chemist", "welder"]),
    ];

    /// <summary><paramref name="count"/> facts about made-up people, one per person, relations and objects in turn.</summary>
    public static IReadOnlyList<Fact> MadeUpFacts(int count) =>
    [
        .. SubjectCovariance.MadeUpNames(count, seed: 11).Select((name, i) =>
        {
            var (relation, prompt, question, objects) = Relations[i % Relations.Length];
            return new Fact(name, relation, objects[i / Relations.Length % objects.Length], string.Format(prompt, name), string.Format(question, name));
        }),
    ];

    /// <summary>The process's peak resident memory so far (VmHWM on Linux).</summary>
    public static long PeakResidentBytes()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.PeakWorkingSet64;
    }

    public static async Task<WakeBenchmarkResult> WakeAsync(Engine engine, IReadOnlyList<Fact> facts, int promptTokens, int generatedTokens, int runs,
        IProgress<string>? progress = null)
    {
        var seconds = new List<double>();
        var value = new List<double>();
        double first = 0;
        foreach (var fact in facts)
        {
            var clock = Stopwatch.StartNew();
            var done = await engine.RememberAsync(fact, null, progress);
            if (seconds.Count == 0) first = clock.Elapsed.TotalSeconds;
            seconds.Add(done.Elapsed.TotalSeconds);
            value.Add(done.ValueTime.TotalSeconds);
            progress?.Report($"fact {seconds.Count}/{facts.Count}: {done.Elapsed.TotalSeconds:F1} s (v* {done.ValueTime.TotalSeconds:F1} s), peak {PeakResidentBytes() / 1e9:F2} GB");
        }
        var decode = await DecodeAsync(engine, promptTokens, generatedTokens, runs);
        return new WakeBenchmarkResult(facts.Count, first, seconds, value, PeakResidentBytes(), decode);
    }

    public static async Task<SleepBenchmarkResult> SleepAsync(Engine engine, int sleeps, int promptTokens, int generatedTokens, int runs,
        IProgress<string>? progress = null)
    {
        var seconds = new List<double>();
        var committed = new List<bool>();
        for (int i = 0; i < sleeps; i++)
        {
            var clock = Stopwatch.StartNew();
            var report = await engine.SleepAsync(null, progress);
            seconds.Add(clock.Elapsed.TotalSeconds);
            committed.Add(report.Committed);
            progress?.Report($"sleep {i + 1}/{sleeps}: {seconds[^1]:F1} s, {(report.Committed ? "committed" : "rolled back")}, peak {PeakResidentBytes() / 1e9:F2} GB");
        }
        var decode = await DecodeAsync(engine, promptTokens, generatedTokens, runs);
        return new SleepBenchmarkResult(seconds, committed, PeakResidentBytes(), decode);
    }

    /// <summary>The engine's context (the memory's adapters in it) against a bare context of the same size.</summary>
    public static Task<DecodeSpeed> DecodeAsync(Engine engine, int promptTokens, int generatedTokens, int runs) =>
        engine.Invoke((model, context) => Decode(model, context, context.AdapterCount, promptTokens, generatedTokens, runs));

    /// <summary>
    /// Decode speed with adapters of a memory of <paramref name="facts"/> facts (its MEMIT edit: one
    /// column per fact and key at each edit layer; the consolidated LoRA of sleep's default shape), made
    /// of random values: decode speed depends on their shapes and types only, so a hundred memories are
    /// measured without writing a hundred.
    /// </summary>
    public static DecodeSpeed MadeUp(Model model, string architecture, int facts, int keysPerFact, GgmlType type, string folder,
        int promptTokens, int generatedTokens, int runs)
    {
        var info = Models.ModelInfo.Read(model.Path);
        int layers = info.LayerCount, nembd = info.EmbeddingLength;
        int nff = info.FeedForwardLength ?? throw new SleepingLlmException("the model's feed-forward length is not one number");
        var random = new Random(5);
        float[] Values(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5) * 1e-3f)];
        LoraPair Pair(int layer, int rank) => new($"blk.{layer}.ffn_down.weight", nff, nembd, rank, Values(nff * rank), Values(rank * nembd));
        Directory.CreateDirectory(folder);
        string edits = Path.Combine(folder, $"made-up-edits-{facts}.gguf"), lora = Path.Combine(folder, "made-up-consolidated.gguf");
        LoraAdapterFile.Write(edits, architecture, [.. WakeSettings.For(layers).Layers.Select(l => Pair(l, facts * keysPerFact))], type);
        var sleep = Sleep.SleepOptions.DefaultLora(layers);
        LoraAdapterFile.Write(lora, architecture, [.. Enumerable.Range(sleep.FirstLayer, sleep.EndLayer - sleep.FirstLayer).Select(l => Pair(l, sleep.Rank))], type);
        using var editsAdapter = model.LoadAdapter(edits);
        using var loraAdapter = model.LoadAdapter(lora);
        using var context = new Context(model, promptTokens + generatedTokens);
        context.SetAdapters([new AdapterScale(editsAdapter, 1f), new AdapterScale(loraAdapter, 1f)]);
        File.Delete(edits);
        File.Delete(lora);
        return Decode(model, context, 2, promptTokens, generatedTokens, runs);
    }

    static DecodeSpeed Decode(Model model, Context withMemory, int adapters, int promptTokens, int generatedTokens, int runs)
    {
        using var bare = new Context(model, withMemory.Size);
        // Interleaved, and the better of two rounds each, so a machine shared with other work skews both alike.
        var rounds = Enumerable.Range(0, 2).Select(_ => (Bare: Benchmark.Run(bare, promptTokens, generatedTokens, runs),
            Memory: Benchmark.Run(withMemory, promptTokens, generatedTokens, runs))).ToList();
        return new DecodeSpeed(rounds.Max(r => r.Bare.PromptTokensPerSecond), rounds.Max(r => r.Bare.GenerationTokensPerSecond),
            rounds.Max(r => r.Memory.PromptTokensPerSecond), rounds.Max(r => r.Memory.GenerationTokensPerSecond), adapters);
    }
}
