using System.Text.Json;
using SleepingLlm.Models;
using SleepingLlm.Tests.Cli;

namespace SleepingLlm.Tests.Synth;

/// <summary><c>sleepingllm synth</c> through the CLI process.</summary>
public sealed class SynthCommandTests : IDisposable
{
    readonly string temp = Directory.CreateTempSubdirectory("sleepingllm-synth-cli-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    [Fact]
    public void Synth_writes_a_model_that_info_reads_and_reports_it_as_json()
    {
        var output = Path.Combine(temp, "custom.gguf");
        var run = CliProcess.Run("synth", "--layers", "3", "--embd", "96", "--ff", "160", "--heads", "6", "--kv-heads", "2",
            "--arch", "qwen2", "--type", "q8_0", "--donor", TestModels.Stories260K, "-o", output, "--seed", "5", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal(output, root.GetProperty("path").GetString());
        Assert.Equal("qwen2", root.GetProperty("architecture").GetString());
        Assert.Equal(512, root.GetProperty("vocab_size").GetInt32());
        Assert.Equal("q8_0", root.GetProperty("weight_type").GetString());
        Assert.Equal(2 + 1 + 3 * 12, root.GetProperty("tensors").GetInt32());
        Assert.Equal(new FileInfo(output).Length, root.GetProperty("file_size").GetInt64());

        var info = ModelInfo.Read(output);
        Assert.Equal((3, 96, 160, 6, 2, false), (info.LayerCount, info.EmbeddingLength, info.FeedForwardLength!.Value, info.HeadCount, info.KvHeadCount, info.TiedEmbeddings));
    }

    [Fact]
    public void Synth_with_a_preset_prints_progress_and_the_file_it_wrote()
    {
        var output = Path.Combine(temp, "tiny.gguf");
        var run = CliProcess.Run("synth", "--shape", "tiny", "--type", "F16", "--donor", TestModels.Stories260K, "-o", output, "--tied", "true");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("100%", run.Stdout);
        Assert.Contains($"wrote {output}", run.Stdout);
        var info = ModelInfo.Read(output);
        Assert.True(info.TiedEmbeddings);
        Assert.Equal(2, info.LayerCount);
    }

    [Theory]
    [InlineData("unknown weight type 'q9_0'", "--shape", "tiny", "--type", "q9_0")]
    [InlineData("importance matrix", "--shape", "tiny", "--type", "iq2_xxs")]
    [InlineData("unknown shape 'huge'", "--shape", "huge")]
    [InlineData("give --shape PRESET", "--layers", "2")]
    [InlineData("kv heads = 3 must divide heads = 4", "--shape", "tiny", "--kv-heads", "3")]
    public void Mistakes_are_one_line_errors_and_write_nothing(string message, params string[] args)
    {
        var output = Path.Combine(temp, "bad.gguf");
        var run = CliProcess.Run(["synth", .. args, "--donor", TestModels.Stories260K, "-o", output]);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message, run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.Empty(Directory.GetFileSystemEntries(temp));
    }
}
