using Spectre.Console;
using Spectre.Console.Rendering;

namespace SleepingLlm.Chat;

/// <summary>Draws the visible window of the <see cref="Transcript"/> into a panel of an exact size.</summary>
static class TranscriptPane
{
    static readonly Style UserStyle = new(Color.Green, decoration: Decoration.Bold);
    static readonly Style NoteStyle = new(Color.Grey, decoration: Decoration.Italic);
    static readonly Style FooterStyle = new(Color.Grey);

    public static IRenderable Render(Transcript transcript, int width, int height)
    {
        var window = transcript.View(width - 4, height - 2);
        var lines = window.Lines.Select(Line).ToList();
        while (lines.Count < height - 2) lines.Add(new Text(" "));
        string header = window.Above > 0 || window.Below > 0
            ? $"chat · ↑ {window.Above} ↓ {window.Below} lines (PgUp/PgDn)"
            : "chat";
        return new Panel(new Rows(lines)) { Header = new PanelHeader(header), Border = BoxBorder.Rounded, BorderStyle = new Style(Color.Grey), Expand = true, Padding = new Padding(1, 0) };
    }

    static Text Line(TranscriptLine line) => line.Kind switch
    {
        LineKind.User => new Text(line.Text, UserStyle),
        LineKind.Note => new Text(line.Text, NoteStyle),
        LineKind.Footer => new Text(line.Text, FooterStyle),
        _ => new Text(line.Text.Length == 0 ? " " : line.Text),
    };
}
