using SleepingLlm.Eval;
using SleepingLlm.Memory;
using SleepingLlm.Wake;

namespace SleepingLlm.Cli.Commands;

/// <summary>
/// <c>eval --modes weights,prompt,rag,hybrid</c>: the memory modes side by side on the same facts (see
/// <see cref="ModesEvaluation"/>); a table on stdout, the report as JSON, and with <c>--curve</c> a chart per measure.
/// </summary>
public static class ModesEvalCommand
{
    /// <summary>What <c>eval</c> hands over when it is given <c>--modes</c>.</summary>
    public sealed record Request(string ModelPath, Inference.ModelOptions ModelOptions, string Modes, string FactsFile, int Count,
        bool Curve, string? Memory, int RagCount, string? Json, string? CorpusFile);

    public static async Task<int> Run(Request request)
    {
        var modes = MemoryModes.ParseList(request.Modes);
        if (modes.Count == 0) throw new SleepingLlmException("--modes names no memory mode (weights, prompt, rag, hybrid)");
        await using var engine = await Engine.StartAsync(request.ModelPath, request.ModelOptions);
        var report = await engine.Invoke((model, _) => ModesEvaluation.Run(new ModesEvalOptions
        {
            ModelPath = request.ModelPath,
            ModelOptions = model.Options,
            Records = FactSet.Load(request.FactsFile),
            Count = request.Count,
            Modes = modes,
            RagCount = request.RagCount,
            Curve = request.Curve,
            Memory = request.Memory is { } m ? Path.GetFullPath(m) : null,
            Corpus = request.CorpusFile is { } file ? () => Corpus.FromFile(file) : null,
        }, line => Console.Error.WriteLine(line)));

        if (request.Json is { } json) await File.WriteAllTextAsync(json, System.Text.Json.JsonSerializer.Serialize(report, Cli.Json));
        Console.WriteLine($"{report.Model}, {report.Facts} facts, rag k {report.RagCount}, {report.Threads} thread(s); " +
            $"locality over {report.LocalityQuestions} other subjects, timings over {report.TimedQuestions} questions from an empty cache");
        Console.WriteLine("facts  mode      chat  para   loc  +tokens  1st token ms  decode tok/s  disk bytes");
        foreach (var p in report.Points)
            Console.WriteLine(p.Problem is { } problem
                ? $"{p.Facts,5}  {p.Mode,-8}  not measured: {problem}"
                : $"{p.Facts,5}  {p.Mode,-8} {p.ChatRecall,5:F2} {p.ParaphraseRecall,5:F2} {p.Locality,5:F2} {p.PromptTokensAdded,8:F1} " +
                  $"{p.TimeToFirstTokenMs,13:F0} {p.DecodeTokensPerSecond,13:F1} {p.DiskBytes,11}");
        if (request.Curve)
        {
            string stem = request.Json is { } j ? Path.ChangeExtension(j, null) : $"modes-{report.Facts}";
            var charts = ModesChart.WriteAll(stem, report.Points, $"{Path.GetFileNameWithoutExtension(report.Model)}");
            Console.WriteLine($"curves drawn to {stem}-*.svg ({charts.Count} charts)");
        }
        return 0;
    }
}
