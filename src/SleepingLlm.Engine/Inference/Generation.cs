using System.Diagnostics;
using System.Text;

namespace SleepingLlm.Inference;

/// <summary>Why generation stopped.</summary>
public enum StopReason { EndOfGeneration, MaxTokens, ContextFull, Cancelled }

/// <summary>What one generation did, for the user and for benchmarks.</summary>
public sealed record GenerationResult(string Text, int PromptTokens, int GeneratedTokens, StopReason StopReason,
    TimeSpan PromptTime, TimeSpan GenerationTime);

/// <summary>Streams a continuation token by token. Engine thread only.</summary>
public static class Generation
{
    /// <summary>
    /// Decodes <paramref name="prompt"/> (reusing the cached prefix) and samples up to
    /// <paramref name="maxTokens"/> tokens, handing text to <paramref name="onText"/> as it is made.
    /// Text is only handed over in whole UTF-8 characters: a token may end inside one.
    /// </summary>
    public static GenerationResult Run(Context context, ReadOnlySpan<int> prompt, SamplerSettings settings,
        int maxTokens, Action<string>? onText = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        context.Prefill(prompt);
        var promptTime = clock.Elapsed;
        clock.Restart();

        using var sampler = new Sampler(settings);
        var decoder = Encoding.UTF8.GetDecoder();
        var text = new StringBuilder();
        var chars = new char[256];
        int generated = 0;
        var reason = StopReason.MaxTokens;
        while (generated < maxTokens)
        {
            if (cancel.IsCancellationRequested) { reason = StopReason.Cancelled; break; }
            int token = sampler.Sample(context);
            if (context.Model.IsEndOfGeneration(token)) { reason = StopReason.EndOfGeneration; break; }
            generated++;
            byte[] bytes = context.Model.TokenBytes(token);
            if (chars.Length < bytes.Length + 4) chars = new char[bytes.Length + 4];
            int n = decoder.GetChars(bytes, chars, flush: false);
            if (n > 0)
            {
                var piece = new string(chars, 0, n);
                text.Append(piece);
                onText?.Invoke(piece);
            }
            if (context.Tokens.Count >= context.Size) { reason = StopReason.ContextFull; break; }
            context.Decode([token]);
        }
        // Bytes of a character cut off by the stop come out as U+FFFD rather than vanishing.
        int tail = decoder.GetChars([], chars, flush: true);
        if (tail > 0)
        {
            var piece = new string(chars, 0, tail);
            text.Append(piece);
            onText?.Invoke(piece);
        }
        return new GenerationResult(text.ToString(), prompt.Length, generated, reason, promptTime, clock.Elapsed);
    }
}
