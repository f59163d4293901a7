using SleepingLlm.Chat;
using SleepingLlm.Memory;

namespace SleepingLlm.Tests.Chat;

public sealed class SlashCommandTests
{
    [Theory]
    [InlineData("/sleep", "Sleep", "")]
    [InlineData("/nap", "Nap", "")]
    [InlineData("/facts", "Facts", "")]
    [InlineData("/remember Alice lives in Paris", "Remember", "Alice lives in Paris")]
    [InlineData("  /forget   Alice  ", "Forget", "Alice")]
    [InlineData("/remember Casimir | plays | chess", "Remember", "Casimir | plays | chess")]
    [InlineData("/yes", "Yes", "")]
    [InlineData("/y", "Yes", "")]
    [InlineData("/no all", "No", "all")]
    [InlineData("/n", "No", "")]
    [InlineData("/status", "Status", "")]
    [InlineData("/reset", "Reset", "")]
    [InlineData("/HELP", "Help", "")]
    [InlineData("/?", "Help", "")]
    [InlineData("/quit", "Quit", "")]
    [InlineData("/exit", "Quit", "")]
    [InlineData("/bye", "Quit", "")]
    [InlineData("/undo", "Undo", "")]
    [InlineData("/compact", "Compact", "")]
    [InlineData("/forget #12", "Forget", "#12")]
    [InlineData("/pin 12", "Pin", "12")]
    [InlineData("/unpin #3", "Unpin", "#3")]
    [InlineData("/dance now", "Unknown", "now")]
    public void Commands_parse_with_their_argument(string line, string kind, string argument)
    {
        Assert.True(SlashCommands.TryParse(line, out var command));
        Assert.Equal(kind, command.Kind.ToString());
        Assert.Equal(argument, command.Argument);
    }

    [Theory]
    [InlineData("What is the capital of France?")]
    [InlineData("/")]
    [InlineData("/ spaced")]
    [InlineData("//etc is a folder")]
    public void Other_lines_are_messages(string line)
    {
        Assert.False(SlashCommands.TryParse(line, out _));
    }

    [Fact]
    public void A_double_slash_sends_a_single_one()
    {
        Assert.Equal("/etc is a folder", SlashCommands.Message("//etc is a folder"));
        Assert.Equal("hello", SlashCommands.Message("hello"));
    }

    [Fact]
    public void Every_command_in_the_help_parses_to_a_known_command()
    {
        foreach (var help in SlashCommands.All)
        {
            Assert.True(SlashCommands.TryParse(help.Usage, out var command));
            Assert.NotEqual(SlashCommandKind.Unknown, command.Kind);
        }
    }
}

/// <summary>What /forget TEXT tells the user.</summary>
public sealed class ForgetNoteTests
{
    static StoredFact Fact(long id, string subject, string relation, string obj) =>
        new(id, subject, relation, obj, $"{subject} {relation}", null, [], DateTimeOffset.UtcNow, FactStatus.Active, 0, 1f, null, null, [], false);

    [Fact]
    public void Several_matches_are_listed_and_none_is_forgotten()
    {
        string note = ChatApp.ForgetNote("Casimir", new ForgetByText([Fact(1, "Casimir", "plays", "badminton"), Fact(2, "Casimir", "lives in", "Turin")], false));
        Assert.Equal(["\"Casimir\" matches 2 memories, so none was forgotten; pick one with /forget ID:",
            "#1 Casimir plays badminton", "#2 Casimir lives in Turin"], note.Split('\n'));
    }

    [Fact]
    public void One_match_is_named_when_forgotten_and_none_says_so()
    {
        Assert.Equal("forgot #2 Casimir lives in Turin: its edit is gone from the weights",
            ChatApp.ForgetNote("Turin", new ForgetByText([Fact(2, "Casimir", "lives in", "Turin")], true)));
        Assert.StartsWith("no memory matches \"Rome\"", ChatApp.ForgetNote("Rome", new ForgetByText([], false)));
    }
}
