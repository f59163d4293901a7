using System.Diagnostics;
using SleepingLlm.Inference;
using SleepingLlm.Memory;

namespace SleepingLlm.Eval;

/// <summary>A greedy chat reply with the memory in one mode, and how long it took.</summary>
public sealed record ModeReply(string Text, int PromptTokens, double? TimeToFirstTokenMs, double? DecodeTokensPerSecond);

/// <summary>
/// Asks a context one question in a fresh conversation, with the system prompt the memory mode gives
/// for that message (none in weights mode). The cache is kept between questions, so a system prompt
/// that stays the same (prompt mode) is decoded once, as in a chat; <see cref="Timed"/> starts from an
/// empty cache instead, as the first message of a chat does. Engine thread only.
/// </summary>
public sealed class ModeProbe(Context context, MemoryStore? store, MemoryMode mode, int ragCount)
{
    public const int ReplyTokens = 32;

    /// <summary>The reply, stopped as soon as it contains <paramref name="stopAt"/>: later tokens cannot change whether it does.</summary>
    public ModeReply Ask(string message, string? stopAt = null)
    {
        using var stop = new CancellationTokenSource();
        var text = new System.Text.StringBuilder();
        var result = Session(message).Reply(message, SamplerSettings.Greedy, ReplyTokens, piece =>
        {
            text.Append(piece);
            if (stopAt is not null && Probe.Names(text.ToString(), stopAt)) stop.Cancel();
        }, stop.Token);
        return new ModeReply(result.Text, result.PromptTokens, null, null);
    }

    /// <summary>A full reply from an empty cache, timed from the message (retrieval included) to the first text and on to the end.</summary>
    public ModeReply Timed(string message)
    {
        context.Clear();
        var clock = Stopwatch.StartNew();
        TimeSpan? first = null;
        var result = Session(message).Reply(message, SamplerSettings.Greedy, ReplyTokens, _ => first ??= clock.Elapsed);
        var end = clock.Elapsed;
        double? decode = first is { } f && result.GeneratedTokens > 1 && end > f ? (result.GeneratedTokens - 1) / (end - f).TotalSeconds : null;
        return new ModeReply(result.Text, result.PromptTokens, first?.TotalMilliseconds, decode);
    }

    /// <summary>Forgets the cache, so that what follows decodes as it would after any other start.</summary>
    public void Clear() => context.Clear();

    ChatSession Session(string message) =>
        new(context, store is null ? null : MemoryPrompt.For(store, mode, message, ragCount));
}
