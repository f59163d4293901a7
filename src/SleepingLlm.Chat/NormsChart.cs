using System.Globalization;
using SleepingLlm.Memory;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SleepingLlm.Chat;

/// <summary>‖ΔW_l‖ of the active memories' edits, one bar per edited layer.</summary>
static class NormsChart
{
    public static IRenderable Render(IReadOnlyList<LayerNorm> norms, int width)
    {
        IRenderable content;
        if (norms.Count == 0)
        {
            content = new Markup("[grey]No edits yet: a bar per edited layer (‖ΔW_l‖, Frobenius) appears after the first memory is written.[/]");
        }
        else
        {
            var chart = new BarChart { Width = Math.Max(10, width - 4), ShowValues = true, Culture = CultureInfo.InvariantCulture }
                .UseValueFormatter(value => value.ToString("0.000", CultureInfo.InvariantCulture));
            foreach (var norm in norms.OrderBy(n => n.Layer))
                chart.AddItem($"L{norm.Layer}", norm.Norm, Color.Teal);
            content = chart;
        }
        return new Panel(content) { Header = new PanelHeader("edit norms ‖ΔW_l‖"), Border = BoxBorder.Rounded, BorderStyle = new Style(Color.Grey), Expand = true };
    }
}
