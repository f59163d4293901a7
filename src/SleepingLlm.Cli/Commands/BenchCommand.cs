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
            if (result.GetValue(json))
            {
                Cli.WriteJson(new
                {
                    model = engine.ModelPath,
                    backend,
                    threads = models.ModelOptions(result).Threads is > 0 and var t ? t : Environment.ProcessorCount,
                    bench.Runs,
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
            Console.WriteLine($"pp{bench.PromptTokens,-5} {bench.PromptTokensPerSecond,10:F1} tokens/s (median of {bench.Runs})");
            Console.WriteLine($"tg{bench.GeneratedTokens,-5} {bench.GenerationTokensPerSecond,10:F1} tokens/s (median of {bench.Runs})");
            return 0;
        });
        return command;
    }
}
