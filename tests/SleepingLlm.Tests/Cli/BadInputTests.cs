using System.Text.Json;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Cli;

/// <summary>Every mistake a user can make at the command line is one line on stderr and exit code 1, before any work is done.</summary>
public sealed class BadInputTests(ITestOutputHelper output) : ScratchDirectory("sleepingllm-badinput-")
{
    string OneErrorLine(CliProcess.Result run)
    {
        output.WriteLine(run.Stderr);
        Assert.Equal(1, run.ExitCode);
        string[] lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got:\n{run.Stderr}");
        Assert.StartsWith("error: ", lines[0]);
        return lines[0];
    }

    string[] Eval(params string[] args) =>
        ["eval", "--model", TestModels.Stories260K, "--facts", Path.Combine(Path.GetDirectoryName(WikiText.Path)!, "facts-people.json"), .. args];

    [Theory]
    [InlineData("4-x", "error: --layers 4-x: expected FIRST-LAST, e.g. 4-8, or one layer")]
    [InlineData("3-1", "error: --layers 3-1: the first layer must not be above the last (did you mean 1-3?)")]
    [InlineData("2-9", "error: --layers 2-9: the model has layers 0-4")]
    public void Eval_layers_that_are_not_a_range_of_the_model(string layers, string expected) =>
        Assert.Equal(expected, OneErrorLine(CliProcess.Run(Eval("--layers", layers))));

    [Theory]
    [InlineData("0", "error: --n must be at least 1 (got 0)")]
    [InlineData("-3", "error: --n must be at least 1 (got -3)")]
    [InlineData("x", "error: Cannot parse argument 'x' for option '--n' as expected type 'System.Int32'.")]
    public void Eval_n_below_one_or_not_a_number(string n, string expected) =>
        Assert.Equal(expected, OneErrorLine(CliProcess.Run(Eval("--n", n))));

    [Fact]
    public void Remember_file_with_a_record_missing_its_relation_is_refused_before_any_write()
    {
        string file = Path.Combine(directory, "facts.json");
        File.WriteAllText(file, JsonSerializer.Serialize(new
        {
            facts = new object[]
            {
                new { id = "a1", subject = "Lily Brown", relation = "pet", @object = "cat", prompt = "Lily Brown had a pet" },
                new { id = "a2", subject = "Tom Green", @object = "dog", prompt = "Tom Green had a pet" },
            },
        }));
        string memory = Path.Combine(directory, "memory");
        var run = CliProcess.Run(["remember", "--file", file, "--model", TestModels.Stories260K, "--memory", memory]);
        Assert.Equal($"error: {file}: fact 2 (a2) has no relation", OneErrorLine(run));
        Assert.False(Directory.Exists(memory)); // refused before the memory was even opened: the first fact was not written either
    }

    [Theory]
    [InlineData("pin")]
    [InlineData("unpin")]
    public void Pinning_a_memory_that_is_not_there_is_one_line(string command)
    {
        var run = CliProcess.Run([command, "7", "--model", TestModels.Stories260K, "--memory", Path.Combine(directory, "memory"), "--threads", "1"]);
        Assert.Equal("error: no active memory #7", OneErrorLine(run));
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void A_pinned_memory_once_forgotten_cannot_be_unpinned_and_says_so_in_one_line()
    {
        string[] common = ["--model", TestModels.Stories260K, "--memory", Path.Combine(directory, "memory"), "--threads", "1"];
        var remembered = CliProcess.Run(["remember", "--prompt", "Lily Brown had a pet", "--object", "cat", "--corpus", WikiText.Path, .. common]);
        Assert.True(remembered.ExitCode == 0, remembered.Stderr);
        var pinned = CliProcess.Run(["pin", "1", "--json", .. common]);
        Assert.True(pinned.ExitCode == 0, pinned.Stderr);
        Assert.True(JsonDocument.Parse(pinned.Stdout).RootElement.GetProperty("pinned").GetBoolean());
        Assert.Contains("pinned", CliProcess.Run(["facts", .. common]).Stdout);
        Assert.Equal(0, CliProcess.Run(["forget", "1", .. common]).ExitCode);
        Assert.Equal("error: no active memory #1", OneErrorLine(CliProcess.Run(["unpin", "1", .. common])));
    }

    [Fact]
    public void Forget_while_another_process_holds_the_memory_is_one_line()
    {
        string memory = Path.Combine(directory, "memory");
        string[] common = ["--model", TestModels.Stories260K, "--memory", memory, "--threads", "1"];
        var remembered = CliProcess.Run(["remember", "--prompt", "Lily Brown had a pet", "--object", "cat", "--corpus", WikiText.Path, .. common]);
        Assert.True(remembered.ExitCode == 0, remembered.Stderr);
        string database = Directory.GetFiles(memory, "memory.db", SearchOption.AllDirectories).Single();
        using var other = new SqliteConnection($"Data Source={database};Pooling=False");
        other.Open();
        using (var lockAll = other.CreateCommand())
        {
            lockAll.CommandText = "BEGIN EXCLUSIVE";
            lockAll.ExecuteNonQuery();
        }
        string line = OneErrorLine(CliProcess.Run(["forget", "1", .. common]));
        // The lock is met where the store opens, before anything is read or written.
        Assert.Matches(@"^error: memory database .*memory\.db is locked by another process \(SQLite Error 5: 'database is locked'\.\)$", line);
    }
}
