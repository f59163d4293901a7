using System.CommandLine;
using System.Globalization;
using SleepingLlm.Sleep;

namespace SleepingLlm.Cli.Commands;

/// <summary><c>sleep</c>: audit, consolidate into LoRA, dissolve the MEMIT edits, gate; committed whole or rolled back.</summary>
public static class SleepCommand
{
    public static Command Create()
    {
        var models = new ModelOptionSet();
        var memory = new Option<string?>("--memory") { Description = "The memory folder (default: the user data folder)." };
        var steps = new Option<int?>("--steps") { Description = "Consolidation training steps at most (default 15)." };
        var rate = new Option<float?>("--lr") { Description = "Consolidation learning rate (default 6e-3; a rate far too high shows the gate rolling back)." };
        var anchorWeight = new Option<float?>("--anchor-weight") { Description = "Weight of the KL that holds other people's answers and everyday replies in place (default 8)." };
        var keyWeight = new Option<float?>("--key-weight") { Description = "Weight of the term that holds the adapter's change to ordinary text down, through the layers' key statistics (0: off)." };
        var rank = new Option<int?>("--rank") { Description = "Rank of the consolidated adapter (default 16)." };
        var budget = new Option<int>("--budget") { Description = "Facts that may keep a MEMIT edit after the sleep.", DefaultValueFactory = _ => 50 };
        var replay = new Option<int>("--replay") { Description = "Already consolidated facts trained again beside the new ones.", DefaultValueFactory = _ => new SleepOptions().Replay };
        var refresh = new Option<int>("--refresh") { Description = "At most this many facts the new adapter does not recall get their edits solved again on it (0: no refresh).", DefaultValueFactory = _ => new SleepOptions().RefreshLimit };
        var gate = new Option<double>("--gate-ppl") { Description = "Perplexity allowance over the bare model, e.g. 0.02 for +2%.", DefaultValueFactory = _ => 0.02 };
        var json = Cli.JsonOption();
        var command = new Command("sleep", "Consolidate the memories into a LoRA adapter and dissolve their MEMIT edits; commits only if recall and perplexity pass.");
        models.AddTo(command);
        foreach (var o in new Option[] { memory, steps, rate, anchorWeight, keyWeight, rank, budget, replay, refresh, gate, json }) command.Options.Add(o);
        command.SetAction(async (result, _) =>
        {
            await using var engine = await Engine.StartAsync(models.ResolveModel(result), models.ModelOptions(result), result.GetValue(memory) ?? "");
            if (engine.InterruptedSleep is { } at)
                Console.Error.WriteLine($"note: the sleep started {at:yyyy-MM-dd HH:mm:ss} UTC was interrupted; the memory is as it was before it");
            int depth = Models.ModelInfo.Read(engine.ModelPath).LayerCount;
            var lora = SleepOptions.DefaultLora(depth);
            if (result.GetValue(steps) is { } s) lora = lora with { Steps = s };
            if (result.GetValue(rate) is { } r) lora = lora with { LearningRate = r };
            if (result.GetValue(rank) is { } k) lora = lora with { Rank = k };
            if (result.GetValue(anchorWeight) is { } w) lora = lora with { AnchorWeight = w };
            if (result.GetValue(keyWeight) is { } kw) lora = lora with { KeyWeight = kw };
            var options = new SleepOptions { Lora = lora, EditBudget = result.GetValue(budget), Replay = result.GetValue(replay), RefreshLimit = result.GetValue(refresh), PerplexityGate = result.GetValue(gate) };
            var report = await engine.SleepAsync(options, new Progress<string>(line => Console.Error.WriteLine(line)));
            if (result.GetValue(json)) Cli.WriteJson(report);
            else Print(report);
            return report.Committed || report.Empty ? 0 : 3;
        });
        return command;
    }

    static void Print(SleepReport report)
    {
        var c = CultureInfo.InvariantCulture;
        if (report.Empty)
        {
            Console.WriteLine($"sleep: {report.Verdict}");
            return;
        }
        Console.WriteLine(report.Committed ? $"sleep committed: {report.Verdict}" : $"sleep rolled back, nothing changed: {report.Verdict}");
        static string Yn(FactAudit? a) => a is null ? "-/-" : $"{(a.Raw ? "y" : "n")}/{(a.Chat is { } ch ? ch ? "y" : "n" : "-")}";
        Console.WriteLine($"{"#",-5} {"memory",-44} {"before",6} {"alone",6} {"after",6} {"stage",6} {"scale",11}");
        foreach (var f in report.Facts)
            Console.WriteLine(string.Create(c, $"{f.Id,-5} {Clip($"{f.Subject} {f.Relation} {f.Object}", 44),-44} {Yn(f.Before),6} {Yn(f.Alone),6} {Yn(f.After),6} " +
                                              $"{f.StageBefore,2} → {f.Stage} {f.ScaleBefore,4:0.0#} → {f.Scale:0.0#}{(f.Refreshed ? " refreshed" : "")}"));
        if (report.TextOnlyFacts > 0) Console.WriteLine($"{report.TextOnlyFacts} text-only memories: served by the prompt, not audited here");
        Console.WriteLine(string.Create(c, $"perplexity: bare {report.BasePerplexity:F2}, before {report.PerplexityBefore:F2}, after {report.PerplexityAfter:F2}"));
        Console.WriteLine(string.Create(c, $"consolidated: {report.TrainedFacts} facts ({report.ReplayedFacts} replayed), {report.TrainingSteps} steps, answer NLL {report.TrainingNll:F3}, " +
                                           $"anchor KL {report.AnchorKl:F4}, {report.ConsolidatedBytes:N0} B"));
        Console.WriteLine($"edits: {report.ActiveEdits} keep a MEMIT edit, {report.Dissolved} dissolved" +
                          (report.SettledBack > 0 ? $"; {report.SettledBack} moved back to stage 0 (not carried at their new scales)" : "") +
                          (report.RefreshedFacts > 0 ? $"; {report.RefreshedFacts} solved again on the new adapter (refresh)" : ""));
        if (report.EditNorms.Count > 0)
            Console.WriteLine("MEMIT ‖ΔW‖ by layer: " + string.Join(", ", report.EditNorms.Select(n => string.Create(c, $"{n.Layer}: {n.Norm:F2}"))));
        if (report.ConsolidatedNorms.Count > 0)
            Console.WriteLine("consolidated ‖ΔW‖ by layer: " + string.Join(", ", report.ConsolidatedNorms.Select(n => string.Create(c, $"{n.Layer}: {n.Norm:F3}"))));
        var t = report.Times;
        Console.WriteLine(string.Create(c, $"time: audit {t.Audit.TotalSeconds:F1} s, consolidate {t.Consolidate.TotalSeconds:F1} s, dissolve {t.Dissolve.TotalSeconds:F1} s, " +
                                           $"gate {t.Gate.TotalSeconds:F1} s, refresh {t.Refresh.TotalSeconds:F1} s, total {t.Total.TotalSeconds:F1} s"));
    }

    static string Clip(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
