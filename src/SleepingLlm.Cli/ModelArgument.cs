namespace SleepingLlm.Cli;

/// <summary>Turns what the user typed (a path, a catalog name or nothing) into a model file path.</summary>
public static class ModelArgument
{
    public static string Resolve(string? nameOrPath)
    {
        if (nameOrPath is null) throw new SleepingLlmException("no model given");
        return nameOrPath;
    }
}
