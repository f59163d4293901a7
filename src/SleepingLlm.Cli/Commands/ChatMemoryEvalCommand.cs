using SleepingLlm.Conversation;
using SleepingLlm.Eval;

namespace SleepingLlm.Cli.Commands;

/// <summary>
/// <c>eval --chat-facts FILE</c>: conversation memory end to end (see <see cref="ChatMemoryEvaluation"/>):
/// per-message extraction, per-question recall after a restart, and the facts small talk yields.
/// </summary>
public static class ChatMemoryEvalCommand
{
    /// <summary>What <c>eval</c> hands over when it is given <c>--chat-facts</c>.</summary>
    public sealed record Request(string ModelPath, Inference.ModelOptions ModelOptions, string ChatFactsFile, string? Memory,
        string UserFacts, string? Json, string? CorpusFile, int? Count, Wake.WakeSettings? Wake = null, IReadOnlyList<string>? Compare = null,
        string? OrdinaryTurnsFile = null);

    public static async Task<int> Run(Request request)
    {
        var records = ChatFactSet.Load(request.ChatFactsFile);
        if (request.Count is { } n) records = [.. records.Take(n)];
        // Every mode is parsed before the first model loads: a mistyped --compare costs nothing.
        var primary = UserFactsModes.Parse(request.UserFacts);
        var others = (request.Compare ?? []).Select(UserFactsModes.Parse).Where(m => m != primary).Distinct().ToList();
        if (others.Count > 0 && request.Memory is not null)
            throw new SleepingLlmException("--compare writes a memory per mode: leave out --memory");
        var report = await Evaluate(request, records, primary, request.Memory);
        Print(report);
        if (others.Count > 0)
        {
            var comparisons = new List<ChatMemoryReport>();
            foreach (var mode in others)
            {
                Console.Error.WriteLine($"comparison: the same messages with --user-facts {mode.Name()}");
                var row = await Evaluate(request, records, mode, null);
                Print(row);
                comparisons.Add(row);
            }
            report = report with { Comparisons = comparisons };
            PrintSummary([report, .. comparisons]);
        }
        if (request.Json is { } json) await File.WriteAllTextAsync(json, System.Text.Json.JsonSerializer.Serialize(report, Cli.Json));
        return 0;
    }

    static async Task<ChatMemoryReport> Evaluate(Request request, IReadOnlyList<ChatFactRecord> records, UserFactsMode mode, string? keep)
    {
        string memory = keep is { } m ? Path.GetFullPath(m) : Directory.CreateTempSubdirectory("sleepingllm-chat-eval-").FullName;
        try
        {
            return await ChatMemoryEvaluation.RunAsync(new ChatMemoryEvalOptions
            {
                ModelPath = request.ModelPath,
                ModelOptions = request.ModelOptions,
                Records = records,
                SmallTalk = ChatFactSet.SmallTalk(),
                // Chat locality measures what the edits do to other turns: only where there are edits.
                OrdinaryTurns = !mode.UsesWeights() ? [] : request.OrdinaryTurnsFile is { } f ? ChatFactSet.OrdinaryTurns(f) : ChatFactSet.OrdinaryTurns(),
                MemoryDirectory = memory,
                UserFacts = mode,
                CorpusFile = request.CorpusFile,
                Wake = request.Wake,
            }, line => Console.Error.WriteLine(line));
        }
        finally
        {
            if (keep is null) Directory.Delete(memory, recursive: true);
        }
    }

    static void Print(ChatMemoryReport report)
    {
        Console.WriteLine($"{report.Model}, user facts as {report.UserFacts}, {report.Turns.Count} messages, {report.FactsStored} facts stored");
        Console.WriteLine("id   extracted");
        foreach (var turn in report.Turns)
            Console.WriteLine($"{turn.Id}  {(turn.Facts.Count == 0 ? "–" : string.Join("; ", turn.Facts.Select(f => $"{f.Relation} = {f.Object}" + (f.Replaced is { } r ? $" (replaces #{r})" : ""))))}");
        Console.WriteLine("id   recalled  question → answer");
        foreach (var q in report.Questions)
            Console.WriteLine($"{q.Id}  {(q.Recalled ? "yes" : "no "),-8}  {q.Question} → {q.Answer.ReplaceLineEndings(" ")}");
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"recall after restart {report.Recall:F2} ({report.Questions.Count(q => q.Recalled)}/{report.Questions.Count}), extraction {report.ExtractionRecall:F2}; " +
            $"small talk: {report.SmallTalk.Count} turns, {report.SmallTalkFacts} facts; median write {report.MedianWriteSeconds:F1} s a fact " +
            $"(first {report.Turns.SelectMany(t => t.Facts).Select(f => f.WriteSeconds).OfType<double>().FirstOrDefault():F1} s)"));
        if (report.ChatLocality is { } l)
        {
            string floor = l.Floor is { } f
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"; floor (adapters at {Locality.FloorScale}): first token {f.FirstTokenUnchanged:F2}, KL < {Locality.UnchangedBelow} {f.Unchanged:F2}, mean KL {f.Divergence:F4}")
                : "";
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"chat locality over {l.Turns} ordinary turns: first token unchanged {l.FirstTokenUnchanged:F2}, next token unchanged (KL < {Locality.UnchangedBelow}) " +
                $"{l.Unchanged:F2}, mean KL {l.MeanDivergence:F4} nats; replies naming a stored object: {l.VolunteeredBefore} before, {l.VolunteeredAfter} after") + floor);
        }
    }

    /// <summary>One row a mode, for the report's comparison (the acceptance's "same eval with --user-facts relevant").</summary>
    static void PrintSummary(IReadOnlyList<ChatMemoryReport> reports)
    {
        Console.WriteLine();
        Console.WriteLine("mode      recall  extraction  small talk  median write  chat locality (first token / KL mean)");
        foreach (var r in reports)
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{r.UserFacts,-9} {r.Recall,6:F2}  {r.ExtractionRecall,10:F2}  {r.SmallTalkFacts,10}  " +
                // A text mode's "write" is a row in the store, not an edit: no figure to set beside the weights'.
                $"{(UserFactsModes.Parse(r.UserFacts).UsesWeights() && r.MedianWriteSeconds is { } w ? $"{w:F1} s" : "–"),12}  " +
                $"{(r.ChatLocality is { } l ? $"{l.FirstTokenUnchanged:F2} / {l.MeanDivergence:F4}" : "– (nothing in the weights)")}"));
    }
}
