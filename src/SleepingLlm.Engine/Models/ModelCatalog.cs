using System.Text.Json;

namespace SleepingLlm.Models;

/// <summary>The models that `pull` knows how to fetch: models/catalog.json, shipped beside the CLI.</summary>
public sealed class ModelCatalog
{
    /// <summary>Points at another catalog: a private mirror, or the tests' catalog on 127.0.0.1.</summary>
    public const string PathVariable = "SLEEPINGLLM_CATALOG";

    // Hand-edited files: forgive comments and trailing commas, and report everything else precisely.
    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    ModelCatalog(string source, CatalogEntry @default, IReadOnlyList<CatalogEntry> models)
    {
        Source = source;
        Default = @default;
        Models = models;
    }

    /// <summary>The file it was read from, for messages.</summary>
    public string Source { get; }
    public CatalogEntry Default { get; }
    public IReadOnlyList<CatalogEntry> Models { get; }

    /// <summary>$SLEEPINGLLM_CATALOG when set, else the catalog.json beside the application.</summary>
    public static string DefaultPath() =>
        Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path
            ? path
            : Path.Combine(AppContext.BaseDirectory, "catalog.json");

    /// <summary>Reads <paramref name="path"/>, or <see cref="DefaultPath"/> when null.</summary>
    public static ModelCatalog Load(string? path = null)
    {
        path ??= DefaultPath();
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SleepingLlmException($"cannot read the model catalog {path}: {e.Message}", e);
        }
        return Parse(json, path);
    }

    public static ModelCatalog Parse(string json, string source)
    {
        CatalogJson? file;
        try
        {
            file = JsonSerializer.Deserialize<CatalogJson>(json, Json);
        }
        catch (JsonException e)
        {
            throw Bad(source, e.Message);
        }
        if (file?.Models is not { Count: > 0 } models)
            throw Bad(source, "it lists no \"models\"");

        var entries = new List<CatalogEntry>();
        foreach (var (entry, index) in models.Select((m, i) => (m, i)))
        {
            string what = $"model #{index + 1}" + (entry?.Name is { Length: > 0 } n ? $" ({n})" : "");
            if (entry is null)
                throw Bad(source, $"{what} is null");
            if (Problem(entry) is { } problem)
                throw Bad(source, $"{what}: {problem}");
            if (entries.Any(e => Same(e.Name, entry.Name) || Same(e.File, entry.File)))
                throw Bad(source, $"{what}: its name or file appears twice");
            entries.Add(entry);
        }
        var @default = string.IsNullOrWhiteSpace(file.Default)
            ? entries[0]
            : entries.FirstOrDefault(e => Same(e.Name, file.Default))
              ?? throw Bad(source, $"the default \"{file.Default}\" is not one of its models");
        return new ModelCatalog(source, @default, entries);
    }

    /// <summary>Case-insensitive, by name first, then by file name.</summary>
    public CatalogEntry? Find(string nameOrFile) =>
        Models.FirstOrDefault(m => Same(m.Name, nameOrFile)) ?? Models.FirstOrDefault(m => Same(m.File, nameOrFile));

    /// <summary>Like <see cref="Find"/>, but an unknown name is an error that lists the known ones.</summary>
    public CatalogEntry Get(string nameOrFile) =>
        Find(nameOrFile) ?? throw new SleepingLlmException(
            $"unknown model \"{nameOrFile}\"; the catalog ({Source}) has: {string.Join(", ", Models.Select(m => m.Name))}");

    // The JSON reader fills missing strings with null whatever the annotations say, hence the null checks.
    static string? Problem(CatalogEntry e) =>
        string.IsNullOrWhiteSpace(e.Name) ? "\"name\" is missing"
        : string.IsNullOrWhiteSpace(e.File) ? "\"file\" is missing"
        // The file name is joined to a directory: a path here could write anywhere.
        : e.File != Path.GetFileName(e.File) || e.File.Contains('\\') || e.File is "." or ".." ? "\"file\" must be a plain file name"
        : !Uri.TryCreate(e.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") ? "\"url\" must be an http(s) URL"
        : e.Size <= 0 ? "\"size\" must be a positive number of bytes"
        : e.Sha256 is not { Length: 64 } || !e.Sha256.All(Uri.IsHexDigit) ? "\"sha256\" must be 64 hex digits"
        : null;

    static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    static SleepingLlmException Bad(string source, string problem) => new($"bad model catalog {source}: {problem}");

    sealed record CatalogJson(string? Default, List<CatalogEntry?>? Models);
}
