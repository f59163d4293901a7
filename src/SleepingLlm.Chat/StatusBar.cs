using System.Globalization;
using SleepingLlm.Sleep;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SleepingLlm.Chat;

/// <summary>What the status bar shows; <see cref="Activity"/> is what the app is doing or a hint.</summary>
sealed record StatusLine(string Model, string Backend, double? TokensPerSecond, int ContextUsed, int ContextSize,
    int Memories, SleepPressure SleepPressure, string Activity);

/// <summary>One inverted line at the bottom: model, backend, speed, context, memories, sleep pressure.</summary>
static class StatusBar
{
    static readonly Style BarStyle = new(Color.Black, Color.Silver);

    public static IRenderable Render(StatusLine status, int width)
    {
        const string right = "F1 help";
        string full = Join(status, compact: false);
        if (TextWrap.Cells(full) + right.Length + 3 <= width)
            return Bar(full + new string(' ', width - 2 - TextWrap.Cells(full) - right.Length) + right, width);
        string compact = Join(status, compact: true);
        return Bar(TextWrap.Cells(full) + 2 <= width ? full : compact, width);
    }

    static string Join(StatusLine status, bool compact)
    {
        string speed = status.TokensPerSecond is double t ? t.ToString(compact ? "0" : "0.0", CultureInfo.InvariantCulture) : "–";
        return string.Join(compact ? "│" : " │ ",
            status.Model,
            status.Backend,
            $"{speed} tok/s",
            $"ctx {status.ContextUsed}/{status.ContextSize}",
            compact ? $"mem {status.Memories}" : status.Memories == 1 ? "1 memory" : $"{status.Memories} memories",
            Pressure(status.SleepPressure, compact),
            status.Activity);
    }

    /// <summary>Memories in the weights out of the threshold ("sleep pressure 12/45"), and ↓ when the last audit found recall falling.</summary>
    static string Pressure(SleepPressure pressure, bool compact) =>
        $"{(compact ? "sleep" : "sleep pressure")} {pressure.InWeights}/{pressure.Limit}{(pressure.RecallFalling ? " ↓" : "")}";

    /// <summary>The text padded (or cut with an ellipsis) to the full width, one space in from each edge.</summary>
    static Text Bar(string text, int width)
    {
        int cells = Math.Max(0, width - 2);
        if (TextWrap.Cells(text) > cells)
        {
            while (text.Length > 0 && TextWrap.Cells(text) > cells - 1) text = text[..^1];
            text += "…";
        }
        return new Text(" " + text + new string(' ', Math.Max(0, cells - TextWrap.Cells(text))) + " ", BarStyle);
    }
}
