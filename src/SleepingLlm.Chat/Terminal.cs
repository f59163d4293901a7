using Spectre.Console;
using Spectre.Console.Advanced;

namespace SleepingLlm.Chat;

/// <summary>
/// The terminal while the chat owns it: the alternate screen (the shell's screen comes back intact),
/// a hidden cursor (the input line draws its own), and Ctrl+C as a key instead of a signal.
/// Dispose puts everything back.
/// </summary>
sealed class Terminal : IDisposable
{
    const string Esc = "\u001b";
    readonly IAnsiConsole console;
    readonly bool controlCWasInput;

    Terminal(IAnsiConsole console)
    {
        this.console = console;
        controlCWasInput = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        console.WriteAnsi($"{Esc}[?1049h");
        console.Cursor.Hide();
        Clear();
    }

    public static Terminal Enter(IAnsiConsole console) => new(console);

    /// <summary>Both streams are terminals and speak ANSI: the full-screen chat can run.</summary>
    public static bool IsInteractive(IAnsiConsole console) =>
        !Console.IsInputRedirected && !Console.IsOutputRedirected && console.Profile.Capabilities.Ansi;

    /// <summary>The size now; .NET updates it when the terminal reports a resize.</summary>
    public static (int Width, int Height) Size() => (Math.Max(1, Console.WindowWidth), Math.Max(1, Console.WindowHeight));

    public void Clear() => console.WriteAnsi($"{Esc}[H{Esc}[2J");

    public void Dispose()
    {
        Clear();
        console.Cursor.Show();
        console.WriteAnsi($"{Esc}[?1049l");
        Console.TreatControlCAsInput = controlCWasInput;
    }
}
