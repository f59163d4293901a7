using System.Globalization;
using System.Xml.Linq;

namespace SleepingLlm.Eval;

/// <summary>
/// The curve of an eval run as an SVG line chart: facts written across, 0..1 up, one line per measure
/// (raw, paraphrase, chat, locality, and CounterFact locality when measured), a legend and axis labels.
/// Built as XML so that any text in it (the model's name) is escaped.
/// </summary>
public static class CurveChart
{
    public const double Width = 720, Height = 420;
    /// <summary>The plot area inside the margins; a value v at n facts lies at (Left + n/max·PlotWidth, Top + (1−v)·PlotHeight).</summary>
    public const double Left = 64, Top = 36, PlotWidth = 470, PlotHeight = 320;

    static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>A measure drawn as one line.</summary>
    public sealed record Series(string Name, string Colour, Func<CurvePoint, double?> Value);

    public static readonly IReadOnlyList<Series> AllSeries =
    [
        new("raw", "#1f77b4", p => p.Raw),
        new("paraphrase", "#ff7f0e", p => p.Paraphrase),
        new("chat", "#2ca02c", p => p.Chat),
        new("locality", "#d62728", p => p.Locality),
        new("CounterFact locality", "#9467bd", p => p.CounterFactLocality),
    ];

    /// <summary>Writes the chart as UTF-8 without a byte-order mark, which some SVG viewers show as text.</summary>
    public static void Write(string path, IReadOnlyList<CurvePoint> curve, string title) =>
        File.WriteAllText(path, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + Render(curve, title) + "\n");

    public static XDocument Render(IReadOnlyList<CurvePoint> curve, string title)
    {
        if (curve.Count == 0) throw new ArgumentException("no points to draw", nameof(curve));
        int max = curve.Max(p => p.Facts);
        var series = AllSeries.Where(s => curve.All(p => s.Value(p) is not null)).ToList();
        var svg = new XElement(Svg + "svg",
            new XAttribute("width", Width), new XAttribute("height", Height),
            new XAttribute("viewBox", $"0 0 {Width} {Height}"), new XAttribute("font-family", "sans-serif"), new XAttribute("font-size", 12),
            new XElement(Svg + "rect", new XAttribute("width", Width), new XAttribute("height", Height), new XAttribute("fill", "white")),
            Text(Left, Top - 14, title, "start", 14));
        AddAxes(svg, max);
        foreach (var s in series)
        {
            var points = curve.Select(p => (X: X(p.Facts, max), Y: Y(s.Value(p)!.Value))).ToList();
            svg.Add(new XElement(Svg + "polyline",
                new XAttribute("class", "series"), new XAttribute("data-series", s.Name),
                new XAttribute("points", string.Join(" ", points.Select(p => $"{F(p.X)},{F(p.Y)}"))),
                new XAttribute("fill", "none"), new XAttribute("stroke", s.Colour), new XAttribute("stroke-width", 2)));
            // Markers too: a curve of one checkpoint is a point, which a polyline alone does not show.
            foreach (var (x, y) in points)
                svg.Add(new XElement(Svg + "circle", new XAttribute("cx", F(x)), new XAttribute("cy", F(y)), new XAttribute("r", 3),
                    new XAttribute("fill", s.Colour)));
        }
        AddLegend(svg, series);
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

    static void AddLegend(XElement svg, IReadOnlyList<Series> series)
    {
        double x = Left + PlotWidth + 20;
        for (int i = 0; i < series.Count; i++)
        {
            double y = Top + 10 + i * 20;
            var swatch = Line(x, y, x + 20, y, series[i].Colour);
            swatch.Add(new XAttribute("stroke-width", 2));
            svg.Add(swatch);
            svg.Add(Text(x + 26, y + 4, series[i].Name, "start"));
        }
    }

    /// <summary>About five round ticks from 0 to <paramref name="max"/>: steps of 1, 2 or 5 times a power of ten.</summary>
    static IEnumerable<int> Ticks(int max)
    {
        double raw = Math.Max(1, max / 5.0), power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        int step = (int)(new[] { 1, 2, 5, 10 }.Select(m => m * power).First(s => s >= raw));
        for (int t = 0; t <= max; t += step) yield return t;
    }

    static XElement Line(double x1, double y1, double x2, double y2, string colour) => new(Svg + "line",
        new XAttribute("x1", F(x1)), new XAttribute("y1", F(y1)), new XAttribute("x2", F(x2)), new XAttribute("y2", F(y2)),
        new XAttribute("stroke", colour));

    static XElement Text(double x, double y, string text, string anchor, int size = 12) => new(Svg + "text",
        new XAttribute("x", F(x)), new XAttribute("y", F(y)), new XAttribute("text-anchor", anchor), new XAttribute("font-size", size), text);

    static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
