using System.CommandLine;
using SleepingLlm.Eval;
using SleepingLlm.Wake;

namespace SleepingLlm.Cli.Commands;

/// <summary><c>eval --facts FILE</c>: write facts one at a time into a fresh memory and measure recall, locality, perplexity, time and size.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var models = new ModelOptionSet();
        var facts = new Option<string>("--facts") { Description = "Facts in the format of facts-people.json.", Required = true };
        var count = new Option<int>("--n") { Description = "How many facts to write.", DefaultValueFactory = _ => 10 };
        var corpus = new Option<string?>("--corpus") { Description = "Text for the key covariance (default: text the model writes itself)." };
        var wiki = new Option<string?>("--wikitext") { Description = "WikiText file for perplexity before and after." };
        var layers = new Option<string?>("--layers") { Description = "Edit layers, e.g. 4-8 (default: by the model's depth)." };
        var lambda = new Option<double?>("--lambda") { Description = "Covariance weight λ of the solve." };
        var steps = new Option<int?>("--steps") { Description = "v* optimisation steps." };
        var rate = new Option<float?>("--lr") { Description = "v* learning rate (Adam)." };
        var clamp = new Option<float?>("--clamp") { Description = "‖δ‖ ≤ clamp·‖h‖." };
        var prefixes = new Option<int?>("--prefixes") { Description = "Self-written context prefixes per raw prompt (0..5)." };
        var rawOnly = new Option<bool>("--raw-keys-only") { Description = "Key edits at the raw prompt only (no chat-turn column)." };
        var output = new Option<string?>("--json") { Description = "Write the report as JSON to this file." };
        var command = new Command("eval", "Measure wake: write N facts one at a time, then recall (raw, paraphrase, chat), locality, perplexity, s/fact, bytes/fact.");
        models.AddTo(command);
        foreach (var option in new Option[] { facts, count, corpus, wiki, layers, lambda, steps, rate, clamp, prefixes, rawOnly, output }) command.Options.Add(option);
        command.SetAction(async (result, _) =>
        {
            string path = models.ResolveModel(result);
            await using var engine = await Engine.StartAsync(path, models.ModelOptions(result));
            var report = await engine.Invoke((_, _) =>
            {
                int depth = Models.ModelInfo.Read(path).LayerCount;
                var settings = WakeSettings.For(depth);
                if (result.GetValue(layers) is { } spec)
                {
                    var parts = spec.Split('-', 2).Select(int.Parse).ToArray();
                    settings = settings with { Layers = [.. Enumerable.Range(parts[0], parts[^1] - parts[0] + 1)] };
                }
                if (result.GetValue(lambda) is { } l) settings = settings with { Lambda = l };
                if (result.GetValue(steps) is { } s) settings = settings with { ValueSteps = s };
                if (result.GetValue(rate) is { } r) settings = settings with { ValueLearningRate = r };
                if (result.GetValue(clamp) is { } c) settings = settings with { ClampFactor = c };
                if (result.GetValue(prefixes) is { } n) settings = settings with { ContextPrefixes = n };
                if (result.GetValue(rawOnly)) settings = settings with { ChatKeys = false };
                var corpusSource = result.GetValue(corpus) is { } file ? Corpus.FromFile(file) : Corpus.SelfGenerated();
                string cache = Memory.MemoryService.DefaultCacheDirectory;
                string adapter = Path.Combine(Path.GetTempPath(), $"sleepingllm-eval-{Environment.ProcessId}.gguf");
                try
                {
                    return WakeEvaluation.Run(path, FactSet.Load(result.GetValue(facts)!), result.GetValue(count), settings, corpusSource,
                        cache, result.GetValue(wiki), adapter, line => Console.Error.WriteLine(line));
                }
                finally
                {
                    File.Delete(adapter);
                }
            });
            if (result.GetValue(output) is { } json) await File.WriteAllTextAsync(json, System.Text.Json.JsonSerializer.Serialize(report, Cli.Json));
            Console.WriteLine($"{report.Facts} facts, layers {report.Layers[0]}-{report.Layers[^1]}, λ {report.Lambda}");
            Console.WriteLine($"raw {report.RawRecall:F2}  paraphrase {report.ParaphraseRecall:F2}  chat {report.ChatRecall:F2}  locality {report.Locality:F2}");
            Console.WriteLine((report.PerplexityBefore is { } before ? $"perplexity {before:F2} → {report.PerplexityAfter:F2}  " : "") + $"s/fact median {report.SecondsPerFactMedian:F1} p95 {report.SecondsPerFactP95:F1}  bytes/fact {report.BytesPerFact}");
            return 0;
        });
        return command;
    }
}
