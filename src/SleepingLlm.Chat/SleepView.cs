using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SleepingLlm.Chat;

/// <summary>The progress of a sleep or nap: done steps ticked, the current one spinning, then the result.</summary>
static class SleepView
{
    static readonly Style Done = new(Color.Green), Dim = new(Color.Grey), Failed = new(Color.Red);

    /// <summary>Its height at <paramref name="width"/>: the wrapped lines and the border.</summary>
    public static int Height(SleepRun run, int width) => Lines(run, width, 0).Count + 2;

    public static IRenderable Render(SleepRun run, int width, int frame)
    {
        string header = run.Kind == SleepKind.Sleep ? "sleep" : "nap";
        header += !run.Finished ? " · running" : run.Error is not null ? " · failed" : run.Report is { Committed: false, Empty: false } ? " · rolled back" : " · done";
        return new Panel(new Rows(Lines(run, width, frame))) { Header = new PanelHeader(header), Border = BoxBorder.Rounded, BorderStyle = new Style(Color.Yellow), Expand = true };
    }

    static List<IRenderable> Lines(SleepRun run, int width, int frame)
    {
        var lines = new List<IRenderable>();
        void Add(string text, Style style) => lines.AddRange(TextWrap.Wrap(text, width - 4).Select(line => new Text(line, style)));

        string spinner = Spinner.Frame(frame);
        for (int i = 0; i < run.Steps.Count; i++)
        {
            bool current = i == run.Steps.Count - 1 && !run.Finished;
            Add($"{(current ? spinner : "✓")} {run.Steps[i]}", current ? Style.Plain : Done);
        }
        if (run.Steps.Count == 0 && !run.Finished)
            Add($"{spinner} waiting for the engine", Style.Plain);
        if (run.Result is { } result)
        {
            string ms = result.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
            Add($"✓ audited {result.Audited}, recalled {result.Recalled} in {ms} ms", Done);
        }
        if (run.Report is { Empty: true })
            Add($"✓ {SleepingLlm.Sleep.SleepReport.NothingToDo}", Done);
        else if (run.Report is { } report)
            Add(report.Committed
                ? $"✓ committed: {report.Dissolved} of {report.Facts.Count} memories dissolved into the consolidated adapter, " +
                  $"{report.ActiveEdits} keep a MEMIT edit ({report.Times.Total.TotalSeconds:0} s). {report.Verdict}"
                : $"✗ rolled back, nothing changed: {report.Verdict}", report.Committed ? Done : Failed);
        if (run.Error is { } error)
            Add($"✗ {error}", Failed);
        return lines;
    }
}
