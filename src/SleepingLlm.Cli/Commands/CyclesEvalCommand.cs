using System.CommandLine;
using SleepingLlm.Eval;
using SleepingLlm.Sleep;
using SleepingLlm.Wake;

namespace SleepingLlm.Cli.Commands;

/// <summary>
/// <c>eval cycles</c>: C cycles of N facts written in wake and then a sleep, measured after each
/// (<see cref="CyclesEvaluation"/>); with <c>--baseline</c> the same facts without sleep in the same report.
/// </summary>
public static class CyclesEvalCommand
{
    public static Command Create()
    {
        var models = new ModelOptionSet();
        var facts = new Option<string>("--facts") { Description = "Facts in the format of facts-people.json.", Required = true };
        var cycles = new Option<int>("--cycles") { Description = "Cycles of wake and sleep.", DefaultValueFactory = _ => 5 };
        var perCycle = new Option<int>("--per-cycle") { Description = "Facts written in each cycle's wake.", DefaultValueFactory = _ => 20 };
        var baseline = new Option<bool>("--baseline") { Description = "Also run the same writes without sleep (wake only) into the report." };
        var noSleep = new Option<bool>("--no-sleep") { Description = "Only the wake-only run." };
        var corpus = new Option<string?>("--corpus") { Description = "Text for the key statistics (default: text the model writes itself)." };
        var wiki = new Option<string?>("--wikitext") { Description = "WikiText for perplexity (its second half; a file covariance reads the start)." };
        var steps = new Option<int?>("--steps") { Description = "Consolidation steps at most per sleep." };
        var replay = new Option<int>("--replay") { Description = "Already consolidated facts each sleep trains again.", DefaultValueFactory = _ => new SleepOptions().Replay };
        var json = new Option<string?>("--json") { Description = "Write the report here." };
        var curve = new Option<string?>("--curve") { Description = "Draw recall, locality and the share of dissolved edits after each cycle as an SVG here." };
        Cli.AtLeastOne(cycles);
        Cli.AtLeastOne(perCycle);
        var command = new Command("cycles", "Wake and sleep in cycles: N facts written, then a sleep, C times; recall of all facts so far, edits dissolved, PPL and sleep time after each.");
        models.AddTo(command);
        foreach (var o in new Option[] { facts, cycles, perCycle, baseline, noSleep, corpus, wiki, steps, replay, json, curve }) command.Options.Add(o);
        command.SetAction(async (result, _) =>
        {
            string path = models.ResolveModel(result);
            var records = FactSet.Load(result.GetValue(facts)!);
            var lora = SleepOptions.DefaultLora(Models.ModelInfo.Read(path).LayerCount);
            if (result.GetValue(steps) is { } s) lora = lora with { Steps = s };
            await using var engine = await Engine.StartAsync(path, models.ModelOptions(result));
            var runs = (result.GetValue(noSleep) ? new[] { true } : result.GetValue(baseline) ? [false, true] : [false]);
            var reports = new List<CyclesReport>();
            foreach (bool wakeOnly in runs)
                reports.Add(await engine.Invoke((model, _) => CyclesEvaluation.Run(new CyclesEvalOptions
                {
                    ModelPath = path,
                    ModelOptions = model.Options,
                    Records = records,
                    Cycles = result.GetValue(cycles),
                    PerCycle = result.GetValue(perCycle),
                    Corpus = result.GetValue(corpus) is { } file ? Corpus.FromFile(file) : Corpus.SelfGenerated(),
                    CacheDirectory = Memory.MemoryService.DefaultCacheDirectory,
                    Sleep = new SleepOptions { Lora = lora, Replay = result.GetValue(replay) },
                    NoSleep = wakeOnly,
                    WikiText = result.GetValue(wiki),
                }, line => Console.Error.WriteLine(line))));
            if (result.GetValue(json) is { } output) await File.WriteAllTextAsync(output, System.Text.Json.JsonSerializer.Serialize(reports, Cli.Json));
            if (result.GetValue(curve) is { } svg)
                CurveChart.Write(svg, reports[0].Points, $"{reports[0].Model}: {reports[0].Cycles} cycles of {reports[0].PerCycle} facts, " +
                                                         (reports[0].Sleep ? "wake and sleep" : "wake only"));
            foreach (var report in reports)
            {
                Console.WriteLine($"{report.Model}: {report.Cycles} cycles of {report.PerCycle} facts, {(report.Sleep ? "with sleep" : "wake only")}; bare PPL {report.BasePerplexity:F2}");
                Console.WriteLine("cycle facts   raw  para  chat  local (KL)      namesake (KL)  scale0 edits  adapter B    PPL  sleep s trained");
                foreach (var p in report.Points)
                    Console.WriteLine($"{p.Cycle,5} {p.Facts,5} {p.Raw,5:F2} {p.Paraphrase,5:F2} {p.Chat,5:F2}  {p.Locality.Unchanged,4:F2} ({p.Locality.Divergence,6:F3})  " +
                                      $"{p.NamesakeLocality.Unchanged,4:F2} ({p.NamesakeLocality.Divergence,6:F3}) {p.AtScaleZero,7} {p.ActiveEdits,5} {p.ConsolidatedBytes,10:N0} " +
                                      $"{p.Perplexity,6:F2} {p.SleepSeconds,8:F0} {p.TrainedFacts,7}" + (p.Committed == false ? $"  rolled back: {p.Verdict}" : ""));
                if (report.Reopened is { } r)
                    Console.WriteLine($"after reopening the memory: raw {r.Raw:F2}, paraphrase {r.Paraphrase:F2}, chat {r.Chat:F2}" +
                                      (report.MedianSleepSeconds is { } m ? $"; median sleep {m:F0} s" : ""));
            }
            return 0;
        });
        return command;
    }
}
