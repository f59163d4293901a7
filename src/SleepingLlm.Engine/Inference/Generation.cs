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
    /// Text is only handed over in whole characters (see <see cref="TokenText"/>).
    /// </summary>
    public static GenerationResult Run(Context context, ReadOnlySpan<int> prompt, SamplerSettings settings,
        int maxTokens, Action<string>? onText = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        context.Prefill(prompt);
        var promptTime = clock.Elapsed;
        clock.Restart();

        using var sampler = new Sampler(context.Model, settings);
        var pieces = new TokenText();
        var text = new StringBuilder();
        void Emit(string piece)
        {
            if (piece.Length == 0) return;
            text.Append(piece);
            onText?.Invoke(piece);
        }
        int generated = 0;
        var reason = StopReason.MaxTokens;
        while (generated < maxTokens)
        {
            if (cancel.IsCancellationRequested) { reason = StopReason.Cancelled; break; }
            int token = sampler.Sample(context);
            if (context.Model.IsEndOfGeneration(token)) { reason = StopReason.EndOfGeneration; break; }
            generated++;
            Emit(pieces.Push(context.Model.TokenBytes(token)));
            if (generated == maxTokens) break;
            if (context.Tokens.Count >= context.Size) { reason = StopReason.ContextFull; break; }
            context.Decode([token]);
        }
        Emit(pieces.Flush());
        return new GenerationResult(text.ToString(), prompt.Length, generated, reason, promptTime, clock.Elapsed);
    }
}
