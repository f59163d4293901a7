namespace SleepingLlm.Chat;

/// <summary>The braille spinner of busy states; the app advances the frame on its status timer.</summary>
static class Spinner
{
    static readonly string[] Frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

    public static string Frame(int frame) => Frames[frame % Frames.Length];
}
