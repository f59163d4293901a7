using System.Globalization;
using System.Xml.Linq;
using static SleepingLlm.Eval.SvgPlot;

namespace SleepingLlm.Eval;

/// <summary>
/// The curve of an eval run as an SVG line chart: facts written across, 0..1 up, one line per measure
/// (raw, paraphrase, chat, locality, namesake locality, and CounterFact locality when measured), a legend and axis labels.
/// </summary>
public static class CurveChart
{
    public const double Width = SvgPlot.Width, Height = SvgPlot.Height;
    /// <summary>The plot area inside the margins; a value v at n facts lies at (Left + n/max·PlotWidth, Top + (1−v)·PlotHeight).</summary>
    public const double Left = 64, Top = 36, PlotWidth = 470, PlotHeight = 320;

    /// <summary>A measure drawn as one line.</summary>
    public sealed record Series(string Name, string Colour, Func<CurvePoint, double?> Value);

    public static readonly IReadOnlyList<Series> AllSeries =
    [
        new("raw", "#1f77b4", p => p.Raw),
        new("paraphrase", "#ff7f0e", p => p.Paraphrase),
        new("chat", "#2ca02c", p => p.Chat),
        new("locality", "#d62728", p => p.Locality.Unchanged),
        new("namesake locality", "#8c564b", p => p.NamesakeLocality.Unchanged),
        new("CounterFact locality", "#9467bd", p => p.CounterFactLocality?.Unchanged),
    ];

    /// <summary>Writes the chart as UTF-8 without a byte-order mark, which some SVG viewers show as text.</summary>
    public static void Write(string path, IReadOnlyList<CurvePoint> curve, string title) => SvgPlot.Write(path, Render(curve, title));

    public static XDocument Render(IReadOnlyList<CurvePoint> curve, string title) =>
        Draw(curve, p => p.Facts, AllSeries.Select(s => (s.Name, s.Colour, s.Value)), title);

    /// <summary>The measures of the cycles eval after each sleep, with the share of facts whose MEMIT edit has dissolved.</summary>
    public static readonly IReadOnlyList<(string Name, string Colour, Func<CyclePoint, double?> Value)> CycleSeries =
    [
        ("raw", "#1f77b4", p => p.Raw),
        ("paraphrase", "#ff7f0e", p => p.Paraphrase),
        ("chat", "#2ca02c", p => p.Chat),
        ("locality", "#d62728", p => p.Locality.Unchanged),
        ("namesake locality", "#8c564b", p => p.NamesakeLocality.Unchanged),
        ("at MEMIT scale 0", "#7f7f7f", p => p.Facts == 0 ? 0 : p.AtScaleZero / (double)p.Facts),
    ];

    /// <summary>Writes the cycles eval's curve (<see cref="CycleSeries"/>), as <see cref="Write(string, IReadOnlyList{CurvePoint}, string)"/> does.</summary>
    public static void Write(string path, IReadOnlyList<CyclePoint> cycles, string title) =>
        SvgPlot.Write(path, Draw(cycles, p => p.Facts, CycleSeries, title));

    /// <summary>One line per series that has a value at every point; a series without one is left out.</summary>
    static XDocument Draw<T>(IReadOnlyList<T> curve, Func<T, int> facts, IEnumerable<(string Name, string Colour, Func<T, double?> Value)> all, string title)
    {
        if (curve.Count == 0) throw new ArgumentException("no points to draw", nameof(curve));
        int max = curve.Max(facts);
        var series = all.Where(s => curve.All(p => s.Value(p) is not null)).ToList();
        var svg = SvgPlot.Page(Left, Top, title);
        AddAxes(svg, max);
        foreach (var s in series)
            svg.Add(SvgPlot.Curve([.. curve.Select(p => (X(facts(p), max), Y(s.Value(p)!.Value)))], s.Colour,
                new XAttribute("class", "series"), new XAttribute("data-series", s.Name)));
        double x = Left + PlotWidth + 20;
        for (int i = 0; i < series.Count; i++)
            svg.Add(SvgPlot.LegendEntry(x, Top + 10 + i * 20, series[i].Colour, series[i].Name));
        return new XDocument(svg);
    }

    public static double X(int facts, int maxFacts) => Left + facts / (double)maxFacts * PlotWidth;

    public static double Y(double value) => Top + (1 - value) * PlotHeight;

    static void AddAxes(XElement svg, int max)
    {
        double bottom = Top + PlotHeight, right = Left + PlotWidth;
        for (int i = 0; i <= 4; i++)
        {
            double v = i / 4.0, y = Y(v);
            svg.Add(Line(Left, y, right, y, i == 0 ? "#000" : "#ddd"));
            svg.Add(Text(Left - 6, y + 4, v.ToString("0.##", CultureInfo.InvariantCulture), "end"));
        }
        foreach (int tick in Ticks(max))
        {
            double x = X(tick, max);
            svg.Add(Line(x, bottom, x, bottom + 5, "#000"));
            svg.Add(Text(x, bottom + 18, tick.ToString(CultureInfo.InvariantCulture), "middle"));
        }
        svg.Add(Line(Left, Top, Left, bottom, "#000"));
        svg.Add(Text(Left + PlotWidth / 2, Height - 12, "facts written", "middle"));
        var label = Text(16, Top + PlotHeight / 2, "share of prompts", "middle");
        label.Add(new XAttribute("transform", $"rotate(-90 16 {F(Top + PlotHeight / 2)})"));
        svg.Add(label);
    }

    /// <summary>About five round ticks from 0 to <paramref name="max"/>: steps of 1, 2 or 5 times a power of ten.</summary>
    static IEnumerable<int> Ticks(int max)
    {
        double raw = Math.Max(1, max / 5.0), power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        int step = (int)(new[] { 1, 2, 5, 10 }.Select(m => m * power).First(s => s >= raw));
        for (int t = 0; t <= max; t += step) yield return t;
    }
}
