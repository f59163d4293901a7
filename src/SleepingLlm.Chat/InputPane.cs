using Spectre.Console;
using Spectre.Console.Rendering;

namespace SleepingLlm.Chat;

/// <summary>Draws the <see cref="InputLine"/>: a prompt, wrapped rows, and the cursor as an inverted cell.</summary>
static class InputPane
{
    const string Prompt = "> ", Continuation = "… ";
    const int MaxRows = 8;
    static readonly Style PromptStyle = new(Color.Green, decoration: Decoration.Bold);
    static readonly Style CursorStyle = new(decoration: Decoration.Invert);
    static readonly Style PlaceholderStyle = new(Color.Grey);

    /// <summary>The pane's height for this input at this width: its rows (at most eight) and the border.</summary>
    public static int Height(InputLine input, int width) => Math.Min(MaxRows, Rows(input, Inner(width)).Rows.Count) + 2;

    public static IRenderable Render(InputLine input, int width, string placeholder)
    {
        var (rows, cursorRow) = Rows(input, Inner(width));
        int first = Math.Clamp(cursorRow - MaxRows + 1, 0, Math.Max(0, rows.Count - MaxRows));
        var lines = new List<IRenderable>();
        for (int r = first; r < Math.Min(rows.Count, first + MaxRows); r++)
        {
            var row = rows[r];
            var paragraph = new Paragraph();
            paragraph.Append(row.Prefix, row.Prefix == Prompt ? PromptStyle : PlaceholderStyle);
            if (row.Cursor is int c)
            {
                paragraph.Append(row.Text[..c]);
                paragraph.Append(c < row.Text.Length ? row.Text[c].ToString() : " ", CursorStyle);
                if (c + 1 < row.Text.Length) paragraph.Append(row.Text[(c + 1)..]);
                if (input.IsEmpty) paragraph.Append(placeholder, PlaceholderStyle);
            }
            else if (row.Text.Length > 0)
            {
                paragraph.Append(row.Text);
            }
            lines.Add(paragraph);
        }
        return new Panel(new Rows(lines)) { Border = BoxBorder.Rounded, BorderStyle = new Style(Color.Grey), Expand = true, Padding = new Padding(1, 0) };
    }

    static int Inner(int width) => Math.Max(4, width - 4 - Prompt.Length);

    sealed record Row(string Prefix, string Text, int? Cursor);

    /// <summary>Visual rows: each logical line cut into chunks of <paramref name="width"/> cells.</summary>
    static (List<Row> Rows, int CursorRow) Rows(InputLine input, int width)
    {
        var rows = new List<Row>();
        int cursorRow = 0, offset = 0;
        string[] lines = input.Text.Split('\n');
        for (int l = 0; l < lines.Length; l++)
        {
            string line = lines[l];
            var chunks = Chunks(line, width);
            int column = input.Cursor - offset; // the cursor's column if it is on this line
            bool cursorHere = column >= 0 && column <= line.Length;
            // A cursor after a full last chunk wraps onto a row of its own, as in a terminal.
            if (cursorHere && column == line.Length && TextWrap.Cells(line[chunks[^1].Start..]) >= width)
                chunks.Add((line.Length, line.Length));
            for (int c = 0; c < chunks.Count; c++)
            {
                var (start, end) = chunks[c];
                bool holds = cursorHere && column >= start && (column < end || c == chunks.Count - 1);
                if (holds) cursorRow = rows.Count;
                string prefix = c > 0 ? "  " : l == 0 ? Prompt : Continuation;
                rows.Add(new Row(prefix, line[start..end], holds ? column - start : null));
            }
            offset += line.Length + 1;
        }
        return (rows, cursorRow);
    }

    static List<(int Start, int End)> Chunks(string line, int width)
    {
        var chunks = new List<(int, int)>();
        int start = 0;
        do
        {
            int end = start, cells = 0;
            while (end < line.Length && cells + line[end].GetCellWidth() <= width) cells += line[end++].GetCellWidth();
            if (end == start && end < line.Length) end++;
            chunks.Add((start, end));
            start = end;
        }
        while (start < line.Length);
        return chunks;
    }
}
