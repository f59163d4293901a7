using System.Collections.Concurrent;
using SleepingLlm.Gguf;
using SleepingLlm.Synth;

namespace SleepingLlm.Tests.Synth;

/// <summary>Synthetic models written once per test class into a temporary folder, by shape, type, seed and donor.</summary>
public sealed class SynthFiles : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("sleepingllm-synth-").FullName;
    readonly ConcurrentDictionary<string, Lazy<string>> files = new();

    public string Folder => folder;

    /// <summary>A preset at a type, with SmolLM2's tokenizer unless another donor is given.</summary>
    public string Get(string preset, GgmlType type, int seed = 0, string? donor = null) =>
        Get(SynthShape.Preset(preset), preset, type, seed, donor);

    public string Get(SynthShape shape, string label, GgmlType type, int seed = 0, string? donor = null)
    {
        donor ??= TestModels.SmolLm2;
        var name = $"{label}-{type.Name()}-{seed}-{Path.GetFileNameWithoutExtension(donor)}.gguf";
        return files.GetOrAdd(name, _ => new Lazy<string>(() =>
        {
            var path = Path.Combine(folder, name);
            SynthModel.Write(shape, type, donor, path, seed, progress: null);
            return path;
        })).Value;
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
