using System.Globalization;

namespace SleepingLlm.Wake;

/// <summary>Edit layers as a user writes them: "4-8" (consecutive, ascending) or one layer "6".</summary>
public static class LayerRange
{
    /// <exception cref="SleepingLlmException">not one or two whole numbers, descending, or outside the model's 0..depth-1.</exception>
    public static IReadOnlyList<int> Parse(string spec, int depth)
    {
        string[] parts = spec.Split('-', 2, StringSplitOptions.TrimEntries);
        var numbers = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
                throw new SleepingLlmException($"--layers {spec}: expected FIRST-LAST, e.g. 4-8, or one layer");
        int first = numbers[0], last = numbers[^1];
        if (last < first) throw new SleepingLlmException($"--layers {spec}: the first layer must not be above the last (did you mean {last}-{first}?)");
        if (last >= depth) throw new SleepingLlmException($"--layers {spec}: the model has layers 0-{depth - 1}");
        return [.. Enumerable.Range(first, last - first + 1)];
    }
}
