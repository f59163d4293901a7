using System.CommandLine;
using SleepingLlm.Models;
using Spectre.Console;

namespace SleepingLlm.Cli.Commands;

/// <summary>`pull NAME`: downloads a catalog model into the user's model directory (or --dir).</summary>
public static class PullCommand
{
    static readonly HttpClient Http = CreateHttpClient();

    public static Command Create()
    {
        var name = new Argument<string?>("name")
        {
            Description = "Catalog name (or file name) of the model; the catalog's default when left out.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var dir = new Option<string?>("--dir") { Description = "Directory to download into (default: the user's model directory)." };
        var catalogOption = ModelsCommand.CatalogOption();
        var json = Cli.JsonOption();
        var command = new Command("pull", "Download a model from the catalog; an interrupted download resumes where it stopped.");
        command.Arguments.Add(name);
        command.Options.Add(dir);
        command.Options.Add(catalogOption);
        command.Options.Add(json);
        command.SetAction(async (parseResult, ct) =>
        {
            var catalog = ModelCatalog.Load(parseResult.GetValue(catalogOption));
            var entry = parseResult.GetValue(name) is { } n ? catalog.Get(n) : catalog.Default;
            string destDir = parseResult.GetValue(dir) ?? ModelPaths.DefaultUserDirectory;
            if (parseResult.GetValue(json))
            {
                var result = await new ModelDownloader(Http).PullAsync(entry, destDir, null, ct);
                Cli.WriteJson(new { entry.Name, entry.File, result.Path, entry.Size, entry.Sha256, Status = Status(result) });
            }
            else
                await PullWithProgress(entry, destDir, Console.Out, ct);
            return 0;
        });
        return command;
    }

    /// <summary>A pull that shows its progress (a bar on a terminal, lines otherwise); `chat` uses it for the default model.</summary>
    public static async Task<PullResult> PullWithProgress(CatalogEntry entry, string destDir, TextWriter output, CancellationToken ct)
    {
        var downloader = new ModelDownloader(Http);
        output.WriteLine($"pulling {entry.Name} ({ModelsCommand.FormatSize(entry.Size)}) from {entry.Url}");
        var result = Console.IsOutputRedirected || Console.IsErrorRedirected
            ? await downloader.PullAsync(entry, destDir, LineProgress(output), ct)
            : await WithProgressBar(entry, bar => downloader.PullAsync(entry, destDir, bar, ct));
        output.WriteLine($"{entry.Name}: {Status(result)}, sha256 verified: {result.Path}");
        return result;
    }

    static string Status(PullResult result) =>
        result.AlreadyPresent ? "already present" : result.ResumedFrom > 0 ? "resumed and downloaded" : "downloaded";

    static Task<PullResult> WithProgressBar(CatalogEntry entry, Func<IProgress<PullProgress>, Task<PullResult>> pull) =>
        AnsiConsole.Progress()
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new DownloadedColumn(),
                new TransferSpeedColumn(),
                new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(entry.Name), maxValue: entry.Size);
                return await pull(new InlineProgress<PullProgress>(p =>
                {
                    task.Description = Markup.Escape(p.Phase == PullPhase.Checking ? $"checking {entry.Name}" : entry.Name);
                    task.Value = p.Done;
                }));
            });

    /// <summary>For logs and pipes: a line per tenth of each phase instead of a redrawn bar.</summary>
    static IProgress<PullProgress> LineProgress(TextWriter output)
    {
        var last = (Phase: PullPhase.Checking, Tenth: -1L);
        return new InlineProgress<PullProgress>(p =>
        {
            long tenth = p.Total > 0 ? p.Done * 10 / p.Total : 0;
            if ((p.Phase, tenth) == last)
                return;
            last = (p.Phase, tenth);
            string verb = p.Phase == PullPhase.Checking ? "checking" : "downloading";
            output.WriteLine($"{verb} {tenth * 10,3}%  {ModelsCommand.FormatSize(p.Done)} of {ModelsCommand.FormatSize(p.Total)}");
        });
    }

    static HttpClient CreateHttpClient()
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.UserAgent.ParseAdd("sleepingllm");
        return http;
    }
}
