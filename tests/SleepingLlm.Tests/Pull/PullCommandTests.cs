using System.Security.Cryptography;
using System.Text.Json;
using SleepingLlm.Cli;

namespace SleepingLlm.Tests.Pull;

public sealed class PullCommandTests : IAsyncDisposable
{
    readonly byte[] payload = RandomNumberGenerator.GetBytes(200_000);
    readonly TestServer server;
    readonly TempDir dir = new();

    public PullCommandTests() => server = new TestServer(payload);

    string WriteCatalog(string sha256)
    {
        var catalog = new
        {
            @default = "tiny",
            models = new[] { new { name = "tiny", file = "tiny.gguf", url = server.Url, size = payload.Length, sha256 } },
        };
        string path = dir["catalog.json"];
        File.WriteAllText(path, JsonSerializer.Serialize(catalog));
        return path;
    }

    [Fact]
    public void Pull_downloads_into_the_given_directory()
    {
        string catalog = WriteCatalog(Convert.ToHexStringLower(SHA256.HashData(payload)));
        string models = dir["models"];

        int exit = Program.Main(["pull", "tiny", "--catalog", catalog, "--dir", models, "--json"]);

        Assert.Equal(0, exit);
        Assert.Equal(payload, File.ReadAllBytes(Path.Combine(models, "tiny.gguf")));
        Assert.Equal(0, Program.Main(["models", "--catalog", catalog, "--json"]));
    }

    [Fact]
    public void A_failed_pull_exits_with_1_and_leaves_nothing()
    {
        string catalog = WriteCatalog(new string('0', 64));
        string models = dir["models"];

        Assert.Equal(1, Program.Main(["pull", "tiny", "--catalog", catalog, "--dir", models, "--json"]));
        Assert.Empty(Directory.GetFiles(models));
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        dir.Dispose();
    }
}
