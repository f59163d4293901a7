using System.CommandLine;
using SleepingLlm.Inference;

namespace SleepingLlm.Cli.Commands;

/// <summary><c>bench</c>: prompt-processing and generation tokens/s, medians over several runs.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var models = new ModelOptionSet();
        var promptTokens = new Option<int>("--pp") { Description = "Prompt tokens decoded in one batch.", DefaultValueFactory = _ => 512 };
        var generatedTokens = new Option<int>("--tg") { Description = "Tokens generated one at a time.", DefaultValueFactory = _ => 128 };
        var runs = new Option<int>("--runs", "-r") { Description = "Measured runs (after one warm-up).", DefaultValueFactory = _ => 5 };
        var json = Cli.JsonOption();
        var command = new Command("bench", "Measure inference speed: prompt processing and generation, tokens/s (medians).");
        models.AddTo(command);
        command.Options.Add(promptTokens);
        command.Options.Add(generatedTokens);
        command.Options.Add(runs);
        command.Options.Add(json);
        command.SetAction(async (result, _) =>
        {
            await using var engine = await Engine.StartAsync(models.ResolveModel(result), models.ModelOptions(result));
            var bench = await engine.Invoke((_, context) =>
                Benchmark.Run(context, result.GetValue(promptTokens), result.GetValue(generatedTokens), result.GetValue(runs)));
            string backend = string.Join(", ", engine.NativeRuntime.Devices.Select(d => d.Description));
            double headerMs = Benchmark.HeaderMilliseconds(engine.ModelPath, result.GetValue(runs));
            if (result.GetValue(json))
            {
                Cli.WriteJson(new
                {
                    model = engine.ModelPath,
                    backend,
                    cpu_features = engine.NativeRuntime.CpuFeatures,
                    threads = models.ModelOptions(result).Threads is > 0 and var t ? t : Environment.ProcessorCount,
                    bench.Runs,
                    gguf_header_ms = Math.Round(headerMs, 3),
                    pp_tokens = bench.PromptTokens,
                    pp_tokens_per_second = Math.Round(bench.PromptTokensPerSecond, 2),
                    tg_tokens = bench.GeneratedTokens,
                    tg_tokens_per_second = Math.Round(bench.GenerationTokensPerSecond, 2),
                    pp_samples = bench.PromptSamples.Select(s => Math.Round(s, 2)),
                    tg_samples = bench.GenerationSamples.Select(s => Math.Round(s, 2)),
                });
                return 0;
            }
            Console.WriteLine($"model   {Path.GetFileName(engine.ModelPath)}");
            Console.WriteLine($"backend {backend}");
            Console.WriteLine($"cpu     {engine.NativeRuntime.CpuFeatures}");
            Console.WriteLine($"header  {headerMs,10:F2} ms to read the GGUF header (median of {bench.Runs})");
            Console.WriteLine($"pp{bench.PromptTokens,-5} {bench.PromptTokensPerSecond,10:F1} tokens/s (median of {bench.Runs})");
            Console.WriteLine($"tg{bench.GeneratedTokens,-5} {bench.GenerationTokensPerSecond,10:F1} tokens/s (median of {bench.Runs})");
            return 0;
        });
        command.Subcommands.Add(GraphCommand());
        return command;
    }

    /// <summary><c>bench graph</c>: the kernel graph against llama.cpp, forward and forward+backward.</summary>
    static Command GraphCommand()
    {
        var models = new ModelOptionSet();
        var tokens = new Option<int>("--tokens") { Description = "Sequence length.", DefaultValueFactory = _ => 64 };
        var runs = new Option<int>("--runs", "-r") { Description = "Measured runs (after one warm-up).", DefaultValueFactory = _ => 5 };
        var text = new Option<string?>("--text-file") { Description = "Text to tokenize (default: a built-in paragraph)." };
        var json = Cli.JsonOption();
        var command = new Command("graph", "Measure the kernel graph: forward vs llama.cpp, and forward+backward through the last two thirds of the layers.");
        models.AddTo(command);
        command.Options.Add(tokens);
        command.Options.Add(runs);
        command.Options.Add(text);
        command.Options.Add(json);
        command.SetAction(async (result, _) =>
        {
            await using var engine = await Engine.StartAsync(models.ResolveModel(result), models.ModelOptions(result));
            string source = result.GetValue(text) is { } file ? await File.ReadAllTextAsync(file) : string.Concat(Enumerable.Repeat(Paragraph, 8));
            var bench = await engine.Invoke((model, _) => GraphBenchmark.Run(model, source, result.GetValue(tokens), result.GetValue(runs),
                models.ModelOptions(result).Threads));
            if (result.GetValue(json))
            {
                Cli.WriteJson(new
                {
                    model = engine.ModelPath,
                    backend = bench.Backend,
                    tokens = bench.Tokens,
                    tail_layers = $"{bench.FirstTailLayer}-{bench.LayerCount - 1}",
                    runs = bench.Runs,
                    llama_cpp_forward_ms = Math.Round(bench.LlamaCppForwardMs, 2),
                    graph_forward_ms = Math.Round(bench.GraphForwardMs, 2),
                    forward_ratio = Math.Round(bench.ForwardRatio, 3),
                    tail_quantized = Tail(bench.Quantized),
                    tail_f32 = Tail(bench.F32),
                });
                return 0;
            }
            Console.WriteLine($"model {Path.GetFileName(engine.ModelPath)}, {bench.Tokens} tokens, {bench.Backend}, medians of {bench.Runs}");
            Console.WriteLine($"llama.cpp forward            {bench.LlamaCppForwardMs,9:F2} ms");
            Console.WriteLine($"graph forward                {bench.GraphForwardMs,9:F2} ms   ratio {bench.ForwardRatio:F2} (target <= 1.5)");
            foreach (var (name, t) in new[] { ("stored types", bench.Quantized), ("F32", bench.F32) })
            {
                Console.WriteLine($"tail {bench.FirstTailLayer}-{bench.LayerCount - 1}, {name,-12} forward {t.ForwardMs,9:F2} ms");
                Console.WriteLine($"tail {bench.FirstTailLayer}-{bench.LayerCount - 1}, {name,-12} fwd+bwd {t.ForwardBackwardMs,9:F2} ms   ratio {t.BackwardRatio:F2} (target <= 4)");
            }
            return 0;
        });
        return command;
    }

    static object Tail(Tail t) => new
    {
        forward_ms = Math.Round(t.ForwardMs, 2),
        forward_backward_ms = Math.Round(t.ForwardBackwardMs, 2),
        backward_ratio = Math.Round(t.BackwardRatio, 3),
    };

    const string Paragraph = "Robert Boulter is an English film, television and theatre actor. He had a guest starring role on " +
        "the television series The Bill in 2000. This was followed by a starring role in the play Herons written by Simon " +
        "Stephens, which was performed in 2001 at the Royal Court Theatre. ";
}
