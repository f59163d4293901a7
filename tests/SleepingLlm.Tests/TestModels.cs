namespace SleepingLlm.Tests;

/// <summary>
/// Finds the real models that tests run against. A missing model fails the test instead of skipping
/// it, so a misconfigured machine cannot look green.
/// </summary>
public static class TestModels
{
    public const string EnvironmentVariable = "SLEEPINGLLM_MODELS";

    /// <summary>The small default chat model (Llama architecture, Q4_1, 98 MB).</summary>
    public static string SmolLm2 => Path("SmolLM2-135M-Instruct.Q4_1.gguf");

    /// <summary>A 1 MB F32 base model for fast tests.</summary>
    public static string Stories260K => Path("stories260K.gguf");

    /// <summary>
    /// The full path of a model file in <c>$SLEEPINGLLM_MODELS</c> (relative to the repository root), or, when that is unset, in the
    /// nearest <c>shared/models</c> folder above the test binaries.
    /// </summary>
    /// <exception cref="InvalidOperationException">the file is not there.</exception>
    public static string Path(string fileName)
    {
        // A relative value is relative to the repository root, where the README says to set it;
        // the test host's working directory is the bin folder.
        var directory = Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnv
            ? System.IO.Path.GetFullPath(fromEnv, RepoPaths.Root)
            : FindSharedModels();
        var path = directory is null ? null : System.IO.Path.Combine(directory, fileName);
        if (path is null || !File.Exists(path))
            throw new InvalidOperationException(
                $"real-model test needs {EnvironmentVariable}=../shared/models; {path ?? fileName} not found");
        return path;
    }

    private static string? FindSharedModels()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared", "models");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
