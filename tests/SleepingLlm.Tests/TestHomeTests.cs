using SleepingLlm.Memory;
using SleepingLlm.Models;

namespace SleepingLlm.Tests;

/// <summary>The suite's folders are the fixture's, never the user's.</summary>
public sealed class TestHomeTests
{
    [Fact]
    public void Every_default_folder_of_the_app_is_inside_the_scratch_home()
    {
        Assert.NotEqual(TestHome.RealHome, TestHome.Root);
        foreach (string folder in new[] { MemoryStore.DefaultDirectory, MemoryService.DefaultCacheDirectory, ModelPaths.DefaultUserDirectory })
        {
            Assert.StartsWith(TestHome.Root + Path.DirectorySeparatorChar, folder);
        }
    }

    [Fact]
    public void A_started_CLI_inherits_the_scratch_home()
    {
        var result = Cli.CliProcess.Run("models", "--json");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(Path.Combine(TestHome.Root, ".local", "share", "sleepingllm", "models").Replace("\\", "\\\\"), result.Stdout);
    }
}
