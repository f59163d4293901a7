namespace SleepingLlm.Eval;

/// <summary>One ordinary user turn before and after the user's facts were written: its reply's first token and greedy reply.</summary>
public sealed record ChatLocalityTurn(string Turn, bool FirstTokenUnchanged, double Divergence, string ReplyBefore, string ReplyAfter,
    IReadOnlyList<string> Volunteered);

/// <summary>
/// Chat locality (issue #20 item 7): over ordinary user turns with no bearing on the user's facts, whether the
/// reply's first token and next-token distribution stayed what they were before any fact was written
/// (<see cref="Locality"/>, the one measure), and how many replies now name a stored object nobody asked about.
/// </summary>
/// <remarks>
/// <see cref="Floor"/> is the same measure with the memory's adapters shrunk to 10⁻⁶ (<see cref="Locality.FloorScale"/>):
/// its noise, from near-ties between the reply's first two tokens that llama.cpp's adapter path alone flips.
/// </remarks>
public sealed record ChatLocalityScore(int Turns, double FirstTokenUnchanged, double Unchanged, double MeanDivergence,
    int VolunteeredBefore, int VolunteeredAfter, IReadOnlyList<ChatLocalityTurn> Answers, LocalityScore? Floor = null);

public static class ChatLocality
{
    const int ReplyTokens = 32;

    /// <summary>What the turns get on the engine as it stands: each reply's first-token log-probabilities and its greedy reply.</summary>
    /// <param name="Floor">With the memory's adapters at <see cref="Locality.FloorScale"/>; null where not taken.</param>
    public sealed record Snapshot(IReadOnlyList<float[]> First, IReadOnlyList<string> Replies, IReadOnlyList<float[]>? Floor = null);

    /// <param name="floor">Also the first tokens with the adapters shrunk to nothing (after the writes: the measure's noise).</param>
    public static async Task<Snapshot> Take(Engine engine, IReadOnlyList<string> turns, bool floor = false)
    {
        var first = new List<float[]>();
        var replies = new List<string>();
        var floors = floor ? new List<float[]>() : null;
        foreach (string turn in turns)
        {
            first.Add(await engine.ReplyStartAsync(turn));
            floors?.Add(await engine.ReplyStartAsync(turn, Locality.FloorScale));
            replies.Add(await engine.AskAsync(turn, ReplyTokens));
        }
        return new Snapshot(first, replies, floors);
    }

    /// <param name="objects">The stored objects: a reply that names one (as a word) volunteers it.</param>
    public static ChatLocalityScore Compare(IReadOnlyList<string> turns, Snapshot before, Snapshot after, IReadOnlyList<string> objects)
    {
        var answers = Locality.Compare(turns, before.First, after.First);
        var rows = turns.Select((t, i) => new ChatLocalityTurn(t, answers[i].FirstTokenUnchanged, answers[i].Divergence,
            before.Replies[i], after.Replies[i], Named(after.Replies[i], objects))).ToList();
        var score = Locality.Score(answers);
        return new ChatLocalityScore(turns.Count, score.FirstTokenUnchanged, score.Unchanged, score.Divergence,
            before.Replies.Count(r => Named(r, objects).Count > 0), rows.Count(r => r.Volunteered.Count > 0), rows,
            after.Floor is { } floor ? Locality.Score(Locality.Compare(turns, before.First, floor)) : null);
    }

    /// <summary>The objects <paramref name="reply"/> names as whole words (case-blind); a turn that itself names one does not count it.</summary>
    static IReadOnlyList<string> Named(string reply, IReadOnlyList<string> objects) =>
        [.. objects.Where(o => System.Text.RegularExpressions.Regex.IsMatch(reply, $@"\b{System.Text.RegularExpressions.Regex.Escape(o)}\b",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase))];
}
