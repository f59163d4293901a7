using System.Text.Json;

namespace SleepingLlm.Eval;

/// <summary>The eval's JSON data files (facts, chat facts, CounterFact): one error line for a missing, malformed or empty file.</summary>
static class DataFile
{
    /// <summary>The items <paramref name="select"/> takes from the file; an error names the file and what it should have held.</summary>
    public static IReadOnlyList<T> Read<TFile, T>(string path, Func<TFile, IEnumerable<T>?> select, string kind, string items)
    {
        try
        {
            var list = JsonSerializer.Deserialize<TFile>(File.ReadAllText(path)) is { } file ? select(file)?.ToList() : null;
            return list is { Count: > 0 } ? list : throw new SleepingLlmException($"{path} has no {items}");
        }
        catch (JsonException e)
        {
            throw new SleepingLlmException($"{path} is not a {kind} file: {e.Message}");
        }
    }
}
