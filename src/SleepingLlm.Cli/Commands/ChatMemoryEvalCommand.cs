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
        string UserFacts, string? Json, string? CorpusFile, int? Count, double? ChatWeight = null);

    public static async Task<int> Run(Request request)
    {
        var records = ChatFactSet.Load(request.ChatFactsFile);
        if (request.Count is { } n) records = [.. records.Take(n)];
        string memory = request.Memory is { } m ? Path.GetFullPath(m) : Directory.CreateTempSubdirectory("sleepingllm-chat-eval-").FullName;
        try
        {
            var report = await ChatMemoryEvaluation.RunAsync(new ChatMemoryEvalOptions
            {
                ModelPath = request.ModelPath,
                ModelOptions = request.ModelOptions,
                Records = records,
                SmallTalk = ChatFactSet.SmallTalk(),
                // Chat locality measures what the edits do to other turns: only where there are edits.
                OrdinaryTurns = UserFactsModes.Parse(request.UserFacts).UsesWeights() ? ChatFactSet.OrdinaryTurns() : [],
                MemoryDirectory = memory,
                UserFacts = UserFactsModes.Parse(request.UserFacts),
                CorpusFile = request.CorpusFile,
                Wake = request.ChatWeight is { } w
                    ? Wake.WakeSettings.For(Models.ModelInfo.Read(request.ModelPath).LayerCount) with { ChatWeight = w } : null,
            }, line => Console.Error.WriteLine(line));
            if (request.Json is { } json) await File.WriteAllTextAsync(json, System.Text.Json.JsonSerializer.Serialize(report, Cli.Json));
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
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"chat locality over {l.Turns} ordinary turns: first token unchanged {l.FirstTokenUnchanged:F2}, next token unchanged (KL < {Locality.UnchangedBelow}) " +
                    $"{l.Unchanged:F2}, mean KL {l.MeanDivergence:F4} nats; replies naming a stored object: {l.VolunteeredBefore} before, {l.VolunteeredAfter} after"));
            return 0;
        }
        finally
        {
            if (request.Memory is null) Directory.Delete(memory, recursive: true);
        }
    }
}
