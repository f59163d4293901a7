using System.Xml.Linq;
using SleepingLlm.Eval;

namespace SleepingLlm.Tests.Eval;

/// <summary>The modes charts as a viewer reads them: a chart per measure, a line per mode, higher values drawn higher.</summary>
public sealed class ModesChartTests() : ScratchDirectory("sleepingllm-modes-chart-")
{
    static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    static ModePoint Point(string mode, int facts, double recall, double tokens, double ms) =>
        new(mode, facts, recall, recall / 2, 0.9, tokens, ms, 120, facts * 1000L);

    static readonly ModePoint[] Points =
    [
        Point("weights", 10, 0.6, 0, 300), Point("prompt", 10, 0.5, 130, 600), Point("rag", 10, 0.5, 60, 350),
        Point("weights", 50, 0.4, 0, 300), Point("prompt", 50, 0.45, 620, 1900), Point("rag", 50, 0.5, 60, 360),
        Point("prompt", 200, 0.0, 2400, 0) with { ChatRecall = null, TimeToFirstTokenMs = null, Problem = "too long" },
    ];

    [Fact]
    public void Each_measure_gets_a_chart_with_a_line_per_mode()
    {
        var paths = ModesChart.WriteAll(Path.Combine(directory, "modes"), Points, "SmolLM2 <test>");
        Assert.Equal(ModesChart.Measures.Count, paths.Count);
        foreach (string path in paths)
        {
            var svg = XDocument.Load(path);
            Assert.Equal(["weights", "prompt", "rag"], svg.Descendants(Svg + "polyline").Select(l => (string)l.Attribute("data-mode")!));
        }
        Assert.Contains("SmolLM2 <test>", XDocument.Load(paths[0]).Descendants(Svg + "text").Select(t => t.Value).First());
    }

    [Fact]
    public void More_tokens_are_drawn_higher_and_an_unmeasured_point_is_left_out()
    {
        var tokens = ModesChart.Measures.Single(m => m.Key == "prompt-tokens");
        var lines = ModesChart.Render(Points, tokens, "t").Descendants(Svg + "polyline")
            .ToDictionary(l => (string)l.Attribute("data-mode")!, l => ((string)l.Attribute("points")!).Split(' ').Select(p => double.Parse(p.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList());
        // SVG y grows downwards: prompt's 620 tokens lie above its 130, weights stay on the floor.
        Assert.True(lines["prompt"][1] < lines["prompt"][0]);
        Assert.Equal(lines["weights"][0], lines["weights"][1]);
        Assert.Equal(3, lines["prompt"].Count);

        var ms = ModesChart.Measures.Single(m => m.Key == "first-token-ms");
        var prompt = ModesChart.Render(Points, ms, "t").Descendants(Svg + "polyline").Single(l => (string)l.Attribute("data-mode")! == "prompt");
        Assert.Equal(2, ((string)prompt.Attribute("points")!).Split(' ').Length);
    }
}
