using System.CommandLine;
using SleepingLlm.Inference;

namespace SleepingLlm.Cli;

/// <summary>Sampler options shared by generate and chat.</summary>
public sealed class SamplingOptionSet
{
    static readonly SamplerSettings Defaults = new();
    readonly Option<float> temperature = new("--temp") { Description = "Temperature (0 = greedy, deterministic).", DefaultValueFactory = _ => Defaults.Temperature };
    readonly Option<float> topP = new("--top-p") { Description = "Nucleus sampling threshold.", DefaultValueFactory = _ => Defaults.TopP };
    readonly Option<float> minP = new("--min-p") { Description = "Minimum probability relative to the top token.", DefaultValueFactory = _ => Defaults.MinP };
    readonly Option<float> repeatPenalty = new("--repeat-penalty") { Description = "Penalty for repeating recent tokens (1 = off).", DefaultValueFactory = _ => Defaults.RepeatPenalty };
    readonly Option<uint?> seed = new("--seed") { Description = "Random seed (default: random)." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { temperature, topP, minP, repeatPenalty, seed })
            command.Options.Add(option);
    }

    public SamplerSettings Settings(ParseResult result) => new()
    {
        Temperature = result.GetValue(temperature),
        TopP = result.GetValue(topP),
        MinP = result.GetValue(minP),
        RepeatPenalty = result.GetValue(repeatPenalty),
        Seed = result.GetValue(seed),
    };
}
