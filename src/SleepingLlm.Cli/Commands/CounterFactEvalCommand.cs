using SleepingLlm.Eval;
using SleepingLlm.Wake;

namespace SleepingLlm.Cli.Commands;

/// <summary>
/// <c>eval --counterfact-edits FILE --n N</c>: CounterFact requests written one at a time and scored as the
/// editing papers do (see <see cref="CounterFactEvaluation"/>); a table on stdout, the report as JSON.
/// </summary>
public static class CounterFactEvalCommand
{
    /// <summary>What <c>eval</c> hands over when it is given <c>--counterfact-edits</c>.</summary>
    public sealed record Request(string ModelPath, Inference.ModelOptions ModelOptions, string File, int Count, WakeSettings Settings,
        Corpus Corpus, bool Curve, string? Json);

    public static async Task<int> Run(Request request)
    {
        var requests = CounterFactSet.Load(request.File);
        await using var engine = await Engine.StartAsync(request.ModelPath, request.ModelOptions);
        var report = await engine.Invoke((model, _) =>
        {
            string adapter = Path.Combine(Path.GetTempPath(), $"sleepingllm-counterfact-{Environment.ProcessId}.gguf");
            try
            {
                return CounterFactEvaluation.Run(new CounterFactEvalOptions
                {
                    ModelPath = request.ModelPath,
                    ModelOptions = model.Options,
                    Requests = requests,
                    Count = request.Count,
                    Settings = request.Settings,
                    Corpus = request.Corpus,
                    CacheDirectory = Memory.MemoryService.DefaultCacheDirectory,
                    AdapterPath = adapter,
                    Curve = request.Curve,
                }, line => Console.Error.WriteLine(line));
            }
            finally
            {
                System.IO.File.Delete(adapter);
            }
        });
        if (request.Json is { } json) await System.IO.File.WriteAllTextAsync(json, System.Text.Json.JsonSerializer.Serialize(report, Cli.Json));
        Console.WriteLine($"{report.Model}, {report.Edits} CounterFact edits written one at a time, layers {report.Layers[0]}-{report.Layers[^1]}, λ {report.Lambda}; s/edit median {report.SecondsPerEditMedian:F1}");
        Console.WriteLine("edits           ES    PS    NS   gen");
        foreach (var p in report.Curve ?? [new CounterFactPoint(report.Edits, report.Edited, report.Unedited, report.SecondsPerEditMedian)])
        {
            Console.WriteLine($"{p.Edits,5}  edited  {p.Edited.Efficacy,5:F2} {p.Edited.Paraphrase,5:F2} {p.Edited.Neighbourhood,5:F2} {p.Edited.Generation,5:F2}");
            Console.WriteLine($"{"",5}  before  {p.Unedited.Efficacy,5:F2} {p.Unedited.Paraphrase,5:F2} {p.Unedited.Neighbourhood,5:F2} {p.Unedited.Generation,5:F2}");
        }
        return 0;
    }
}
