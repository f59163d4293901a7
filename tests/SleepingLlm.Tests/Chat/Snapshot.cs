using Spectre.Console;
using Spectre.Console.Rendering;

namespace SleepingLlm.Tests.Chat;

/// <summary>
/// Renders a pane as plain text at a fixed console size and compares it with a reviewed file in
/// Snapshots/. SLEEPINGLLM_UPDATE_SNAPSHOTS=1 writes the files instead (review the diff, then commit).
/// </summary>
static class Snapshot
{
    const string UpdateVariable = "SLEEPINGLLM_UPDATE_SNAPSHOTS";

    public static string Render(IRenderable renderable, int width, int height)
    {
        var output = new StringWriter { NewLine = "\n" };
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = width;
        console.Profile.Height = height;
        console.Profile.Capabilities.Unicode = true;
        console.Write(renderable);
        return Normalize(output.ToString());
    }

    public static void Matches(string name, string rendered)
    {
        string path = Path.Combine(RepoPaths.Root, "tests", "SleepingLlm.Tests", "Chat", "Snapshots", name + ".txt");
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, rendered);
            return;
        }
        Assert.True(File.Exists(path), $"{path} is missing: run with {UpdateVariable}=1, review the file, commit it");
        Assert.Equal(Normalize(File.ReadAllText(path)), rendered);
    }

    /// <summary>Line ends and trailing spaces vary with editors; the borders keep the widths visible.</summary>
    static string Normalize(string text) =>
        string.Join('\n', text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n').Select(line => line.TrimEnd())) + "\n";
}
