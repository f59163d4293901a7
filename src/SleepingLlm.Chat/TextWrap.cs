using System.Text;
using Spectre.Console;

namespace SleepingLlm.Chat;

/// <summary>Word wrapping by terminal cells, so that the panes can count their lines before Spectre draws them.</summary>
static class TextWrap
{
    /// <summary>
    /// Splits <paramref name="text"/> into lines of at most <paramref name="width"/> cells: at newlines,
    /// after the last space that fits, or inside a word longer than the line. Indentation is kept.
    /// </summary>
    public static List<string> Wrap(string text, int width)
    {
        width = Math.Max(1, width);
        var lines = new List<string>();
        foreach (string paragraph in Clean(text).Split('\n'))
            WrapParagraph(paragraph, width, lines);
        return lines;
    }

    /// <summary>Terminal cells of <paramref name="text"/> (CJK and emoji take two).</summary>
    public static int Cells(string text) => text.GetCellWidth();

    static void WrapParagraph(string paragraph, int width, List<string> lines)
    {
        int start = 0;
        while (Cells(paragraph[start..]) > width)
        {
            int end = start, cells = 0, lastSpace = -1;
            while (end < paragraph.Length)
            {
                int next = cells + paragraph[end].GetCellWidth();
                if (next > width) break;
                if (paragraph[end] == ' ' && end > start) lastSpace = end;
                cells = next;
                end++;
            }
            if (end == start) end++; // a character wider than the line still has to go somewhere
            int cut = end < paragraph.Length && paragraph[end] == ' ' ? end : lastSpace > start ? lastSpace : end;
            lines.Add(paragraph[start..cut]);
            start = cut;
            while (start < paragraph.Length && paragraph[start] == ' ') start++;
            if (start == paragraph.Length) return;
        }
        lines.Add(paragraph[start..]);
    }

    /// <summary>Tabs become spaces and other control characters go, so that cells are countable.</summary>
    static string Clean(string text)
    {
        var clean = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c == '\t') clean.Append("    ");
            else if (c == '\n' || !char.IsControl(c)) clean.Append(c);
        }
        return clean.ToString();
    }
}
