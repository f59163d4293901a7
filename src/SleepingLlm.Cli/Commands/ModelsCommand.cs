using System.CommandLine;
using SleepingLlm.Models;
using Spectre.Console;

namespace SleepingLlm.Cli.Commands;

/// <summary>`models`: what the catalog offers, what is here already, and where.</summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var catalogOption = CatalogOption();
        var json = Cli.JsonOption();
        var command = new Command("models", "List the catalog's models and the model files found locally.");
        command.Options.Add(catalogOption);
        command.Options.Add(json);
        command.SetAction(parseResult =>
        {
            var catalog = ModelCatalog.Load(parseResult.GetValue(catalogOption));
            var paths = ModelPaths.FromEnvironment();
            var listing = new Listing(
                paths.LookupOrder,
                [.. catalog.Models.Select(m => new CatalogRow(
                    m.Name, m.File, m.Size, m == catalog.Default, paths.FindFile(m.File), m.Description, m.License))],
                [.. paths.LocalModelFiles().Select(f => new LocalRow(f, new FileInfo(f).Length, catalog.Find(Path.GetFileName(f))?.Name))]);
            if (parseResult.GetValue(json))
                Cli.WriteJson(listing);
            else
                Print(listing);
            return 0;
        });
        return command;
    }

    /// <summary>Shared with `pull`, which must read the same catalog.</summary>
    internal static Option<string?> CatalogOption() => new("--catalog")
    {
        Description = $"Model catalog JSON file (default: ${ModelCatalog.PathVariable}, else the catalog.json beside the app).",
    };

    internal static string FormatSize(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.0} KiB",
        _ => $"{bytes} B",
    };

    static void Print(Listing listing)
    {
        // Text cells, not markup strings: model names and paths may contain '[' and ']'.
        var catalog = new Table().AddColumns("model", "size", "local", "description");
        foreach (var row in listing.Catalog)
            catalog.AddRow(
                new Text(row.Default ? $"{row.Name} (default)" : row.Name),
                new Text(FormatSize(row.Size)),
                new Text(row.Path ?? "not downloaded"),
                new Text(row.Description ?? ""));
        AnsiConsole.Write(catalog);

        if (listing.Local.Count > 0)
        {
            var local = new Table().AddColumns("local file", "size", "catalog name");
            foreach (var row in listing.Local)
                local.AddRow(new Text(row.Path), new Text(FormatSize(row.Size)), new Text(row.Name ?? ""));
            AnsiConsole.Write(local);
        }
        Console.Out.WriteLine($"searched, in order: {string.Join(", ", listing.SearchDirectories)}");
        Console.Out.WriteLine("download one with `sleepingllm pull NAME`");
    }

    sealed record Listing(IReadOnlyList<string> SearchDirectories, IReadOnlyList<CatalogRow> Catalog, IReadOnlyList<LocalRow> Local);

    sealed record CatalogRow(string Name, string File, long Size, bool Default, string? Path, string? Description, string? License);

    /// <param name="Name">The catalog model this file is, if any.</param>
    sealed record LocalRow(string Path, long Size, string? Name);
}
