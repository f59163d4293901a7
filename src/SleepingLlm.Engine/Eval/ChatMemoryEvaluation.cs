using System.Diagnostics;
using SleepingLlm.Conversation;
using SleepingLlm.Inference;

namespace SleepingLlm.Eval;

/// <summary>What a conversation-memory evaluation replays and how.</summary>
public sealed record ChatMemoryEvalOptions
{
    public required string ModelPath { get; init; }
    public ModelOptions? ModelOptions { get; init; }
    public required IReadOnlyList<ChatFactRecord> Records { get; init; }
    public IReadOnlyList<string> SmallTalk { get; init; } = [];
    /// <summary>A fresh folder the memory is written to and reopened from.</summary>
    public required string MemoryDirectory { get; init; }
    public UserFactsMode UserFacts { get; init; } = UserFactsModes.Default;
    /// <summary>Text for the key statistics of the first MEMIT write (default: text the model writes itself).</summary>
    public string? CorpusFile { get; init; }
    /// <summary>Tokens of each replayed reply (greedy) and of each recall answer.</summary>
    public int ReplyTokens { get; init; } = 48;
    /// <summary>Ordinary user turns whose replies must not move (<see cref="ChatLocality"/>); empty: not measured.</summary>
    public IReadOnlyList<string> OrdinaryTurns { get; init; } = [];
    /// <summary>MEMIT's settings (null: the model's defaults).</summary>
    public Wake.WakeSettings? Wake { get; init; }
}

/// <summary>
/// Conversation memory end to end, as issue #5 measures it: every message is a user turn of one chat
/// (the model replies), the turn's facts are extracted and written into a fresh memory; then the engine
/// and memory are disposed and reopened from the store, and each recall question is asked in a new
/// chat session. A small-talk conversation is replayed the same way and must yield no fact.
/// </summary>
public static class ChatMemoryEvaluation
{
    public static async Task<ChatMemoryReport> RunAsync(ChatMemoryEvalOptions options, Action<string>? log = null)
    {
        if (Directory.Exists(options.MemoryDirectory) && Directory.EnumerateFileSystemEntries(options.MemoryDirectory).Any())
            throw new SleepingLlmException($"{options.MemoryDirectory} is not empty: the evaluation writes a fresh memory");
        var turns = new List<TurnResult>();
        ChatLocality.Snapshot? before = null;
        await using (var engine = await Start(options))
        {
            if (options.OrdinaryTurns.Count > 0)
            {
                log?.Invoke($"chat locality: {options.OrdinaryTurns.Count} ordinary turns on the model before any fact");
                before = await ChatLocality.Take(engine, options.OrdinaryTurns);
                await engine.ResetChatAsync();
            }
            foreach (var record in options.Records)
            {
                var turn = await Replay(engine, record.Id, record.Message, options.ReplyTokens, write: true);
                log?.Invoke($"{record.Id} {string.Join(" ", turn.Facts.Select(f => $"({f.Relation} | {f.Object}{(f.Replaced is { } r ? $", replaces #{r}" : "")})"))}");
                turns.Add(turn);
            }
        }

        log?.Invoke("restart: the memory is reopened from its store");
        var questions = new List<RecallResult>();
        int stored;
        var smallTalk = new List<TurnResult>();
        ChatLocalityScore? locality = null;
        await using (var engine = await Start(options))
        {
            stored = (await engine.FactsAsync()).Count;
            foreach (var record in options.Records)
            {
                var extracted = turns.Single(t => t.Id == record.Id).Facts;
                foreach (var recall in record.Recall)
                {
                    string answer = await engine.AskAsync(recall.Question, options.ReplyTokens);
                    var result = new RecallResult(record.Id, recall.Question, recall.Expected, answer, recall.IsAnsweredBy(answer),
                        extracted.Any(f => recall.IsAnsweredBy(f.Object)));
                    log?.Invoke($"{record.Id} {(result.Recalled ? "yes" : "no ")} {recall.Question} → {answer.ReplaceLineEndings(" ")}");
                    questions.Add(result);
                }
            }
            if (before is not null)
            {
                var objects = (await engine.FactsAsync()).Select(f => f.Object).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                locality = ChatLocality.Compare(options.OrdinaryTurns, before, await ChatLocality.Take(engine, options.OrdinaryTurns, floor: true), objects);
                log?.Invoke($"chat locality: first token unchanged {locality.FirstTokenUnchanged:F2} (floor {locality.Floor?.FirstTokenUnchanged:F2}), next token unchanged {locality.Unchanged:F2}, " +
                            $"mean KL {locality.MeanDivergence:F4}; replies naming a stored object {locality.VolunteeredBefore} before, {locality.VolunteeredAfter} after");
            }
            // Small talk in a conversation of its own; nothing is written, every extracted fact counts against it.
            await engine.ResetChatAsync();
            for (int i = 0; i < options.SmallTalk.Count; i++)
                smallTalk.Add(await Replay(engine, $"s{i:00}", options.SmallTalk[i], options.ReplyTokens, write: false));
        }
        int smallTalkFacts = smallTalk.Sum(t => t.Facts.Count);
        log?.Invoke($"small talk: {smallTalk.Count} turns, {smallTalkFacts} facts");
        return new ChatMemoryReport
        {
            Model = Path.GetFileName(options.ModelPath),
            UserFacts = options.UserFacts.Name(),
            Threads = options.ModelOptions?.Threads ?? 0,
            Turns = turns,
            Questions = questions,
            Recall = Share(questions, q => q.Recalled),
            ExtractionRecall = Share(questions, q => q.Extracted),
            FactsStored = stored,
            SmallTalk = smallTalk,
            SmallTalkFacts = smallTalkFacts,
            ChatLocality = locality,
            MedianWriteSeconds = Median([.. turns.SelectMany(t => t.Facts).Select(f => f.WriteSeconds).OfType<double>()]),
        };
    }

    static Task<Engine> Start(ChatMemoryEvalOptions options) =>
        Engine.StartAsync(options.ModelPath, options.ModelOptions, options.MemoryDirectory, options.CorpusFile, userFacts: options.UserFacts, wake: options.Wake);

    /// <summary>One user turn: the reply first (as in chat), then extraction, then (if asked) the writes.</summary>
    static async Task<TurnResult> Replay(Engine engine, string id, string message, int replyTokens, bool write)
    {
        var reply = await engine.ChatAsync(message, SamplerSettings.Greedy, replyTokens);
        var clock = Stopwatch.StartNew();
        var facts = await engine.ExtractAsync(message);
        double extractMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var written = new List<LearnedFact>();
        foreach (var fact in facts)
        {
            var done = write ? await engine.RememberAsync(fact) : null;
            written.Add(LearnedFact.Of(fact, done));
        }
        return new TurnResult(id, message, reply.Text.Trim(), written, extractMs, clock.Elapsed.TotalSeconds);
    }

    static double? Median(List<double> values)
    {
        if (values.Count == 0) return null;
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    static double Share<T>(IReadOnlyList<T> items, Func<T, bool> hit) => items.Count == 0 ? 0 : (double)items.Count(hit) / items.Count;
}
