namespace SleepingLlm.Models;

/// <summary>Turns what the user typed for a model (a path, a catalog name, a file name) into an existing file.</summary>
public static class ModelLocator
{
    /// <summary>
    /// An existing file wins; then a catalog name (or a bare file name) is looked up in
    /// <see cref="ModelPaths.LookupOrder"/>. <paramref name="catalog"/> and <paramref name="paths"/>
    /// default to the installed catalog (when there is one) and the environment.
    /// </summary>
    public static string Resolve(string nameOrPath, ModelCatalog? catalog = null, ModelPaths? paths = null)
    {
        if (File.Exists(nameOrPath))
            return Path.GetFullPath(nameOrPath);
        if (nameOrPath.Contains('/') || nameOrPath.Contains(Path.DirectorySeparatorChar))
            throw new SleepingLlmException($"model file not found: {nameOrPath}");

        paths ??= ModelPaths.FromEnvironment();
        catalog ??= File.Exists(ModelCatalog.DefaultPath()) ? ModelCatalog.Load() : null;
        var entry = catalog?.Find(nameOrPath);
        bool isFileName = nameOrPath.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase);
        // `models` shows local files without their directory; let their names work without the extension too.
        string fileName = entry?.File ?? (isFileName ? nameOrPath : nameOrPath + ".gguf");
        if (paths.FindFile(fileName) is { } found)
            return found;

        string searched = string.Join(", ", paths.LookupOrder);
        if (entry is not null)
            throw new SleepingLlmException(
                $"model {entry.Name} is not downloaded (no {fileName} in {searched}); run `sleepingllm pull {entry.Name}`");
        if (isFileName)
            throw new SleepingLlmException($"model file not found: {nameOrPath} (nor in {searched})");
        throw new SleepingLlmException(
            $"unknown model {nameOrPath}: not a file, not in the catalog, and no {fileName} in {searched}; " +
            "`sleepingllm models` lists what is available");
    }
}
