using System.Security.Cryptography;
using System.Text.Json;

namespace SleepingLlm.Models;

/// <summary>
/// A model's sha256, which names its memory. Hashing a 2 GB model takes seconds at every start, so the
/// hash is kept by (full path, size, modification time) in the cache folder and computed again only when
/// one of those changes (a re-download, a copy over it).
/// </summary>
public static class ModelIdentity
{
    const string FileName = "model-identity.json";

    sealed record Entry(long Size, long ModifiedTicks, string Sha256);

    public static string Sha256(string modelPath, string cacheDirectory)
    {
        var info = new FileInfo(Path.GetFullPath(modelPath));
        if (!info.Exists) throw new FileNotFoundException($"model not found: {info.FullName}", info.FullName);
        string index = Path.Combine(cacheDirectory, FileName);
        var entries = Read(index);
        if (entries.TryGetValue(info.FullName, out var known) && known.Size == info.Length && known.ModifiedTicks == info.LastWriteTimeUtc.Ticks)
            return known.Sha256;

        string sha;
        using (var file = info.OpenRead()) sha = Convert.ToHexStringLower(SHA256.HashData(file));
        entries[info.FullName] = new Entry(info.Length, info.LastWriteTimeUtc.Ticks, sha);
        try
        {
            Directory.CreateDirectory(cacheDirectory);
            string temp = $"{index}.{Environment.ProcessId}.tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(entries));
            File.Move(temp, index, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a speed-up: a cache that cannot be written means hashing again next time.
        }
        return sha;
    }

    static Dictionary<string, Entry> Read(string index)
    {
        try
        {
            return File.Exists(index) ? JsonSerializer.Deserialize<Dictionary<string, Entry>>(File.ReadAllText(index)) ?? [] : [];
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return []; // damaged: rebuilt from the models as they are met
        }
    }
}
