using System.Text;

namespace SleepingLlm.Chat;

/// <summary>Who a transcript entry is from: the user, the model, or the app itself.</summary>
enum Speaker { User, Assistant, Note }

/// <summary>What a wrapped transcript line shows, so the pane can style it.</summary>
enum LineKind { User, Assistant, Note, Footer, Blank }

readonly record struct TranscriptLine(LineKind Kind, string Text);

/// <summary>One message of the conversation; an assistant reply grows while it streams.</summary>
sealed class TranscriptEntry(Speaker speaker, string text)
{
    readonly StringBuilder text = new(text);
    (int Width, int Version, List<TranscriptLine> Lines)? wrapped;
    int version;

    public Speaker Speaker { get; } = speaker;
    public string Text => text.ToString();

    /// <summary>The facts extracted from this user turn (empty until extraction has run), for the transcript's record.</summary>
    public IReadOnlyList<SleepingLlm.Conversation.ExtractedFact> Facts { get; set; } = [];

    /// <summary>A dim line under a reply: its token count and speed, or why it stopped.</summary>
    public string? Footer
    {
        get;
        set { field = value; version++; }
    }

    public void Append(string piece)
    {
        text.Append(piece);
        version++;
    }

    /// <summary>The entry's lines at <paramref name="width"/> cells; cached until the entry or the width changes.</summary>
    public List<TranscriptLine> Lines(int width)
    {
        if (wrapped is { } w && w.Width == width && w.Version == version) return w.Lines;
        var lines = Speaker switch
        {
            Speaker.User => Prefixed("> ", "  ", LineKind.User, Text, width),
            Speaker.Note => Prefixed("· ", "  ", LineKind.Note, Text, width),
            _ => TextWrap.Wrap(Text.TrimStart(), width).Select(l => new TranscriptLine(LineKind.Assistant, l)).ToList(),
        };
        if (Footer is not null)
            lines.AddRange(TextWrap.Wrap(Footer, width).Select(l => new TranscriptLine(LineKind.Footer, l)));
        wrapped = (width, version, lines);
        return lines;
    }

    static List<TranscriptLine> Prefixed(string first, string rest, LineKind kind, string text, int width) =>
        TextWrap.Wrap(text, width - first.Length)
            .Select((line, i) => new TranscriptLine(kind, (i == 0 ? first : rest) + line))
            .ToList();
}

/// <summary>The lines a pane of a given size shows, and how many lie above and below them.</summary>
sealed record TranscriptWindow(IReadOnlyList<TranscriptLine> Lines, int Above, int Below);

/// <summary>
/// The conversation as the user sees it, with scrollback. The view follows the end until the user
/// scrolls up; then it stays where it is while replies stream in, until it is scrolled back down.
/// </summary>
sealed class Transcript
{
    readonly List<TranscriptEntry> entries = [];
    int? top; // the first line shown while scrolled back; null follows the end
    (int Width, int Height) viewport = (80, 20);

    public bool IsScrolledBack => top is not null;

    public TranscriptEntry Add(Speaker speaker, string text)
    {
        var entry = new TranscriptEntry(speaker, text);
        entries.Add(entry);
        return entry;
    }

    public void Clear()
    {
        entries.Clear();
        top = null;
    }

    /// <summary>Every line at <paramref name="width"/> cells, a blank line between entries.</summary>
    public List<TranscriptLine> Lines(int width)
    {
        var lines = new List<TranscriptLine>();
        foreach (var entry in entries)
        {
            if (lines.Count > 0) lines.Add(new TranscriptLine(LineKind.Blank, ""));
            lines.AddRange(entry.Lines(width));
        }
        return lines;
    }

    /// <summary>What a pane of this size shows now; the size is remembered as the page for PgUp/PgDn.</summary>
    public TranscriptWindow View(int width, int height)
    {
        viewport = (Math.Max(1, width), Math.Max(1, height));
        var lines = Lines(viewport.Width);
        int last = LastTop(lines.Count);
        if (top >= last) top = null;
        int first = top ?? last;
        var shown = lines.Skip(first).Take(viewport.Height).ToList();
        return new TranscriptWindow(shown, first, lines.Count - first - shown.Count);
    }

    /// <summary>Back by a page (one line of the old page stays in view, as in a pager).</summary>
    public void PageUp()
    {
        int last = LastTop(Lines(viewport.Width).Count);
        top = Math.Max(0, (top ?? last) - Page);
    }

    public void PageDown()
    {
        if (top is null) return;
        top += Page;
        if (top >= LastTop(Lines(viewport.Width).Count)) top = null;
    }

    public void ScrollToEnd() => top = null;

    int Page => Math.Max(1, viewport.Height - 1);
    int LastTop(int lineCount) => Math.Max(0, lineCount - viewport.Height);
}
