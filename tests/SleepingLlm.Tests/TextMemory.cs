using System.Security.Cryptography;
using SleepingLlm.Eval;
using SleepingLlm.Memory;

namespace SleepingLlm.Tests;

/// <summary>A memory of facts as text only (no edits) for a real model: what the prompt and rag modes serve, made in a moment.</summary>
public static class TextMemory
{
    public static IReadOnlyList<FactRecord> People => FactSet.Load(Path.Combine(Path.GetDirectoryName(WikiText.Path)!, "facts-people.json"));

    /// <summary>Stores <paramref name="facts"/> in the memory of <paramref name="modelPath"/> under <paramref name="directory"/>.</summary>
    public static void Create(string directory, string modelPath, IEnumerable<FactRecord> facts)
    {
        string sha;
        using (var file = File.OpenRead(modelPath)) sha = Convert.ToHexStringLower(SHA256.HashData(file));
        using var store = MemoryStore.Open(directory, sha, Path.GetFileName(modelPath));
        ModesMemory.AddText(store, facts);
    }
}
