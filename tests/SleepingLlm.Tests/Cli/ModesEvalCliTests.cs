using System.Text.Json;

namespace SleepingLlm.Tests.Cli;

/// <summary><c>eval --modes</c> through the CLI process: a table, a JSON report, charts, and a run merged with an earlier one.</summary>
[Collection(ModelCompute.Name)]
public sealed class ModesEvalCliTests() : ScratchDirectory("sleepingllm-modes-cli-")
{
    static string FactsFile => Path.Combine(Path.GetDirectoryName(WikiText.Path)!, "facts-people.json");

    [Fact]
    public void A_later_run_is_reported_and_drawn_beside_an_earlier_one()
    {
        string first = Path.Combine(directory, "prompt.json"), second = Path.Combine(directory, "both.json");
        var run = CliProcess.Run("eval", "--model", TestModels.SmolLm2, "-t", "1", "--modes", "prompt", "--facts", FactsFile, "--n", "2", "--json", first);
        Assert.True(run.ExitCode == 0, run.Stderr);
        // Another count: the merged report holds a curve, so the charts are drawn.
        run = CliProcess.Run("eval", "--model", TestModels.SmolLm2, "-t", "1", "--modes", "rag", "--facts", FactsFile, "--n", "3",
            "--with-report", first, "--json", second);
        Assert.True(run.ExitCode == 0, run.Stderr);

        using var json = JsonDocument.Parse(File.ReadAllText(second));
        var points = json.RootElement.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal([("prompt", 2), ("rag", 3)], points.Select(p => (p.GetProperty("mode").GetString(), p.GetProperty("facts").GetInt32())));
        Assert.All(points, p => Assert.True(p.GetProperty("prompt_tokens_added").GetDouble() > 0));
        Assert.Contains(run.Stdout.Split('\n'), line => line.Contains("prompt") && line.TrimStart().StartsWith('2'));
        Assert.Equal(7, Directory.GetFiles(directory, "both-*.svg").Length);
    }

    [Fact]
    public void An_unknown_mode_fails_with_one_line()
    {
        var run = CliProcess.Run("eval", "--model", TestModels.SmolLm2, "-t", "1", "--modes", "weights,telepathy", "--facts", FactsFile, "--n", "2");
        Assert.NotEqual(0, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr.Trim());
        Assert.Contains("telepathy", run.Stderr);
    }
}
