using Spectre.Console;
using Spectre.Console.Rendering;

namespace SleepingLlm.Chat;

/// <summary>F1: the keys and the slash commands.</summary>
static class HelpPane
{
    static readonly (string Keys, string Action)[] Keys =
    [
        ("Enter", "send"),
        ("Alt+Enter", "new line (also Shift+Enter, Ctrl+J, or \\ at the end)"),
        ("Up, Down", "history, or the lines of a multi-line entry"),
        ("PgUp, PgDn", "scroll the chat"),
        ("Ctrl+S", "sleep now (it also sleeps by itself under sleep pressure; chat --auto-sleep off)"),
        ("Ctrl+C", "stop the reply; twice quits"),
        ("Esc, Ctrl+D", "quit (Esc first closes this help)"),
        ("Ctrl+A E U K W", "readline editing: start, end, cut to start, cut to end, cut word"),
        ("Ctrl+L", "redraw"),
        ("F1", "help on and off"),
    ];

    public static IRenderable Render()
    {
        var keys = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (key, action) in Keys)
            keys.AddRow(new Text(key, new Style(Color.Aqua)), new Text(action));
        var commands = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var command in SlashCommands.All)
            commands.AddRow(new Text(command.Usage, new Style(Color.Aqua)), new Text(command.Description));
        var content = new Rows(new Text("keys", new Style(decoration: Decoration.Bold)), keys, Text.Empty,
            new Text("commands", new Style(decoration: Decoration.Bold)), commands);
        return new Panel(content) { Header = new PanelHeader("help · F1 or Esc closes"), Border = BoxBorder.Rounded, BorderStyle = new Style(Color.Aqua), Expand = true };
    }
}
