namespace SleepingLlm.Memory;

/// <summary>How the stored facts reach the chat.</summary>
public enum MemoryMode
{
    /// <summary>The MEMIT adapter; nothing added to the context.</summary>
    Weights,
    /// <summary>Every active fact as a statement in the system prompt; no adapter.</summary>
    Prompt,
    /// <summary>The facts that best match the user's message (FTS5 bm25) in the system prompt; no adapter.</summary>
    Rag,
    /// <summary>The adapter, and the facts not yet consolidated by sleep retrieved as in <see cref="Rag"/>.</summary>
    Hybrid,
}

public static class MemoryModes
{
    public static readonly IReadOnlyList<MemoryMode> All = Enum.GetValues<MemoryMode>();

    /// <summary>The name a user types: weights, prompt, rag, hybrid.</summary>
    public static string Name(this MemoryMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>Whether the mode runs with the memory's adapter applied.</summary>
    public static bool UsesWeights(this MemoryMode mode) => mode is MemoryMode.Weights or MemoryMode.Hybrid;

    /// <summary>Whether the mode retrieves facts for each message.</summary>
    public static bool Retrieves(this MemoryMode mode) => mode is MemoryMode.Rag or MemoryMode.Hybrid;

    public static MemoryMode Parse(string name)
    {
        foreach (var mode in All)
            if (mode.Name() == name.Trim().ToLowerInvariant()) return mode;
        throw new SleepingLlmException($"unknown memory mode '{name}' (weights, prompt, rag or hybrid)");
    }

    /// <summary>A comma-separated list, e.g. "weights,prompt,rag", in the order given, without repeats.</summary>
    public static IReadOnlyList<MemoryMode> ParseList(string names) =>
        [.. names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).Distinct()];
}
