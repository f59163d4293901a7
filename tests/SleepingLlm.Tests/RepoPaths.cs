namespace SleepingLlm.Tests;

/// <summary>Locations inside the repository checkout the tests run from.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SleepingLlm.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no SleepingLlm.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>Headers of the pinned llama.cpp release, put there by native/fetch.sh.</summary>
    public static string NativeInclude
    {
        get
        {
            string dir = Path.Combine(Root, "native", ".cache", "include");
            if (!File.Exists(Path.Combine(dir, "llama.h")))
                throw new InvalidOperationException($"{dir}/llama.h is missing: run ./build.sh (native/fetch.sh) first");
            return dir;
        }
    }
}
