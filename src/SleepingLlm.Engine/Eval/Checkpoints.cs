namespace SleepingLlm.Eval;

/// <summary>When a curve run stops to measure: 10, 25, 50, then doubling from 100, and always at the end.</summary>
public static class Checkpoints
{
    public static IReadOnlyList<int> For(int count, bool curve)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var points = new List<int>();
        if (curve)
        {
            // Dense early, where recall first degrades; sparse later, where a measure costs as much as many writes.
            foreach (int p in new[] { 10, 25, 50 }) if (p < count) points.Add(p);
            for (int p = 100; p < count; p *= 2) points.Add(p);
        }
        points.Add(count);
        return points;
    }
}
