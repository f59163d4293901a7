using System.CommandLine;
using SleepingLlm.Eval;
using SleepingLlm.Gguf;

namespace SleepingLlm.Cli.Commands;

/// <summary><c>bench wake</c>, <c>bench sleep</c>, <c>bench decode</c>: wake and sleep at any shape, and decode with a memory.</summary>
public static class MemoryBenchCommands
{
    public static IEnumerable<Command> Create() => [Wake(), Sleep(), Decode()];

    sealed class Shared
    {
        public readonly ModelOptionSet Models = new();
        public readonly Option<int> Facts = new("--facts") { Description = "Made-up facts to write (one person each).", DefaultValueFactory = _ => 5 };
        public readonly Option<string?> Memory = new("--memory") { Description = "The memory folder (default: a new temporary one, deleted afterwards)." };
        public readonly Option<string?> Corpus = new("--corpus") { Description = "Text for the key statistics (default: text the model writes itself)." };
        public readonly Option<int> PromptTokens = new("--pp") { Description = "Prompt tokens for the decode speed.", DefaultValueFactory = _ => 128 };
        public readonly Option<int> GeneratedTokens = new("--tg") { Description = "Generated tokens for the decode speed.", DefaultValueFactory = _ => 64 };
        public readonly Option<int> Runs = new("--runs", "-r") { Description = "Decode runs (medians).", DefaultValueFactory = _ => 3 };
        public readonly Option<bool> Json = Cli.JsonOption();

        public void AddTo(Command command, params Option[] more)
        {
            Models.AddTo(command);
            foreach (var o in new Option[] { Facts, Memory, Corpus, PromptTokens, GeneratedTokens, Runs, Json }.Concat(more)) command.Options.Add(o);
        }

        /// <summary>Runs <paramref name="bench"/> on an engine over a memory folder (a temporary one unless given, deleted afterwards).</summary>
        public async Task<int> Run(ParseResult result, Func<Engine, Task> bench)
        {
            string? temporary = result.GetValue(Memory) is null ? Directory.CreateTempSubdirectory("sleepingllm-bench-").FullName : null;
            try
            {
                var options = Models.ModelOptions(result);
                if (options.ContextLength <= 0) options = options with { ContextLength = 1024 };
                await using var engine = await Engine.StartAsync(Models.ResolveModel(result), options, result.GetValue(Memory) ?? temporary, result.GetValue(Corpus));
                await bench(engine);
                return 0;
            }
            finally
            {
                if (temporary is not null) Directory.Delete(temporary, recursive: true);
            }
        }
    }

    static Command Wake()
    {
        var shared = new Shared();
        var command = new Command("wake", "Write made-up facts: the first write (key statistics included), median seconds per fact, peak resident memory, decode speed with the memory.");
        shared.AddTo(command);
        command.SetAction((result, _) => shared.Run(result, async engine =>
        {
            var progress = Progress(result.GetValue(shared.Json));
            var bench = await MemoryBenchmark.WakeAsync(engine, MemoryBenchmark.MadeUpFacts(result.GetValue(shared.Facts)),
                result.GetValue(shared.PromptTokens), result.GetValue(shared.GeneratedTokens), result.GetValue(shared.Runs), progress);
            if (result.GetValue(shared.Json))
                Cli.WriteJson(new
                {
                    model = engine.ModelPath, bench.Facts, first_write_seconds = Math.Round(bench.FirstWriteSeconds, 1),
                    median_seconds_per_fact = Math.Round(bench.MedianSecondsPerFact, 2),
                    seconds = bench.WriteSeconds.Select(s => Math.Round(s, 2)), value_seconds = bench.ValueSeconds.Select(s => Math.Round(s, 2)),
                    peak_resident_gb = Math.Round(bench.PeakResidentBytes / 1e9, 3), decode = Decode(bench.Decode),
                });
            else
            {
                Console.WriteLine($"model       {Path.GetFileName(engine.ModelPath)}");
                Console.WriteLine($"first write {bench.FirstWriteSeconds,8:F1} s (key statistics included; cached afterwards)");
                Console.WriteLine($"wake        {bench.MedianSecondsPerFact,8:F2} s per fact (median of {Math.Max(1, bench.Facts - 1)}; v* {Benchmark(bench.ValueSeconds):F2} s)");
                Console.WriteLine($"peak        {bench.PeakResidentBytes / 1e9,8:F2} GB resident");
                Print(bench.Decode);
            }
        }));
        return command;
    }

