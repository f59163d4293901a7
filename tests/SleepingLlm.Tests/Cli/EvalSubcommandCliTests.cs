namespace SleepingLlm.Tests.Cli;

/// <summary><c>eval</c>'s subcommands beside the older spellings: each names what it is missing in one line.</summary>
public sealed class EvalSubcommandCliTests
{
    [Theory]
    [InlineData("counterfact", "CounterFact file")]
    [InlineData("chat-facts", "chat-facts file")]
    [InlineData("wake", "eval wake needs --facts")]
    [InlineData("modes", "eval modes needs --facts")]
    public void A_subcommand_without_its_data_fails_with_one_line(string subcommand, string message)
    {
        var run = CliProcess.Run("eval", subcommand, "--model", TestModels.SmolLm2, "-t", "1");
        Assert.NotEqual(0, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr.Trim());
        Assert.Contains(message, run.Stderr);
    }

    [Fact]
    public void The_old_spelling_without_facts_still_runs_the_wake_eval()
    {
        var run = CliProcess.Run("eval", "--model", TestModels.SmolLm2, "-t", "1");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("eval wake needs --facts", run.Stderr);
    }
}
