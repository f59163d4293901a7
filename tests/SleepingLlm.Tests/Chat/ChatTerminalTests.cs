using System.Text.RegularExpressions;
using SleepingLlm.Tests.Cli;

namespace SleepingLlm.Tests.Chat;

/// <summary>The real app in a real terminal (tmux): what a user types and sees.</summary>
[Collection(ModelCompute.Name)]
public sealed class ChatTerminalTests : IDisposable
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    // Generous: the suite runs model-heavy tests beside this one on two cores.
    static readonly TimeSpan QuitPatience = TimeSpan.FromSeconds(30);
    readonly string temp = Directory.CreateTempSubdirectory("sleepingllm-chat-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    /// <summary>The chat in a 120×40 terminal; its exit code lands in a file once it has quit.</summary>
    TmuxSession Start(params string[] options)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "sleepingllm.dll");
        string[] chat = ["dotnet", dll, "chat", "--model", TestModels.SmolLm2, "--temp", "0", .. options];
        string exitFile = Path.Combine(temp, "exit-code");
        return new TmuxSession(120, 40, temp, ["sh", "-c", "\"$@\"; echo $? > " + exitFile, "sh", .. chat]);
    }

    int? ExitCode => File.Exists(Path.Combine(temp, "exit-code")) ? int.Parse(File.ReadAllText(Path.Combine(temp, "exit-code")).Trim()) : null;

    static readonly Regex Footer = new(@"\d+ tokens · [\d.]+ tok/s");

    static void AssertQuits(TmuxSession tmux, string after)
    {
        if (!tmux.WaitForExit(QuitPatience)) Assert.Fail($"still running after {after}:\n{tmux.Capture()}");
    }

    static bool Ready(string screen) => screen.Contains("ready on") && screen.Contains("F1 help");

    /// <summary>The transcript column of the wide layout: the left pane, without the side column.</summary>
    static string Transcript(string screen) => string.Join('\n', screen.Split('\n').Select(line => line.Length > 72 ? line[..72] : line));

    [Fact]
    public void Chat_streams_an_answer_sleeps_resizes_and_quits_cleanly()
    {
        using var tmux = Start("--user-facts", "relevant"); // no background key statistics: this is about streaming and layout (see docs/conversation-memory.md, Not done yet)
        tmux.WaitFor(Ready, "ready screen", Patience);

        tmux.Type("What is the capital of France?");
        tmux.Press("Enter");
        // The footer (tokens, speed) comes when the stream has ended.
        var answered = tmux.WaitFor(s => Transcript(s).Contains("Paris") && Footer.IsMatch(Transcript(s)), "answer with Paris", Patience);
        Assert.Contains("No memories yet", answered);

        tmux.Press("C-s");
        // A sleep with nothing in the weights has nothing to do, and says so.
        var asleep = tmux.WaitFor(s => s.Contains("sleep · done") && s.Contains("nothing to sleep on"), "sleep view", Patience);
        Assert.Contains("sleep: nothing to sleep on", Transcript(asleep));
        Assert.Contains("Paris", Transcript(asleep)); // the chat stays readable beside it

        // Narrower than 100 columns the side column gives way; the chat and the sleep view stay.
        tmux.Resize(80, 24);
        var narrow = tmux.WaitFor(s => s.Contains("Paris") && !s.Contains("memory ·") && s.Contains("sleep · done"), "narrow layout", Patience);
        Assert.All(narrow.TrimEnd('\n').Split('\n'), line => Assert.True(line.Length <= 80, line));

        tmux.Press("Escape");
        AssertQuits(tmux, "Escape");
        Assert.Equal(0, ExitCode);
    }

    [Fact]
    public void Ctrl_C_stops_a_reply_and_a_second_quits()
    {
        using var tmux = Start("--max-tokens", "2000", "--user-facts", "relevant");
        tmux.WaitFor(Ready, "ready screen", Patience);

        tmux.Type("Write a very long story about a dragon who learns to paint.");
        tmux.Press("Enter");
        tmux.WaitFor(s => s.Contains("generating"), "generation", Patience);
        tmux.Press("C-c");
        // The hint is shown at once and only for a few seconds; the reply may take longer to stop under load.
        tmux.WaitFor(s => s.Contains("Ctrl+C again quits"), "quit hint", Patience);
        tmux.WaitFor(s => s.Contains("stopped ·"), "stopped reply", Patience);

        // A press within two seconds of the first quits; if stopping took longer, that press opens a
        // new window and the next one quits. One press at a time: a key that arrives after the app
        // has given the terminal back would be a SIGINT to the shell that records the exit code.
        tmux.Press("C-c");
        if (!tmux.WaitForExit(TimeSpan.FromSeconds(1))) tmux.Press("C-c");
        AssertQuits(tmux, "Ctrl+C twice");
        Assert.Equal(0, ExitCode);
    }

    [Fact]
    public void What_the_user_tells_goes_into_the_weights_and_is_recalled_after_a_restart_with_nothing_in_the_context()
    {
        string memory = Path.Combine(temp, "memory");
        // The first write waits for the key statistics (computed in the background from the start): minutes on two busy cores.
        var firstWrite = TimeSpan.FromMinutes(8);
        using (var tmux = Start("--max-tokens", "12", "--memory", memory, "--corpus", WikiText.Path))
        {
            tmux.WaitFor(Ready, "ready screen", Patience);
            tmux.Type("My dog is called Sprocket.");
            tmux.Press("Enter");
            tmux.WaitFor(s => Transcript(s).Contains("remembered #1"), "the dog written", firstWrite);
            tmux.Type("I live in Bergen.");
            tmux.Press("Enter");
            tmux.WaitFor(s => Transcript(s).Contains("remembered #2"), "the home written", firstWrite);
            // At once, in the running chat, with the telling still in the conversation.
            tmux.Type("Where do I live?");
            tmux.Press("Enter");
            tmux.WaitFor(s => Footer.Matches(Transcript(s)).Count == 3, "the answer in the running chat", Patience);
            Assert.Contains("Bergen", Transcript(tmux.Capture()).Split("Where do I live?")[^1]);
            tmux.Press("Escape");
            AssertQuits(tmux, "Escape");
        }

        using (var tmux = Start("--max-tokens", "12", "--memory", memory, "--corpus", WikiText.Path))
        {
            // The norms chart shows the two edits (a bar per edited layer), read back from the store.
            var ready = tmux.WaitFor(s => Ready(s) && s.Contains("2 memories"), "ready with 2 memories", Patience);
            Assert.DoesNotContain("No edits yet", ready);
            Assert.Contains("L4", ready);
            tmux.Type("What is my dog's name?");
            tmux.Press("Enter");
            tmux.WaitFor(s => Footer.Matches(Transcript(s)).Count == 1, "the answer", Patience);
            tmux.Type("/status");
            tmux.Press("Enter");
            var status = tmux.WaitFor(s => Transcript(s).Contains("system   "), "/status", Patience);
            Assert.Contains("Sprocket", Transcript(status));
            // The answer came from the weights: the memory put nothing in the system prompt.
            Assert.Contains("system   nothing from the memory", Transcript(status));
            Assert.Contains("yours    weights", Transcript(status));
            tmux.Press("Escape");
            AssertQuits(tmux, "Escape");
        }
    }

    [Fact]
    public void Compact_pin_undo_and_forget_by_words_answer_in_the_transcript()
    {
        // The text mode: this is about the window and the memory commands, not the edit (see the test below).
        using var tmux = Start("--max-tokens", "16", "--memory", Path.Combine(temp, "memory"), "--user-facts", "relevant");
        tmux.WaitFor(Ready, "ready screen", Patience);
        foreach (string message in new[] { "Hello!", "My name is Ada." })
        {
            tmux.Type(message);
            tmux.Press("Enter");
            tmux.WaitFor(s => Footer.Matches(Transcript(s)).Count == (message == "Hello!" ? 1 : 2), "a reply", Patience);
        }

        tmux.WaitFor(s => Transcript(s).Contains("remembered #1"), "the fact extracted from \"My name is Ada.\"", Patience);

        foreach (var (command, answer) in new[]
        {
            ("/compact", "compacted: 2 turns summarised"),
            ("/pin 1", "pinned #1: sleep keeps its edit"),
            ("/undo", "undone: forgot #1 the user name Ada"), // "My name is Ada." was extracted and written
            ("/undo", "nothing to undo"),
            ("/unpin 1", "no active memory #1"),
            ("/forget Casimir badminton", "no memory matches"),
        })
        {
            tmux.Type(command);
            tmux.Press("Enter");
            tmux.WaitFor(s => Transcript(s).Contains(answer), command, Patience);
        }
        tmux.Type("/status");
        tmux.Press("Enter");
        tmux.WaitFor(s => Transcript(s).Contains("2 turns verbatim, summaries: 1"), "/status", Patience);

        tmux.Press("Escape");
        AssertQuits(tmux, "Escape");
        string transcript = Assert.Single(Directory.GetFiles(Path.Combine(temp, "memory"), "*.jsonl", SearchOption.AllDirectories));
        Assert.Equal(4, SleepingLlm.Conversation.TranscriptLog.Read(transcript).Turns.Count);
    }

    [Fact]
    public void Line_mode_is_forced_with_the_line_option()
    {
        using var tmux = Start("--line");
        tmux.WaitFor(s => s.Contains("ready. /reset starts over"), "line-mode prompt", Patience);
        tmux.Type("What is the capital of France?");
        tmux.Press("Enter");
        tmux.WaitFor(s => s.Contains("Paris"), "answer", Patience);
        tmux.Press("C-d");
        AssertQuits(tmux, "Ctrl+D");
        Assert.Equal(0, ExitCode);
    }

    [Fact]
    public void Chat_uses_line_mode_when_stdout_is_not_a_terminal()
    {
        var run = CliProcess.RunWithInput(null, "What is the capital of France?\n", "chat", "--model", TestModels.SmolLm2, "--temp", "0");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("Paris", run.Stdout);
        Assert.DoesNotContain('\u001b', run.Stdout);
    }
}
