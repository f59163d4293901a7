using SleepingLlm.Inference;

namespace SleepingLlm.Eval;

/// <summary>What the probes of one fact gave; no chat answer where the model has no chat template or the fact no question.</summary>
public sealed record FactAnswers(FactRecord Fact, bool Raw, double Paraphrase, bool? Chat, string RawAnswer, string? ChatAnswer);

/// <summary>A locality prompt's greedy 8-token continuation on the bare model and with the memory.</summary>
public sealed record ContinuationAnswer(string Prompt, string Before, string After);

/// <summary>Recall of a set of facts: the share named by the raw prompt, the paraphrases and the chat question (of those asked).</summary>
public sealed record Recall(double Raw, double Paraphrase, double? Chat, IReadOnlyList<FactAnswers> Answers);

/// <summary>
/// Greedy probes of a context as it stands (with whatever adapter it has), as a user would meet the
/// model. Each probe starts from an empty cache so that no answer depends on the probe before it.
/// Engine thread only.
/// </summary>
public static class Probe
{
    const int CompletionTokens = 8, ReplyTokens = 32;

    public static string Complete(Context context, string prompt) => Completion(context, prompt, stopAt: null);

    public static string Ask(Context context, string question) => Reply(context, question, stopAt: null);

    public static bool Names(string text, string obj) => text.Contains(obj, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <c>Names(Complete(context, prompt), obj)</c>, stopping as soon as the object is named: greedy decoding
    /// makes the rest of the answer irrelevant to the verdict, and an audit asks every fact.
    /// </summary>
    public static bool Completes(Context context, string prompt, string obj) => Names(Completion(context, prompt, obj), obj);

    /// <summary><c>Names(Ask(context, question), obj)</c>, stopping as soon as the object is named (<see cref="Completes"/>).</summary>
    public static bool Answers(Context context, string question, string obj) => Names(Reply(context, question, obj), obj);

    /// <summary>The greedy completion from an empty cache; with <paramref name="stopAt"/>, cut once it names that.</summary>
    static string Completion(Context context, string prompt, string? stopAt)
    {
        context.Clear();
        using var watch = new NameWatch(stopAt);
        return Generation.Run(context, context.Model.Tokenize(prompt), SamplerSettings.Greedy, CompletionTokens, watch.Add, watch.Named).Text;
    }

    /// <summary>The greedy chat answer from an empty cache; with <paramref name="stopAt"/>, cut once it names that.</summary>
    static string Reply(Context context, string question, string? stopAt)
    {
        context.Clear();
        using var watch = new NameWatch(stopAt);
        return new ChatSession(context).Reply(question, SamplerSettings.Greedy, ReplyTokens, watch.Add, watch.Named).Text;
    }

    /// <summary>The text so far, and a token that is cancelled once it names the object (never, without one).</summary>
    sealed class NameWatch(string? obj) : IDisposable
    {
        readonly System.Text.StringBuilder text = new();
        readonly CancellationTokenSource named = new();

        public CancellationToken Named => named.Token;

        public void Add(string piece)
        {
            if (obj is null) return;
            text.Append(piece);
            if (!named.IsCancellationRequested && Names(text.ToString(), obj)) named.Cancel();
        }

        public void Dispose() => named.Dispose();
    }

    /// <summary>Raw, paraphrase and chat recall of <paramref name="facts"/>.</summary>
    public static Recall Facts(Context context, IReadOnlyList<FactRecord> facts)
    {
        var answers = facts.Select(f =>
        {
            string raw = Complete(context, f.Prompt);
            double para = f.Paraphrases is { Count: > 0 } ps
                ? ps.Count(p => Names(Complete(context, p), f.Object)) / (double)ps.Count : 0;
            string? reply = f.Question is not null && context.Model.ChatTemplate is not null ? Ask(context, f.Question) : null;
            return new FactAnswers(f, Names(raw, f.Object), para, reply is null ? null : Names(reply, f.Object), raw, reply);
        }).ToList();
        var asked = answers.Where(a => a.Chat is not null).ToList();
        return new Recall(answers.Count == 0 ? 0 : answers.Average(a => a.Raw ? 1.0 : 0), answers.Count == 0 ? 0 : answers.Average(a => a.Paraphrase),
            asked.Count == 0 ? null : asked.Average(a => a.Chat == true ? 1.0 : 0), answers);
    }

    /// <summary>Each prompt's greedy continuation now beside what it was on the bare model (<paramref name="before"/>, same order).</summary>
    public static IReadOnlyList<ContinuationAnswer> Continuations(Context context, IReadOnlyList<string> prompts, IReadOnlyList<string> before) =>
        [.. prompts.Select((p, i) => new ContinuationAnswer(p, before[i], Complete(context, p)))];

    /// <summary>
    /// Share of continuations that did not change; 1 when there are none. Strict: a near-tie many tokens in
    /// flips it even with the edit shrunk to nothing, so it is reported, not a target (<see cref="Eval.Locality"/> is).
    /// </summary>
    public static double Unchanged(IReadOnlyList<ContinuationAnswer> answers) =>
        answers.Count == 0 ? 1 : answers.Count(a => a.Before == a.After) / (double)answers.Count;
}
