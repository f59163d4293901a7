namespace SleepingLlm.Chat;

enum SlashCommandKind { Sleep, Nap, Facts, Remember, Forget, Pin, Unpin, Undo, Compact, Yes, No, Status, Reset, Help, Quit, Unknown }

/// <summary>A parsed <c>/command argument</c> line.</summary>
sealed record SlashCommand(SlashCommandKind Kind, string Name, string Argument);

/// <summary>A command as /help lists it.</summary>
sealed record SlashCommandHelp(string Usage, string Description);

/// <summary>The slash commands of the chat and their parser.</summary>
static class SlashCommands
{
    public static IReadOnlyList<SlashCommandHelp> All { get; } =
    [
        new("/sleep", "sleep: consolidate the memories into the adapter (also by itself under pressure)"),
        new("/nap", "audit recall of every memory"),
        new("/facts", "list the memories"),
        new("/remember TEXT", "remember what TEXT says about you (e.g. /remember I live in Oslo)"),
        new("/remember S | R | O", "write a fact into the weights (MEMIT)"),
        new("/forget ID|TEXT", "remove a memory by its id or its words"),
        new("/pin ID", "keep a memory's edit through every sleep (never pruned)"),
        new("/unpin ID", "let sleep prune it again"),
        new("/undo", "forget this session's last memory"),
        new("/compact", "summarise the older turns now"),
        new("/yes [all]", "with --confirm: write the fact waiting for approval (or all of them)"),
        new("/no [all]", "with --confirm: drop it (or all of them)"),
        new("/status", "model, backend, context and memory"),
        new("/reset", "start the conversation over"),
        new("/help", "this list"),
        new("/quit", "leave (also /exit, /bye)"),
    ];

    static readonly Dictionary<string, SlashCommandKind> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sleep"] = SlashCommandKind.Sleep,
        ["nap"] = SlashCommandKind.Nap,
        ["facts"] = SlashCommandKind.Facts,
        ["remember"] = SlashCommandKind.Remember,
        ["forget"] = SlashCommandKind.Forget,
        ["pin"] = SlashCommandKind.Pin,
        ["unpin"] = SlashCommandKind.Unpin,
        ["undo"] = SlashCommandKind.Undo,
        ["compact"] = SlashCommandKind.Compact,
        ["yes"] = SlashCommandKind.Yes,
        ["y"] = SlashCommandKind.Yes,
        ["no"] = SlashCommandKind.No,
        ["n"] = SlashCommandKind.No,
        ["status"] = SlashCommandKind.Status,
        ["reset"] = SlashCommandKind.Reset,
        ["help"] = SlashCommandKind.Help,
        ["?"] = SlashCommandKind.Help,
        ["quit"] = SlashCommandKind.Quit,
        ["exit"] = SlashCommandKind.Quit,
        ["bye"] = SlashCommandKind.Quit,
    };

    /// <summary>
    /// A line is a command when it starts with '/' followed by a name; anything else (including
    /// "//text", which sends "/text") is a message.
    /// </summary>
    public static bool TryParse(string line, out SlashCommand command)
    {
        command = new SlashCommand(SlashCommandKind.Unknown, "", "");
        string text = line.Trim();
        if (text.Length < 2 || text[0] != '/' || text[1] == '/' || char.IsWhiteSpace(text[1])) return false;
        int space = text.IndexOfAny([' ', '\n', '\t']);
        string name = space < 0 ? text[1..] : text[1..space];
        string argument = space < 0 ? "" : text[(space + 1)..].Trim();
        command = new SlashCommand(Names.GetValueOrDefault(name, SlashCommandKind.Unknown), name.ToLowerInvariant(), argument);
        return true;
    }

    /// <summary>What to send for a line that is not a command: "//text" is the escape for "/text".</summary>
    public static string Message(string line) => line.TrimStart().StartsWith("//", StringComparison.Ordinal) ? line.TrimStart()[1..] : line;
}
