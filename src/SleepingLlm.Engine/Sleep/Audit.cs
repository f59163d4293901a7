using SleepingLlm.Eval;
using SleepingLlm.Inference;
using SleepingLlm.Memory;

namespace SleepingLlm.Sleep;

/// <summary>One fact asked on the model as it runs: the raw prompt's greedy completion and the chat question's greedy answer.</summary>
/// <param name="Chat">null: the fact has no question, or the model no chat template.</param>
public sealed record FactAudit(long Id, bool Raw, bool? Chat)
{
    public bool Recalled => Raw || Chat == true;
}

/// <summary>
/// The recall check of a memory, the one nap, sleep and its gate share: each fact asked the way a user
/// meets it (<see cref="Probe.Complete"/>, <see cref="Probe.Ask"/>), on whatever adapters the context has.
/// </summary>
public static class Audit
{
    public static FactAudit Fact(Context context, StoredFact fact)
    {
        bool? chat = fact.Question is null || context.Model.ChatTemplate is null ? null : Probe.Answers(context, fact.Question, fact.Object);
        // The user's own facts live in chat only: their first-person question is their one probe, on both counts.
        if (fact.IsAsked && chat is { } asked) return new FactAudit(fact.Id, asked, asked);
        bool raw = Probe.Completes(context, fact.Prompt, fact.Object);
        return new FactAudit(fact.Id, raw, chat);
    }

    /// <summary>Every fact, reporting each as "{step}: 3/20 Subject relation object: raw yes, chat no".</summary>
    public static IReadOnlyList<FactAudit> All(Context context, IReadOnlyList<StoredFact> facts, string step, IProgress<string>? progress,
        CancellationToken cancel = default)
    {
        var result = new List<FactAudit>(facts.Count);
        var eta = new Eta(facts.Count);
        foreach (var fact in facts)
        {
            cancel.ThrowIfCancellationRequested();
            var audit = Fact(context, fact);
            result.Add(audit);
            progress?.Report($"{step}: {result.Count}/{facts.Count} {fact.Subject} {fact.Relation} {fact.Object}: raw {YesNo(audit.Raw)}, " +
                             $"chat {(audit.Chat is { } c ? YesNo(c) : "-")}{eta.Next()}");
        }
        return result;
    }

    static string YesNo(bool value) => value ? "yes" : "no";

    /// <summary>(raw recalled, chat recalled, chat asked) over the audits.</summary>
    public static (int Raw, int Chat, int Asked) Count(IEnumerable<FactAudit> audits)
    {
        var list = audits.ToList();
        return (list.Count(a => a.Raw), list.Count(a => a.Chat == true), list.Count(a => a.Chat is not null));
    }
}

/// <summary>", ETA 12 s" after each of a known number of equal steps.</summary>
sealed class Eta(int total)
{
    readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
    int done;

    public string Next()
    {
        done++;
        if (done >= total) return $" ({clock.Elapsed.TotalSeconds:0} s)";
        double left = clock.Elapsed.TotalSeconds / done * (total - done);
        return $", ETA {left:0} s";
    }

    /// <summary>The same for work measured as a done fraction (0..1) rather than counted steps.</summary>
    public string At(double fraction)
    {
        if (fraction >= 1) return $" ({clock.Elapsed.TotalSeconds:0} s)";
        if (fraction <= 0) return "";
        return $", ETA {clock.Elapsed.TotalSeconds / fraction * (1 - fraction):0} s";
    }
}
