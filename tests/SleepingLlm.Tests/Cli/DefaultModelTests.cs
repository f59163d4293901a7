using System.Text.Json;
using SleepingLlm.Tests.Pull;

namespace SleepingLlm.Tests.Cli;

/// <summary>`./build.sh run` on a fresh machine: chat with no model pulls the catalog default, then chats.</summary>
public sealed class DefaultModelTests
{
    [Fact]
    public async Task Chat_without_a_model_pulls_the_default_and_answers()
    {
        using var temp = new TempDir();
        byte[] model = await File.ReadAllBytesAsync(TestModels.SmolLm2);
        await using var server = new TestServer(model);
        string catalog = temp["catalog.json"];
        await File.WriteAllTextAsync(catalog, JsonSerializer.Serialize(new
        {
            @default = "SmolLM2-135M-Instruct",
            models = new[]
            {
                new
                {
                    name = "SmolLM2-135M-Instruct",
                    file = "SmolLM2-135M-Instruct.Q4_1.gguf",
                    url = server.Url,
                    size = model.LongLength,
                    sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(model)),
                },
            },
        }));
        string home = temp["home"];
        var environment = new Dictionary<string, string>
        {
            ["SLEEPINGLLM_CATALOG"] = catalog,
            ["SLEEPINGLLM_MODELS"] = temp["empty"],
            ["HOME"] = home,
            ["XDG_DATA_HOME"] = Path.Combine(home, ".local", "share"),
        };

        var run = CliProcess.RunWithInput(environment, "What is the capital of France?\n", "chat", "--temp", "0", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.True(File.Exists(Path.Combine(home, ".local", "share", "sleepingllm", "models", "SmolLM2-135M-Instruct.Q4_1.gguf")));
        Assert.Contains("sha256 verified", run.Stderr);
        using var reply = JsonDocument.Parse(run.Stdout.Trim().Split('\n').Single());
        Assert.Contains("Paris", reply.RootElement.GetProperty("assistant").GetString());
    }
}
