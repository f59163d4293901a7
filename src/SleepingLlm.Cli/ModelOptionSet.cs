using System.CommandLine;
using SleepingLlm.Inference;

namespace SleepingLlm.Cli;

/// <summary>The options every command that runs a model shares: which model, and how to load it.</summary>
public sealed class ModelOptionSet
{
    readonly Option<string?> model = new("--model", "-m")
    {
        Description = "A GGUF file or a catalog name (looked up in $SLEEPINGLLM_MODELS, then the user data folder). Default: the catalog's default model.",
    };
    readonly Option<int> gpuLayers = new("--gpu-layers") { Description = "Layers to offload to a GPU backend (-1 = all).", DefaultValueFactory = _ => -1 };
    readonly Option<int> contextLength = new("--ctx") { Description = "Context length in tokens (0 = min(4096, the model's))." };
    readonly Option<int> threads = new("--threads", "-t") { Description = "CPU threads (0 = all cores)." };
    readonly Option<bool> halfCache = new("--kv-f16")
    {
        Description = "F16 KV cache with flash attention: half the cache memory, but not the arithmetic the memory's edits were solved on.",
    };

    readonly Option<bool> repack = new("--repack")
    {
        Description = "Let llama.cpp repack weights for its fastest CPU kernels: a second copy of them in memory (see docs/laptop.md).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(model);
        command.Options.Add(gpuLayers);
        command.Options.Add(contextLength);
        command.Options.Add(threads);
        command.Options.Add(halfCache);
        command.Options.Add(repack);
    }

    public string ResolveModel(ParseResult result) => ModelArgument.Resolve(result.GetValue(model));

    public Task<string> ResolveOrPullDefault(ParseResult result, CancellationToken ct) =>
        ModelArgument.ResolveOrPullDefault(result.GetValue(model), ct);

    public ModelOptions ModelOptions(ParseResult result) => new()
    {
        GpuLayers = result.GetValue(gpuLayers),
        ContextLength = result.GetValue(contextLength),
        Threads = result.GetValue(threads),
        HalfPrecisionCache = result.GetValue(halfCache),
        Repack = result.GetValue(repack),
    };
}
