using System.Runtime.CompilerServices;

namespace SleepingLlm.Tests;

/// <summary>
/// The one fixture that keeps the suite out of the user's folders: before any test runs, HOME and the
/// XDG folders of this process (and so of every CLI, chat and tmux it starts) point into one scratch
/// folder, deleted when the run ends. A test that needs a folder of its own still sets one.
/// </summary>
public static class TestHome
{
    /// <summary>The real home, as the run found it (what the suite must leave untouched).</summary>
    public static string RealHome { get; private set; } = "";

    /// <summary>The scratch folder standing in for HOME.</summary>
    public static string Root { get; private set; } = "";

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "before any test touches a folder")]
    internal static void Install()
    {
        RealHome = Environment.GetEnvironmentVariable("HOME") ?? "";
        Root = Directory.CreateTempSubdirectory("sleepingllm-test-home-").FullName;
        Environment.SetEnvironmentVariable("HOME", Root);
        Environment.SetEnvironmentVariable("XDG_DATA_HOME", Path.Combine(Root, ".local", "share"));
        Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", Path.Combine(Root, ".config"));
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", Path.Combine(Root, ".cache"));
        // The CLI runs as `dotnet sleepingllm.dll`: keep the host's first-run files out of the real home too.
        Environment.SetEnvironmentVariable("DOTNET_CLI_HOME", Root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
    }
}
