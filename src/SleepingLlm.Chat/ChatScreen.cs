using Spectre.Console;
using Spectre.Console.Rendering;

namespace SleepingLlm.Chat;

/// <summary>
/// The layout: transcript on the left (help in its place while F1 shows it), sleep view, memory panel
/// and norms chart on the right (on a narrow terminal only the sleep view stays, below the
/// transcript), the input line and the status bar at the bottom. Every size is computed here, so
/// the panes can wrap and scroll exactly.
/// </summary>
static class ChatScreen
{
    /// <summary>Narrower than this, the side column gives way to the transcript.</summary>
    public const int WideWidth = 100;

    public static IRenderable Render(ChatState state, int width, int height, DateTimeOffset now, int frame)
    {
        width = Math.Max(20, width);
        height = Math.Max(8, height);
        int inputHeight = Math.Min(InputPane.Height(state.Input, width), height / 2);
        int bodyHeight = height - inputHeight - 1;
        string placeholder = state.Generating ? "Ctrl+C stops the reply" : "Send a message (/help, F1)";

        var body = width >= WideWidth ? Wide(state, width, bodyHeight, now, frame) : Narrow(state, width, bodyHeight, frame);
        return new Layout("screen").SplitRows(
            body.Size(bodyHeight),
            new Layout("input", InputPane.Render(state.Input, width, placeholder)).Size(inputHeight),
            new Layout("status", StatusBar.Render(state.Status(Spinner.Frame(frame)), width)).Size(1));
    }

    static Layout Wide(ChatState state, int width, int height, DateTimeOffset now, int frame)
    {
        int sideWidth = Math.Clamp(width * 2 / 5, 40, 60);
        // Help takes the transcript's place: it needs the room, and F1 brings the chat back.
        var chat = new Layout("transcript", state.HelpVisible ? HelpPane.Render() : TranscriptPane.Render(state.Transcript, width - sideWidth, height));
        return new Layout("body").SplitColumns(chat, Side(state, sideWidth, height, now, frame).Size(sideWidth));
    }

    static Layout Side(ChatState state, int width, int height, DateTimeOffset now, int frame)
    {
        var parts = new List<Layout>();
        int left = height;
        if (state.Sleep is { } run)
        {
            int sleepHeight = Math.Min(SleepView.Height(run, width), height / 3);
            parts.Add(new Layout("sleep", SleepView.Render(run, width, frame)).Size(sleepHeight));
            left -= sleepHeight;
        }
        // The chart wants a row per edited layer, but at most half of what is left; the facts take the rest.
        int normsHeight = Math.Min(Math.Max(6, state.Memory.EditNorms.Count + 2), left / 2);
        parts.Add(new Layout("memory", MemoryPanel.Render(state.Memory, width, now)).Size(left - normsHeight));
        parts.Add(new Layout("norms", NormsChart.Render(state.Memory.EditNorms, width)).Size(normsHeight));
        return new Layout("side").SplitRows([.. parts]);
    }

    static Layout Narrow(ChatState state, int width, int height, int frame)
    {
        if (state.HelpVisible) return new Layout("body", HelpPane.Render());
        if (state.Sleep is not { } run) return new Layout("body", TranscriptPane.Render(state.Transcript, width, height));
        int sleepHeight = Math.Min(SleepView.Height(run, width), height / 2);
        return new Layout("body").SplitRows(
            new Layout("transcript", TranscriptPane.Render(state.Transcript, width, height - sleepHeight)),
            new Layout("sleep", SleepView.Render(run, width, frame)).Size(sleepHeight));
    }
}
