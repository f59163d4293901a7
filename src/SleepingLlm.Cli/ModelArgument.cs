using SleepingLlm.Cli.Commands;
using SleepingLlm.Models;

namespace SleepingLlm.Cli;

/// <summary>Turns what the user typed (a path, a catalog name or nothing) into a model file path.</summary>
public static class ModelArgument
{
    /// <summary>Nothing typed means the catalog's default model.</summary>
    public static string Resolve(string? nameOrPath) =>
        ModelLocator.Resolve(nameOrPath ?? ModelCatalog.Load().Default.Name);

    /// <summary>
    /// As <see cref="Resolve"/>, but the default model is downloaded first when it is absent, so that
    /// `./build.sh run` on a fresh machine ends in a chat. A model the user named is never fetched unasked.
    /// </summary>
    public static async Task<string> ResolveOrPullDefault(string? nameOrPath, CancellationToken ct)
    {
        if (nameOrPath is not null) return ModelLocator.Resolve(nameOrPath);
        var catalog = ModelCatalog.Load();
        var paths = ModelPaths.FromEnvironment();
        if (paths.FindFile(catalog.Default.File) is { } found) return found;
        // Progress goes to stderr: stdout may be the chat's JSON.
        return (await PullCommand.PullWithProgress(catalog.Default, paths.UserDirectory, Console.Error, ct)).Path;
    }
}
