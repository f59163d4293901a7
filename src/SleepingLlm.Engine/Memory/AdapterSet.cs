using SleepingLlm.Inference;
using SleepingLlm.Native;

namespace SleepingLlm.Memory;

/// <summary>
/// The memory as llama.cpp runs it: the MEMIT edits of the active facts (each column at its fact's
/// scale) and the LoRA adapter sleep consolidated, both loaded into one context. The one place that
/// builds, loads and deletes the adapter files, for the chat, sleep and the evals: each file lives only
/// between its build and its load, since the store is the source of truth.
/// </summary>
public sealed class AdapterSet : IDisposable
{
    readonly SafeLlamaAdapterHandle? edits, consolidated;

    AdapterSet(SafeLlamaAdapterHandle? edits, SafeLlamaAdapterHandle? consolidated)
    {
        this.edits = edits;
        this.consolidated = consolidated;
    }

    public static AdapterSet None { get; } = new(null, null);

    /// <summary>What a context applies: the edits and the consolidated adapter that exist, each at scale 1 (the per-fact scales are inside the edits).</summary>
    public IReadOnlyList<AdapterScale> Entries =>
        [.. new[] { edits, consolidated }.Where(a => a is not null).Select(a => new AdapterScale(a!, 1f))];

    public bool IsEmpty => edits is null && consolidated is null;

    /// <summary>The adapters of <paramref name="store"/> as stored, or a sleep's candidate.</summary>
    /// <param name="scales">Per-fact scales to build the edits with instead of the stored ones.</param>
    /// <param name="consolidatedAdapter">GGUF bytes of a consolidated adapter instead of the stored one.</param>
    /// <param name="refreshed">A sleep's refreshed edits in place of the stored ones of their groups.</param>
    public static AdapterSet Load(Model model, MemoryStore store, string architecture, IReadOnlyDictionary<long, float>? scales = null,
        byte[]? consolidatedAdapter = null, IReadOnlyList<Sleep.RefreshedEdit>? refreshed = null)
    {
        string stem = Path.Combine(store.AdapterDirectory, $"memory-{Environment.ProcessId}-{Interlocked.Increment(ref generation)}");
        string editsPath = stem + ".gguf", consolidatedPath = stem + "-consolidated.gguf";
        SafeLlamaAdapterHandle? loadedEdits = null;
        try
        {
            if (AdapterBuilder.Build(store, architecture, editsPath, scales, refreshed) is { } built) loadedEdits = model.LoadAdapter(built);
            byte[]? bytes = consolidatedAdapter ?? store.Consolidated()?.Adapter;
            SafeLlamaAdapterHandle? loadedConsolidated = null;
            if (bytes is not null)
            {
                File.WriteAllBytes(consolidatedPath, bytes);
                loadedConsolidated = model.LoadAdapter(consolidatedPath);
            }
            return new AdapterSet(loadedEdits, loadedConsolidated);
        }
        catch
        {
            loadedEdits?.Dispose();
            throw;
        }
        finally
        {
            File.Delete(editsPath);
            File.Delete(consolidatedPath);
        }
    }

    static int generation;

    /// <summary>Adapter files a killed process left (its pid no longer runs): deleted when a memory opens.</summary>
    public static void RemoveStale(string adapterDirectory)
    {
        foreach (string file in Directory.EnumerateFiles(adapterDirectory, "memory-*.gguf"))
        {
            string[] parts = Path.GetFileNameWithoutExtension(file).Split('-');
            if (parts.Length >= 2 && int.TryParse(parts[1], out int pid) && pid != Environment.ProcessId && Running(pid)) continue;
            File.Delete(file);
        }
    }

    static bool Running(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        edits?.Dispose();
        consolidated?.Dispose();
    }
}
