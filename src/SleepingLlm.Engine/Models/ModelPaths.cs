namespace SleepingLlm.Models;

/// <summary>
/// Where model files are looked for: the directories of $SLEEPINGLLM_MODELS first (shared or
/// hand-placed models win), then the user's data directory, where `pull` puts them. Built from
/// explicit directories so that tests need not touch the process environment.
/// </summary>
public sealed class ModelPaths(IReadOnlyList<string> searchDirectories, string userDirectory)
{
    /// <summary>Extra model directories, separated like PATH (':' on Unix, ';' on Windows).</summary>
    public const string SearchVariable = "SLEEPINGLLM_MODELS";

    public IReadOnlyList<string> SearchDirectories { get; } = searchDirectories;
    public string UserDirectory { get; } = userDirectory;

    /// <summary>LocalApplicationData/sleepingllm/models (~/.local/share/sleepingllm/models on Linux).</summary>
    public static string DefaultUserDirectory => UserData.Sub("models");

    public static ModelPaths FromEnvironment() =>
        new(ParseList(Environment.GetEnvironmentVariable(SearchVariable)), DefaultUserDirectory);

    public static IReadOnlyList<string> ParseList(string? value) =>
        (value ?? "").Split(Path.PathSeparator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Every directory in lookup order, each once.</summary>
    public IReadOnlyList<string> LookupOrder =>
        [.. SearchDirectories.Append(UserDirectory).Select(Path.GetFullPath).Distinct()];

    /// <summary>The first <paramref name="fileName"/> in lookup order, or null.</summary>
    public string? FindFile(string fileName) =>
        LookupOrder.Select(dir => Path.Combine(dir, fileName)).FirstOrDefault(File.Exists);

    /// <summary>The .gguf files of every lookup directory (not recursive; unreadable directories are skipped).</summary>
    public IEnumerable<string> LocalModelFiles()
    {
        var options = new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive, IgnoreInaccessible = true };
        return LookupOrder
            .Where(Directory.Exists)
            .SelectMany(dir => Directory.EnumerateFiles(dir, "*.gguf", options).Order(StringComparer.Ordinal));
    }
}