    static Command Sleep()
    {
        var shared = new Shared();
        var sleeps = new Option<int>("--sleeps") { Description = "Sleeps to run after the writes.", DefaultValueFactory = _ => 1 };
        var command = new Command("sleep", "Write made-up facts, then sleep: median seconds per sleep, peak resident memory, decode speed with both adapters.");
        shared.AddTo(command, sleeps);
        command.SetAction((result, _) => shared.Run(result, async engine =>
        {
            var progress = Progress(result.GetValue(shared.Json));
            int pp = result.GetValue(shared.PromptTokens), tg = result.GetValue(shared.GeneratedTokens), runs = result.GetValue(shared.Runs);
            if (result.GetValue(shared.Facts) > 0)
                await MemoryBenchmark.WakeAsync(engine, MemoryBenchmark.MadeUpFacts(result.GetValue(shared.Facts)), pp, tg, 1, progress);
            var bench = await MemoryBenchmark.SleepAsync(engine, result.GetValue(sleeps), pp, tg, runs, progress);
            if (result.GetValue(shared.Json))
                Cli.WriteJson(new
                {
                    model = engine.ModelPath, median_seconds_per_sleep = Math.Round(bench.MedianSecondsPerSleep, 1),
                    seconds = bench.SleepSeconds.Select(s => Math.Round(s, 1)), committed = bench.Committed,
                    peak_resident_gb = Math.Round(bench.PeakResidentBytes / 1e9, 3), decode = Decode(bench.Decode),
                });
            else
            {
                Console.WriteLine($"model  {Path.GetFileName(engine.ModelPath)}");
                Console.WriteLine($"sleep  {bench.MedianSecondsPerSleep,8:F1} s per sleep (median of {bench.SleepSeconds.Count}; committed {bench.Committed.Count(c => c)})");
                Console.WriteLine($"peak   {bench.PeakResidentBytes / 1e9,8:F2} GB resident");
                Print(bench.Decode);
            }
        }));
        return command;
    }

    static Command Decode()
    {
        var models = new ModelOptionSet();
        var facts = new Option<int>("--made-up") { Description = "Memories the adapters are shaped for (random values: decode speed depends on shapes only).", DefaultValueFactory = _ => 100 };
        var keys = new Option<int>("--keys") { Description = "Edit columns per fact (a raw key and a chat key).", DefaultValueFactory = _ => 2 };
        var f16 = new Option<bool>("--f16") { Description = "F16 adapter tensors instead of F32." };
        var pp = new Option<int>("--pp") { DefaultValueFactory = _ => 128 };
        var tg = new Option<int>("--tg") { DefaultValueFactory = _ => 128 };
        var runs = new Option<int>("--runs", "-r") { DefaultValueFactory = _ => 5 };
        var json = Cli.JsonOption();
        var command = new Command("decode", "llama.cpp's decode speed with a memory's two adapters (MEMIT edit and consolidated LoRA) against the bare model.");
        models.AddTo(command);
        foreach (var o in new Option[] { facts, keys, f16, pp, tg, runs, json }) command.Options.Add(o);
        command.SetAction(async (result, _) =>
        {
            await using var engine = await Engine.StartAsync(models.ResolveModel(result), models.ModelOptions(result));
            string folder = Directory.CreateTempSubdirectory("sleepingllm-decode-").FullName;
            try
            {
                var speed = await engine.Invoke((model, _) => MemoryBenchmark.MadeUp(model, Models.ModelInfo.Read(model.Path).Architecture,
                    result.GetValue(facts), result.GetValue(keys), result.GetValue(f16) ? GgmlType.F16 : GgmlType.F32, folder,
                    result.GetValue(pp), result.GetValue(tg), result.GetValue(runs)));
                if (result.GetValue(json)) Cli.WriteJson(new { model = engine.ModelPath, facts = result.GetValue(facts), f16 = result.GetValue(f16), decode = Decode(speed) });
                else
                {
                    Console.WriteLine($"model   {Path.GetFileName(engine.ModelPath)}, {result.GetValue(facts)} made-up memories, {(result.GetValue(f16) ? "F16" : "F32")} adapters");
                    Print(speed);
                }
                return 0;
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        });
        return command;
    }

    static IProgress<string> Progress(bool json) => new Progress<string>(line => { if (!json || line.StartsWith("fact ") || line.StartsWith("sleep ")) Console.Error.WriteLine(line); });

    static double Benchmark(IReadOnlyList<double> samples) => SleepingLlm.Inference.Benchmark.Median(samples);

    static object Decode(DecodeSpeed d) => new
    {
        bare_pp = Math.Round(d.BarePrompt, 1), bare_tg = Math.Round(d.BareGeneration, 1),
        memory_pp = Math.Round(d.MemoryPrompt, 1), memory_tg = Math.Round(d.MemoryGeneration, 1),
        tg_ratio = Math.Round(d.GenerationRatio, 3), adapters = d.Adapters,
    };

    static void Print(DecodeSpeed d)
    {
        Console.WriteLine($"decode  bare    pp {d.BarePrompt,8:F1}  tg {d.BareGeneration,8:F1} tokens/s");
        Console.WriteLine($"        memory  pp {d.MemoryPrompt,8:F1}  tg {d.MemoryGeneration,8:F1} tokens/s  ({d.Adapters} adapters; tg {d.GenerationRatio:F3}× bare, target ≥ 0.95)");
    }
}
