using SleepingLlm.Conversation;
using SleepingLlm.Eval;

namespace SleepingLlm.Cli.Commands;

/// <summary>
/// Conversation memory in the line-mode chat: after each reply the turn's facts are extracted and
/// written; with --confirm each is asked about on stderr first ("y" writes it).
/// </summary>
sealed class LineLearner(Engine engine, bool confirm, bool quiet)
{
    /// <param name="ask">Whether --confirm applies (not to /remember, where the user asked already).</param>
    public async Task<IReadOnlyList<LearnedFact>> Learn(string text, bool ask)
    {
        if (!engine.HasMemory) return [];
        var learned = new List<LearnedFact>();
        foreach (var fact in await engine.ExtractAsync(text))
        {
            Memory.Remembered? done = null;
            if (!(ask && confirm) || await Approved(fact))
            {
                done = await engine.RememberAsync(fact);
                if (!quiet) Console.Error.WriteLine($"remembered #{done.Id} {fact}" + (done.Replaced is { } old ? $", an update of #{old}" : ""));
                if (done.Notice is { } notice) Console.Error.WriteLine($"note: {notice}");
            }
            learned.Add(LearnedFact.Of(fact, done));
        }
        if (ask) await engine.RecordUserTurnFactsAsync([.. learned.Select(l => new TurnFact(l.Subject, l.Relation, l.Object, l.Id))]);
        return learned;
    }

    static async Task<bool> Approved(ExtractedFact fact)
    {
        Console.Error.Write($"remember {fact}? [y/N] ");
        string? answer = await Console.In.ReadLineAsync();
        return answer?.Trim().ToLowerInvariant() is "y" or "yes";
    }
}
