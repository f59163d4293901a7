namespace SleepingLlm;

/// <summary>
/// The user's SleepingLlm folder: LocalApplicationData/sleepingllm (~/.local/share/sleepingllm on
/// Linux, from $XDG_DATA_HOME or $HOME). Not verified: on a fresh machine it does not exist yet, and
/// an unverified lookup would otherwise return "" and put memories under the working directory.
/// </summary>
public static class UserData
{
    public static string Folder => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
        "sleepingllm");

    public static string Sub(string name) => Path.Combine(Folder, name);
}
