using System.Globalization;
using System.Xml.Linq;

namespace SleepingLlm.Eval;

/// <summary>
/// The SVG pieces the eval charts share: the page with its title, lines, text, a polyline with point
/// markers, a legend entry, and the file. Built as XML so that any text (a model's name) is escaped.
/// </summary>
public static class SvgPlot
{
    public const double Width = 720, Height = 420;

    static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>A white page of <see cref="Width"/> × <see cref="Height"/> with the title above the plot at (left, top).</summary>
    public static XElement Page(double left, double top, string title) => new(Svg + "svg",
        new XAttribute("width", Width), new XAttribute("height", Height),
        new XAttribute("viewBox", $"0 0 {Width} {Height}"), new XAttribute("font-family", "sans-serif"), new XAttribute("font-size", 12),
        new XElement(Svg + "rect", new XAttribute("width", Width), new XAttribute("height", Height), new XAttribute("fill", "white")),
        Text(left, top - 14, title, "start", 14));

    /// <summary>A line through the points and a marker on each: a curve of one checkpoint is a point, which a polyline alone does not show.</summary>
    public static IEnumerable<XElement> Curve(IReadOnlyList<(double X, double Y)> points, string colour, params XAttribute[] identity)
    {
        yield return new XElement(Svg + "polyline", identity,
            new XAttribute("points", string.Join(" ", points.Select(p => $"{F(p.X)},{F(p.Y)}"))),
            new XAttribute("fill", "none"), new XAttribute("stroke", colour), new XAttribute("stroke-width", 2));
        foreach (var (x, y) in points)
            yield return new XElement(Svg + "circle", new XAttribute("cx", F(x)), new XAttribute("cy", F(y)), new XAttribute("r", 3), new XAttribute("fill", colour));
    }

    /// <summary>A coloured swatch and the name, at (x, y).</summary>
    public static IEnumerable<XElement> LegendEntry(double x, double y, string colour, string name)
    {
        var swatch = Line(x, y, x + 20, y, colour);
        swatch.Add(new XAttribute("stroke-width", 2));
        return [swatch, Text(x + 26, y + 4, name, "start")];
    }

    /// <summary>Writes the chart as UTF-8 without a byte-order mark, which some SVG viewers show as text.</summary>
    public static void Write(string path, XDocument chart) =>
        File.WriteAllText(path, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + chart + "\n");

    public static XElement Line(double x1, double y1, double x2, double y2, string colour) => new(Svg + "line",
        new XAttribute("x1", F(x1)), new XAttribute("y1", F(y1)), new XAttribute("x2", F(x2)), new XAttribute("y2", F(y2)),
        new XAttribute("stroke", colour));

    public static XElement Text(double x, double y, string text, string anchor, int size = 12) => new(Svg + "text",
        new XAttribute("x", F(x)), new XAttribute("y", F(y)), new XAttribute("text-anchor", anchor), new XAttribute("font-size", size), text);

    public static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
