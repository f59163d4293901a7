using System.Globalization;
using System.Xml.Linq;
using static SleepingLlm.Eval.SvgPlot;

namespace SleepingLlm.Eval;

/// <summary>
/// One measure of a modes evaluation as an SVG line chart: facts across, the measure up (from 0 to a
/// round number above its largest value), a line per memory mode.
/// </summary>
public static class ModesChart
{
    const double Left = 72, Top = 36, PlotWidth = 460, PlotHeight = 320;

    /// <summary>A measure: its file-name suffix, axis label and value.</summary>
    public sealed record Measure(string Key, string Label, Func<ModePoint, double?> Value);

    public static readonly IReadOnlyList<Measure> Measures =
    [
        new("chat-recall", "chat recall", p => p.ChatRecall),
        new("paraphrase-recall", "paraphrase-question recall", p => p.ParaphraseRecall),
        new("locality", "locality (next-token KL < 0.05 on other people)", p => p.Locality),
        new("prompt-tokens", "prompt tokens added per question", p => p.PromptTokensAdded),
        new("first-token-ms", "time to first token (ms, median)", p => p.TimeToFirstTokenMs),
        new("decode-tokens-per-s", "decode tokens/s (median)", p => p.DecodeTokensPerSecond),
        new("disk-bytes", "bytes on disk", p => p.DiskBytes),
    ];

    static readonly Dictionary<string, string> Colours = new()
    {
        ["weights"] = "#1f77b4", ["prompt"] = "#ff7f0e", ["rag"] = "#2ca02c", ["hybrid"] = "#9467bd",
    };

    /// <summary>Writes one chart per measure as <c>&lt;stem&gt;-&lt;measure&gt;.svg</c>; returns the paths.</summary>
    public static IReadOnlyList<string> WriteAll(string stem, IReadOnlyList<ModePoint> points, string title) =>
    [
        .. Measures.Select(m =>
        {
            string path = $"{stem}-{m.Key}.svg";
            SvgPlot.Write(path, Render(points, m, title));
            return path;
        }),
    ];

    public static XDocument Render(IReadOnlyList<ModePoint> points, Measure measure, string title)
    {
        var drawn = points.Where(p => measure.Value(p) is not null).ToList();
        if (drawn.Count == 0) throw new ArgumentException($"no values of {measure.Label} to draw", nameof(points));
        int maxFacts = drawn.Max(p => p.Facts);
        double top = Ceiling(drawn.Max(p => measure.Value(p)!.Value));
        double X(int facts) => Left + facts / (double)maxFacts * PlotWidth;
        double Y(double value) => Top + (1 - value / top) * PlotHeight;

        var svg = Page(Left, Top, $"{title}: {measure.Label}");
        for (int i = 0; i <= 4; i++)
        {
            double v = top * i / 4;
            svg.Add(Line(Left, Y(v), Left + PlotWidth, Y(v), i == 0 ? "#000" : "#ddd"));
            svg.Add(Text(Left - 6, Y(v) + 4, F(v), "end"));
        }
        foreach (int facts in drawn.Select(p => p.Facts).Distinct().Order())
            svg.Add(Text(X(facts), Top + PlotHeight + 18, facts.ToString(CultureInfo.InvariantCulture), "middle"));
        svg.Add(Line(Left, Top, Left, Top + PlotHeight, "#000"));
        svg.Add(Text(Left + PlotWidth / 2, Height - 12, "facts in memory", "middle"));

        var modes = drawn.Select(p => p.Mode).Distinct().ToList();
        for (int i = 0; i < modes.Count; i++)
        {
            string colour = Colours.GetValueOrDefault(modes[i], "#555");
            var line = drawn.Where(p => p.Mode == modes[i]).OrderBy(p => p.Facts).Select(p => (X: X(p.Facts), Y: Y(measure.Value(p)!.Value))).ToList();
            svg.Add(Curve(line, colour, new XAttribute("data-mode", modes[i])));
            svg.Add(LegendEntry(Left + PlotWidth + 20, Top + 10 + i * 20, colour, modes[i]));
        }
        return new XDocument(svg);
    }

    /// <summary>The top of the axis: 1 for shares, else 1, 2 or 5 times a power of ten at or above the largest value.</summary>
    static double Ceiling(double max)
    {
        if (max <= 1) return 1;
        double power = Math.Pow(10, Math.Floor(Math.Log10(max)));
        return new[] { 1, 2, 5, 10 }.Select(m => m * power).First(c => c >= max);
    }
}
