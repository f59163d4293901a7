using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using SleepingLlm.Native;

namespace SleepingLlm.Tests.Native;

/// <summary>
/// Compiles native/abi/abi_probe.c against the pinned headers and checks that every C# mirror has
/// the C struct's size, the same fields, and each at the same offset.
/// </summary>
public sealed class AbiTests
{
    static readonly Lazy<Dictionary<string, long>> Probe = new(RunProbe);

    public static TheoryData<string, Type> Mirrors => new()
    {
        { "llama_model_params", typeof(LlamaModelParams) },
        { "llama_context_params", typeof(LlamaContextParams) },
        { "llama_batch", typeof(LlamaBatch) },
        { "llama_chat_message", typeof(LlamaChatMessage) },
        { "llama_sampler_chain_params", typeof(LlamaSamplerChainParams) },
        { "gguf_init_params", typeof(GgufNative.InitParams) },
        { "ggml_init_params", typeof(GgmlInitParams) },
        { "ggml_type_traits", typeof(GgmlTypeTraits) },
        { "ggml_tensor", typeof(GgmlTensor) },
    };

    [Theory]
    [MemberData(nameof(Mirrors))]
    public void Mirror_has_the_C_size(string cStruct, Type mirror)
    {
        Assert.Equal(Probe.Value[$"{cStruct} size"], Marshal.SizeOf(mirror));
    }

    [Theory]
    [MemberData(nameof(Mirrors))]
    public void Mirror_has_every_C_field_at_the_C_offset(string cStruct, Type mirror)
    {
        var cFields = Probe.Value.Where(kv => kv.Key.StartsWith(cStruct + ".")).ToList();
        var csFields = mirror.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        Assert.Equal(cFields.Count, csFields.Length);
        foreach (var (key, offset) in cFields)
        {
            string cName = key[(cStruct.Length + 1)..^" offset".Length];
            var field = csFields.SingleOrDefault(f => Normalize(f.Name) == Normalize(cName));
            Assert.True(field is not null, $"{mirror.Name} has no field for {cStruct}.{cName}");
            Assert.True(offset == (long)Marshal.OffsetOf(mirror, field!.Name),
                $"{cStruct}.{cName}: C offset {offset}, C# offset {Marshal.OffsetOf(mirror, field.Name)}");
        }
    }

    // n_gpu_layers, NGpuLayers and nGpuLayers name the same field.
    static string Normalize(string name) => name.Replace("_", "").ToLowerInvariant();

    static Dictionary<string, long> RunProbe()
    {
        string source = Path.Combine(RepoPaths.Root, "native", "abi", "abi_probe.c");
        string exe = Path.Combine(Path.GetTempPath(), $"sleepingllm-abi-{Environment.ProcessId}");
        string cc = Environment.GetEnvironmentVariable("CC") is { Length: > 0 } c ? c : "cc";
        Run(cc, $"-I \"{RepoPaths.NativeInclude}\" \"{source}\" -o \"{exe}\"");
        try
        {
            return Run(exe, "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' '))
                .ToDictionary(parts => $"{parts[0]} {parts[1]}", parts => long.Parse(parts[2]));
        }
        finally
        {
            File.Delete(exe);
        }
    }

    static string Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"cannot start {file}");
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} failed: {error}");
        return output;
    }
}
