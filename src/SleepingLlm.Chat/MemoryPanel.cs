using System.Globalization;
using SleepingLlm.Memory;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SleepingLlm.Chat;

/// <summary>The facts in the model's weights: each with its stage, its MEMIT scale and its last recall; a pinned one says so.</summary>
static class MemoryPanel
{
    // Right-aligned columns after the fact: stage, scale, recall (each with a space before it).
    const int StageWidth = 5, ScaleWidth = 5, RecallWidth = 6;
    static readonly Style Heading = new(Color.Grey, decoration: Decoration.Underline);
    static readonly Style Missing = new(Color.Grey);

    public static IRenderable Render(MemorySnapshot memory, int width, DateTimeOffset now)
    {
        IRenderable content = memory.Facts.Count == 0
            ? new Markup(
                "[grey]No memories yet.[/]\n\n" +
                "[grey]/remember SUBJECT | RELATION | OBJECT writes a fact into the weights; " +
                "each shows here with its stage, scale and last recall.[/]\n\n" +
                "[grey]Ctrl+S or /sleep consolidates the memories.[/]")
            : new Rows(Table(memory.Facts, width - 4, now));
        string header = memory.Facts.Count == 1 ? "memory · 1 fact" : $"memory · {memory.Facts.Count} facts";
        return new Panel(content) { Header = new PanelHeader(header), Border = BoxBorder.Rounded, BorderStyle = new Style(Color.Grey), Expand = true };
    }

    /// <summary>A header row, then per fact its wrapped text with the numbers on its first line.</summary>
    static IEnumerable<IRenderable> Table(IReadOnlyList<MemoryFact> facts, int width, DateTimeOffset now)
    {
        int factWidth = Math.Max(8, width - StageWidth - ScaleWidth - RecallWidth - 3);
        var header = new Paragraph();
        header.Append("fact", Heading).Append(new string(' ', factWidth - 4));
        header.Append(" ").Append("stage", Heading).Append(" ").Append("scale", Heading).Append(" ").Append("recall", Heading);
        yield return header;
        foreach (var fact in facts)
        {
            var lines = TextWrap.Wrap($"{fact.Subject} {fact.Relation} {fact.Object}{(fact.Pinned ? " (pinned)" : "")}", factWidth);
            var (recall, recallStyle) = Recall(fact, now);
            var first = new Paragraph();
            first.Append(lines[0].PadRight(factWidth - TextWrap.Cells(lines[0]) + lines[0].Length));
            first.Append(" " + fact.Stage.ToString(CultureInfo.InvariantCulture).PadLeft(StageWidth));
            first.Append(" " + fact.Scale.ToString("0.00", CultureInfo.InvariantCulture).PadLeft(ScaleWidth));
            first.Append(" " + recall.PadLeft(RecallWidth), recallStyle);
            yield return first;
            foreach (string line in lines.Skip(1))
                yield return new Text(line);
        }
    }

    /// <summary>✓ or ✗ with how long ago the last audit was; – before the first.</summary>
    static (string Text, Style Style) Recall(MemoryFact fact, DateTimeOffset now)
    {
        if (fact.LastRecall is not { } when || fact.Recalled is not { } recalled) return ("–", Missing);
        return ($"{(recalled ? "✓" : "✗")} {Ago(now - when)}", new Style(recalled ? Color.Green : Color.Red));
    }

    static string Ago(TimeSpan span) => span switch
    {
        { TotalSeconds: < 60 } => $"{Math.Max(0, (int)span.TotalSeconds)}s",
        { TotalMinutes: < 60 } => $"{(int)span.TotalMinutes}m",
        { TotalHours: < 24 } => $"{(int)span.TotalHours}h",
        _ => $"{(int)span.TotalDays}d",
    };
}
