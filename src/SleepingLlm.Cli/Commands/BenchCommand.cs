using System.CommandLine;
using SleepingLlm.Eval;
using SleepingLlm.Inference;
using SleepingLlm.Kernels;
using SleepingLlm.Sleep;

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
        command.Subcommands.Add(ConsolidateCommand());
        foreach (var sub in MemoryBenchCommands.Create()) command.Subcommands.Add(sub);
        return command;
    }

    /// <summary><c>bench consolidate</c>: sleep's LoRA on the first facts of a file: time per step and fact, recall, perplexity.</summary>
    static Command ConsolidateCommand()
    {
        var models = new ModelOptionSet();
        var facts = new Option<string>("--facts") { Description = "Facts in the format of facts-people.json.", Required = true };
        var wikiText = new Option<string>("--wikitext") { Description = "Text for perplexity (four 512-token windows from its start).", Required = true };
        var count = new Option<int>("--n") { Description = "Facts to consolidate (the file's first).", DefaultValueFactory = _ => 4 };
        var anchorFacts = new Option<int>("--anchor-facts") { Description = "The next facts whose prompts and questions, answered by the model, are the KL anchors.", DefaultValueFactory = _ => 5 };
        var heldOut = new Option<int>("--held-out") { Description = "The facts after those whose prompts measure the next-token KL (people in neither set).", DefaultValueFactory = _ => 10 };
        var layers = new Option<int>("--layers") { Description = "The last this many layers get LoRA terms.", DefaultValueFactory = _ => 8 };
        var rank = new Option<int>("--rank") { DefaultValueFactory = _ => 16 };
        var matrices = new Option<string>("--matrices") { Description = "Comma-separated weights per layer.", DefaultValueFactory = _ => "ffn_down" };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 60 };
        var rate = new Option<float>("--lr") { DefaultValueFactory = _ => 2e-3f };
        var anchorWeight = new Option<float>("--anchor-weight") { DefaultValueFactory = _ => 1f };
        var adapter = new Option<string?>("--adapter") { Description = "Where to keep the adapter (default: a temporary file)." };
        var blockTokens = new Option<int>("--block-tokens") { Description = "Tokens per attention block of the packed pass.", DefaultValueFactory = _ => new LoraOptions { FirstLayer = 0, EndLayer = 1 }.BlockTokens };
        var json = Cli.JsonOption();
        var command = new Command("consolidate", "Measure sleep's LoRA consolidation: seconds per step and per fact, recall through llama.cpp with the adapter, WikiText perplexity.");
        models.AddTo(command);
        foreach (var o in new Option[] { facts, wikiText, count, anchorFacts, heldOut, layers, rank, matrices, steps, rate, anchorWeight, adapter, blockTokens, json }) command.Options.Add(o);
        command.SetAction(async (result, _) =>
        {
            await using var engine = await Engine.StartAsync(models.ResolveModel(result), models.ModelOptions(result));
            var records = FactSet.Load(result.GetValue(facts)!);
            string path = result.GetValue(adapter) ?? Path.Combine(Path.GetTempPath(), $"sleepingllm-consolidate-{Environment.ProcessId}.gguf");
            bool quiet = result.GetValue(json);
            var bench = await engine.Invoke((model, context) =>
            {
                var options = new LoraOptions
                {
                    FirstLayer = model.LayerCount - result.GetValue(layers), EndLayer = model.LayerCount, Rank = result.GetValue(rank),
                    Matrices = result.GetValue(matrices)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                    Steps = result.GetValue(steps), LearningRate = result.GetValue(rate), AnchorWeight = result.GetValue(anchorWeight),
                    BlockTokens = result.GetValue(blockTokens),
                };
                return ConsolidationBenchmark.Run(context, records, result.GetValue(count), result.GetValue(anchorFacts), result.GetValue(heldOut), options,
                    result.GetValue(wikiText)!, models.ModelOptions(result).Threads, path, quiet ? null : Console.WriteLine);
            });
            if (result.GetValue(adapter) is null) File.Delete(path);
            if (quiet)
            {
                Cli.WriteJson(new
                {
                    model = engine.ModelPath,
                    bench.Facts, bench.Sequences, bench.Anchors, bench.Steps,
                    median_step_seconds = Math.Round(bench.MedianStepSeconds, 3),
                    train_seconds = Math.Round(bench.TrainSeconds, 2),
                    seconds_per_fact = Math.Round(bench.SecondsPerFact, 2),
                    final_nll = Math.Round(bench.FinalNll, 4),
                    anchor_kl = Math.Round(bench.AnchorKl, 5),
                    adapter_bytes = bench.AdapterBytes,
                    recall_before = new { bench.Before.Raw, bench.Before.Paraphrase, bench.Before.Chat },
                    recall_after = new { bench.After.Raw, bench.After.Paraphrase, bench.After.Chat },
                    held_out_kl = Math.Round(bench.HeldOutKl, 4),
                    perplexity_before = Math.Round(bench.PerplexityBefore, 3),
                    perplexity_after = Math.Round(bench.PerplexityAfter, 3),
                    answers = bench.After.Answers.Select(a => new { a.Fact.Id, a.Fact.Object, raw = a.RawAnswer, chat = a.ChatAnswer }),
                });
                return 0;
            }
            foreach (var a in bench.After.Answers) Console.WriteLine($"{a.Fact.Question} → {a.ChatAnswer?.ReplaceLineEndings(" ")}");
            Console.WriteLine($"{bench.Facts} facts, {bench.Sequences} sequences, {bench.Anchors} anchors, {bench.Steps} steps, adapter {bench.AdapterBytes:N0} B");
            Console.WriteLine($"step          {bench.MedianStepSeconds,8:F3} s (median)   training {bench.TrainSeconds:F1} s = {bench.SecondsPerFact:F1} s/fact");
            Console.WriteLine($"final NLL {bench.FinalNll:F3}, anchor KL {bench.AnchorKl:F4} nats");
            Console.WriteLine($"recall before raw {bench.Before.Raw:F2} paraphrase {bench.Before.Paraphrase:F2} chat {bench.Before.Chat:F2}");
            Console.WriteLine($"recall after  raw {bench.After.Raw:F2} paraphrase {bench.After.Paraphrase:F2} chat {bench.After.Chat:F2}");
            Console.WriteLine($"next-token KL on other people's prompts {bench.HeldOutKl:F4} nats (mean)");
            Console.WriteLine($"perplexity (4 × 512 WikiText tokens) {bench.PerplexityBefore:F2} → {bench.PerplexityAfter:F2} ({(bench.PerplexityAfter / bench.PerplexityBefore - 1) * 100:+0.0;-0.0}%)");
            return 0;
        });
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
                    tail_f32 = bench.F32 is { } f ? Tail(f) : null,
                });
                return 0;
            }
            Console.WriteLine($"model {Path.GetFileName(engine.ModelPath)}, {bench.Tokens} tokens, {bench.Backend}, medians of {bench.Runs}");
            Console.WriteLine($"llama.cpp forward            {bench.LlamaCppForwardMs,9:F2} ms");
            Console.WriteLine($"graph forward                {bench.GraphForwardMs,9:F2} ms   ratio {bench.ForwardRatio:F2} (target <= 1.5)");
            foreach (var (name, t) in new[] { ("stored types", bench.Quantized), ("F32", bench.F32) })
            {
                if (t is null) continue;
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
