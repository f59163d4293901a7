namespace SleepingLlm.Tests;

/// <summary>WikiText-2 (test split) from ../shared/data, for real-text checks.</summary>
public static class WikiText
{
    public static string Path { get; } = System.IO.Path.Combine(
        System.IO.Path.GetDirectoryName(TestModels.SmolLm2)!, "..", "data", "wikitext-2-test.raw");

    /// <summary>A fixed slice of article text (skips the leading title lines).</summary>
    public static string Chunk(int characters)
    {
        string text = File.ReadAllText(Path);
        int start = text.IndexOf(" = Robert Boulter = ", StringComparison.Ordinal) is var s and >= 0 ? s : 0;
        return text.Substring(start, Math.Min(characters, text.Length - start));
    }
}
