using System.Globalization;
using System.Xml.Linq;
using SleepingLlm.Eval;

namespace SleepingLlm.Tests.Eval;

/// <summary>The curve chart as a viewer reads it: well-formed SVG, one line per measure, points where the values put them.</summary>
public sealed class CurveChartTests() : ScratchDirectory("sleepingllm-chart-")
{
    static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    static CurvePoint Point(int facts, double raw, double paraphrase, double chat, double locality, double namesakes, double counterFact) =>
        new(facts, raw, paraphrase, chat, new LocalityScore(locality, locality, 0.1), new LocalityScore(1, 1, 0), new LocalityScore(namesakes, namesakes, 0.5), new LocalityScore(1, 1, 0),
            ContinuationUnchanged: 0.2, CounterFactLocality: new LocalityScore(counterFact, counterFact, 0.1), Perplexity: 40, ChatPerplexity: 5, SecondsPerFactMedian: 30, DiskBytesPerFact: 60_000);

    static readonly CurvePoint[] Curve =
    [
        Point(10, raw: 1.0, paraphrase: 0.5, chat: 0.2, locality: 0.9, namesakes: 0.6, counterFact: 0.8),
        Point(25, raw: 0.8, paraphrase: 0.4, chat: 0.1, locality: 0.75, namesakes: 0.4, counterFact: 0.7),
        Point(40, raw: 0.0, paraphrase: 0.25, chat: 0.0, locality: 0.5, namesakes: 0.2, counterFact: 0.6),
    ];

    XDocument WriteAndParse(IReadOnlyList<CurvePoint> curve, string title = "SmolLM2: layers 4-8")
    {
        string path = Path.Combine(directory, "curve.svg");
        CurveChart.Write(path, curve, title);
        return XDocument.Parse(File.ReadAllText(path));
    }

    static List<XElement> Lines(XDocument svg) => [.. svg.Descendants(Svg + "polyline")];

    static (double X, double Y)[] Points(XElement polyline) =>
    [
        .. polyline.Attribute("points")!.Value.Split(' ').Select(p => p.Split(','))
            .Select(xy => (double.Parse(xy[0], CultureInfo.InvariantCulture), double.Parse(xy[1], CultureInfo.InvariantCulture))),
    ];

    [Fact]
    public void The_cycles_curve_draws_recall_locality_and_the_share_of_dissolved_edits_after_each_sleep()
    {
        static CyclePoint Cycle(int cycle, int atZero) => new(cycle, 20 * cycle, 0.9, 0.5, 0.95, new LocalityScore(0.8, 0.9, 0.1),
            new LocalityScore(0.2, 0.5, 1.5), atZero, 20 * cycle - atZero, 1_082_656, 27, 120, 20, true, "pass");
        string path = Path.Combine(directory, "cycles.svg");
        CurveChart.Write(path, [Cycle(1, 0), Cycle(2, 10), Cycle(4, 60)], "SmolLM2: 4 cycles of 20 facts");
        var svg = XDocument.Parse(File.ReadAllText(path));
        Assert.Equal(["raw", "paraphrase", "chat", "locality", "namesake locality", "at MEMIT scale 0"],
            Lines(svg).Select(l => l.Attribute("data-series")!.Value));
        var dissolved = Points(Lines(svg)[^1]);
        // 0 of 20, 10 of 40, 60 of 80 facts at scale 0, at 20, 40 and 80 facts across.
        Assert.Equal([CurveChart.Y(0), CurveChart.Y(0.25), CurveChart.Y(0.75)], dissolved.Select(p => Math.Round(p.Y, 2)));
        Assert.Equal(CurveChart.Left + CurveChart.PlotWidth, dissolved[^1].X, 0.01);
    }

    [Fact]
    public void Each_measure_is_one_polyline_named_in_the_legend()
    {
        var svg = WriteAndParse(Curve);
        Assert.Equal(Svg + "svg", svg.Root!.Name);
        Assert.Equal(["raw", "paraphrase", "chat", "locality", "namesake locality", "CounterFact locality"],
            Lines(svg).Select(l => l.Attribute("data-series")!.Value));
        var texts = svg.Descendants(Svg + "text").Select(t => t.Value).ToList();
        foreach (string label in new[] { "raw", "paraphrase", "chat", "locality", "namesake locality", "CounterFact locality", "facts written", "share of prompts" })
            Assert.Contains(label, texts);
    }

    [Fact]
    public void Points_are_facts_across_and_shares_up_in_the_plot_area()
    {
        var raw = Lines(WriteAndParse(Curve)).Single(l => l.Attribute("data-series")!.Value == "raw");
        var points = Points(raw);
        Assert.Equal(Curve.Length, points.Length);
        for (int i = 0; i < Curve.Length; i++)
        {
            Assert.Equal(CurveChart.Left + Curve[i].Facts / 40.0 * CurveChart.PlotWidth, points[i].X, 0.01);
            Assert.Equal(CurveChart.Top + (1 - Curve[i].Raw) * CurveChart.PlotHeight, points[i].Y, 0.01);
        }
        // The last checkpoint is at the right edge; a share of 1 at the top, 0 at the bottom.
        Assert.Equal(CurveChart.Left + CurveChart.PlotWidth, points[^1].X, 0.01);
        Assert.Equal(CurveChart.Top, points[0].Y, 0.01);
        Assert.Equal(CurveChart.Top + CurveChart.PlotHeight, points[^1].Y, 0.01);
    }

    [Fact]
    public void Measures_not_taken_are_not_drawn()
    {
        // A model without a chat template and a run without --counterfact.
        var curve = Curve.Select(p => p with { Chat = null, CounterFactLocality = null }).ToList();
        Assert.Equal(["raw", "paraphrase", "locality", "namesake locality"], Lines(WriteAndParse(curve)).Select(l => l.Attribute("data-series")!.Value));
    }

    [Fact]
    public void A_title_with_markup_characters_stays_text()
    {
        string title = "model <q4> & \"friends\"";
        var svg = WriteAndParse(Curve[..1], title);
        Assert.Contains(title, svg.Descendants(Svg + "text").Select(t => t.Value));
        Assert.All(Lines(svg), l => Assert.Single(Points(l)));
    }
}
