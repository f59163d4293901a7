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
        bool Curve, string? Memory, int RagCount, string? Json, string? CorpusFile, IReadOnlyList<string> WithReports);

    public static async Task<int> Run(Request request)
    {
        var modes = MemoryModes.ParseList(request.Modes);
        if (modes.Count == 0) throw new SleepingLlmException("--modes names no memory mode (weights, prompt, rag, hybrid)");
        var earlier = request.WithReports.Select(Load).ToList();
        foreach (var (path, other) in request.WithReports.Zip(earlier))
            if (other.Model != Path.GetFileName(request.ModelPath))
                throw new SleepingLlmException($"{path} is a report on {other.Model}, not on {Path.GetFileName(request.ModelPath)}");
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
        report = earlier.Aggregate(report, Merge);

        if (request.Json is { } json) await File.WriteAllTextAsync(json, System.Text.Json.JsonSerializer.Serialize(report, Cli.Json));
        Console.WriteLine($"{report.Model}, {report.Facts} facts, rag k {report.RagCount}, {report.Threads} thread(s); " +
            $"locality over {report.LocalityQuestions} other subjects, timings over {report.TimedQuestions} questions from an empty cache");
        Console.WriteLine("facts  mode      chat  para   loc  +tokens  1st token ms  decode tok/s  disk bytes");
        foreach (var p in report.Points)
            Console.WriteLine(p.Problem is { } problem
                ? $"{p.Facts,5}  {p.Mode,-8}  not measured: {problem}"
                : $"{p.Facts,5}  {p.Mode,-8} {p.ChatRecall,5:F2} {p.ParaphraseRecall,5:F2} {p.Locality,5:F2} {p.PromptTokensAdded,8:F1} " +
                  $"{p.TimeToFirstTokenMs,13:F0} {p.DecodeTokensPerSecond,13:F1} {p.DiskBytes,11}");
        // Charts whenever there is a curve to draw: this run's checkpoints, or points merged from earlier runs.
        if (report.Points.Select(p => p.Facts).Distinct().Count() > 1)
        {
            string stem = request.Json is { } j ? Path.ChangeExtension(j, null) : $"modes-{report.Facts}";
            var charts = ModesChart.WriteAll(stem, report.Points, $"{Path.GetFileNameWithoutExtension(report.Model)}");
            Console.WriteLine($"curves drawn to {stem}-*.svg ({charts.Count} charts)");
        }
        return 0;
    }

    static ModesReport Load(string path)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<ModesReport>(File.ReadAllText(path), Cli.Json)
                   ?? throw new SleepingLlmException($"{path} is empty");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new SleepingLlmException($"{path} is not an eval --modes report: {e.Message}");
        }
    }

    /// <summary>
    /// This run's points beside those of an earlier run on the same facts file (e.g. prompt and rag measured while a
    /// memory for the weights was still being written); where both measured a mode at the same count, this run's stand.
    /// </summary>
    static ModesReport Merge(ModesReport report, ModesReport earlier)
    {
        var modes = earlier.Modes.Except(report.Modes).Concat(report.Modes).ToList();
        var measured = report.Points.Select(p => (p.Mode, p.Facts)).ToHashSet();
        return report with
        {
            Modes = modes,
            Points = [.. earlier.Points.Where(p => !measured.Contains((p.Mode, p.Facts))).Concat(report.Points)
                .OrderBy(p => p.Facts).ThenBy(p => modes.IndexOf(p.Mode))],
            Answers = [.. earlier.Answers.Where(a => !report.Modes.Contains(a.Mode) && earlier.Facts == report.Facts).Concat(report.Answers)],
            WeightsMemory = report.WeightsMemory ?? earlier.WeightsMemory,
        };
    }
}
