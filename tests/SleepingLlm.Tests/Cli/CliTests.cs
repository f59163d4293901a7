using System.Text.Json;

namespace SleepingLlm.Tests.Cli;

/// <summary>The acceptance checks of the foundation, through the CLI process.</summary>
[Collection(ModelCompute.Name)]
public sealed class CliTests : IDisposable
{
    readonly string temp = Directory.CreateTempSubdirectory("sleepingllm-cli-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    [Fact]
    public void Info_reports_the_shape_and_template_of_SmolLM2_as_json()
    {
        var run = CliProcess.Run("info", TestModels.SmolLm2, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal("llama", root.GetProperty("architecture").GetString());
        Assert.Equal(30, root.GetProperty("layers").GetInt32());
        Assert.Equal(576, root.GetProperty("n_embd").GetInt32());
        Assert.Equal(1536, root.GetProperty("n_ff").GetInt32());
        Assert.Contains("<|im_start|>", root.GetProperty("chat_template").GetString());
    }

    [Fact]
    public void Greedy_generate_prints_the_same_continuation_twice()
    {
        string[] args = ["generate", "--model", TestModels.SmolLm2, "-p", "The capital of France is", "-n", "12", "--temp", "0"];
        var first = CliProcess.Run(args);
        var second = CliProcess.Run(args);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.False(string.IsNullOrWhiteSpace(first.Stdout));
        Assert.Equal(first.Stdout, second.Stdout);
    }

    public static TheoryData<string> BadModelCommands => new() { "info", "generate" };

    [Theory]
    [MemberData(nameof(BadModelCommands))]
    public void A_truncated_model_fails_with_one_line(string command)
    {
        string path = Path.Combine(temp, "truncated.gguf");
        using (var source = File.OpenRead(TestModels.Stories260K))
        using (var target = File.Create(path))
        {
            var head = new byte[4096];
            source.ReadExactly(head);
            target.Write(head);
        }
        AssertOneLineError(Run(command, path), "truncated.gguf");
    }

    [Theory]
    [MemberData(nameof(BadModelCommands))]
    public void A_text_file_named_gguf_fails_with_one_line(string command)
    {
        string path = Path.Combine(temp, "notes.gguf");
        File.WriteAllText(path, "these are my notes, not a model\n");
        AssertOneLineError(Run(command, path), "not a GGUF file");
    }

    [Theory]
    [MemberData(nameof(BadModelCommands))]
    public void A_missing_model_fails_with_one_line(string command)
    {
        AssertOneLineError(Run(command, Path.Combine(temp, "nowhere.gguf")), "not found");
    }

    [Fact]
    public void A_missing_runtime_says_what_to_run()
    {
        var run = CliProcess.Run(new Dictionary<string, string> { ["SLEEPINGLLM_RUNTIME"] = Path.Combine(temp, "no-runtime") },
            "generate", "--model", TestModels.Stories260K, "-p", "Once", "-n", "2");
        AssertOneLineError(run, "./build.sh");
    }

    static CliProcess.Result Run(string command, string model) => command == "info"
        ? CliProcess.Run("info", model)
        : CliProcess.Run("generate", "--model", model, "-p", "hello", "-n", "4");

    static void AssertOneLineError(CliProcess.Result run, string expected)
    {
        Assert.NotEqual(0, run.ExitCode);
        string[] lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got:\n{run.Stderr}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", run.Stderr);
    }
}
