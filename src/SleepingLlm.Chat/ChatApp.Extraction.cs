using System.Globalization;
using SleepingLlm.Conversation;

namespace SleepingLlm.Chat;

/// <summary>
/// The chat's conversation memory: facts extracted from each user turn (after the reply) are written
/// at once, or with --confirm wait in a queue for /yes or /no; /remember TEXT runs the same extraction.
/// </summary>
public sealed partial class ChatApp
{
    readonly Queue<ExtractedFact> pending = new(); // facts waiting for approval, loop thread only

    /// <summary>Extracts the facts of a user turn, records them on the turn, and writes or queues them.</summary>
    async Task Learn(string text, TranscriptEntry turn)
    {
        var facts = await engine.ExtractAsync(text);
        Post(() => turn.Facts = facts);
        await engine.RecordUserTurnFactsAsync([.. facts.Select(f => new TurnFact(f.Subject, f.Relation, f.Object))]);
        if (facts.Count == 0) return;
        if (options.Confirm)
        {
            Post(() =>
            {
                foreach (var fact in facts) pending.Enqueue(fact);
                AskNext();
            });
            return;
        }
        foreach (var fact in facts) await Write(fact);
    }

    /// <summary>/remember TEXT: the text through the extractor, written without asking (the user asked).</summary>
    async Task RememberText(string text)
    {
        var facts = await engine.ExtractAsync(text);
        if (facts.Count == 0)
        {
            Post(() => Note("found no fact about you in that; /remember SUBJECT | RELATION | OBJECT writes one as given"));
            return;
        }
        foreach (var fact in facts) await Write(fact);
    }

    async Task Write(ExtractedFact fact)
    {
        if (!engine.MemoryReady)
            Post(() => Note(string.Create(CultureInfo.InvariantCulture,
                $"queued {fact}: the key statistics the first memory needs are {engine.Preparing * 100 ?? 0:0}% done; it is written when they are")));
        var done = await engine.RememberAsync(fact, new Progress<string>(line => Post(() => Hint(line))));
        Post(() => Note(string.Create(CultureInfo.InvariantCulture,
            $"remembered #{done.Id} {fact}{(done.Replaced is { } old ? $", an update of #{old}" : "")} ({done.Elapsed.TotalSeconds:0.0} s)")));
        if (done.Notice is { } notice) Post(() => Note(notice));
        await AfterWrite();
    }

    /// <summary>/yes and /no: writes or drops the first waiting fact (or all of them).</summary>
    void Approve(bool write, bool all)
    {
        if (pending.Count == 0)
        {
            Note(options.Confirm ? "no fact is waiting for approval" : "facts are written without asking (chat --confirm asks first)");
            return;
        }
        int count = all ? pending.Count : 1;
        for (int i = 0; i < count; i++)
        {
            var fact = pending.Dequeue();
            if (write) Start(Write(fact));
            else Note($"dropped {fact}");
        }
        AskNext();
    }

    void AskNext()
    {
        if (pending.TryPeek(out var next))
            Note($"remember {next}{(next.Correction ? " (a correction)" : "")}? /yes or /no" + (pending.Count > 1 ? $" ({pending.Count} waiting; /yes all)" : ""));
    }
}
