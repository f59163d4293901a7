using SleepingLlm.Native;

namespace SleepingLlm.Tests.Native;

public sealed class PinnedRuntimeTests
{
    [Fact]
    public void The_pin_is_read_from_native_runtime_env()
    {
        string env = File.ReadAllText(Path.Combine(RepoPaths.Root, "native", "runtime.env"));
        var pin = PinnedRuntime.Current;
        Assert.Contains($"LLAMA_CPP_RELEASE={pin.Release}\n", env);
        Assert.Contains($"GGML_VERSION={pin.GgmlVersion}\n", env);
        Assert.Contains($"NODE_LLAMA_CPP_VERSION={pin.NodeLlamaCppVersion}\n", env);
    }

    [Theory]
    [InlineData("0.5.0", "0.25.1", true)]
    [InlineData("0.5.0-dev", "0.25.1", true)]
    [InlineData("0.4.2", "0.25.1", false)]
    [InlineData("0.5.0", "0.24.0", false)]
    [InlineData("0.5.1-dev", "0.25.1", false)]
    public void Only_the_pinned_release_is_accepted(string llama, string ggml, bool accepted)
    {
        var pin = new PinnedRuntime("v0.5.0", "0.5.0", "0.25.1", "3.22.1");
        Assert.Equal(accepted, pin.Accepts(llama, ggml));
    }
}
