using System.CommandLine;
using System.Runtime.InteropServices;
using SleepingLlm.Gguf;
using SleepingLlm.Synth;
using Spectre.Console;

namespace SleepingLlm.Cli.Commands;

/// <summary><c>synth</c>: a random-weight GGUF model of any Llama/Qwen2 shape, with a donor model's tokenizer.</summary>
public static class SynthCommand
{
    public static Command Create()
    {
        var shape = new Option<string?>("--shape") { Description = $"A preset shape: {string.Join(", ", SynthShape.Presets.Keys)}. The dimension options override it." };
        var arch = new Option<string?>("--arch") { Description = "Architecture: llama or qwen2 (default: the preset's, else llama)." };
        var layers = new Option<int?>("--layers") { Description = "n_layer." };
        var embd = new Option<int?>("--embd") { Description = "n_embd." };
        var ff = new Option<int?>("--ff") { Description = "n_ff (feed-forward width)." };
        var heads = new Option<int?>("--heads") { Description = "Attention heads." };
        var kvHeads = new Option<int?>("--kv-heads") { Description = "Key/value heads (default: the preset's, else --heads)." };
        var ctx = new Option<int?>("--ctx") { Description = "Trained context length written to the header." };
        var tied = new Option<bool?>("--tied") { Description = "Tie the output projection to the token embedding (--tied, or --tied false to untie a preset)." };
        var type = new Option<string>("--type") { Description = $"Weight type: {string.Join(", ", SynthModel.SupportedTypes.Select(t => t.Name().ToLowerInvariant()))}.", DefaultValueFactory = _ => "q4_k" };
        var donor = new Option<string?>("--donor") { Description = "GGUF file or catalog name whose tokenizer (and vocabulary size) the model gets. Default: the catalog's default model." };
        var output = new Option<string>("--output", "-o") { Description = "The GGUF file to write.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the random weights.", DefaultValueFactory = _ => 0 };
        var json = Cli.JsonOption();

        var command = new Command("synth", "Write a random-weight model of any Llama/Qwen2 shape, for tests and benchmarks.");
        foreach (var option in new Option[] { shape, arch, layers, embd, ff, heads, kvHeads, ctx, tied, type, donor, output, seed, json })
            command.Options.Add(option);
        command.SetAction((result, cancel) =>
        {
            SynthShape synthShape;
            if (result.GetValue(shape) is { } preset)
                synthShape = SynthShape.Preset(preset);
            else if (result.GetValue(layers) is { } l && result.GetValue(embd) is { } e && result.GetValue(ff) is { } f && result.GetValue(heads) is { } h)
                synthShape = new SynthShape(SynthShape.Llama, l, e, f, h, h);
            else
                throw new SleepingLlmException("give --shape PRESET, or --layers, --embd, --ff and --heads");
            synthShape = synthShape with
            {
                Architecture = result.GetValue(arch) ?? synthShape.Architecture,
                LayerCount = result.GetValue(layers) ?? synthShape.LayerCount,
                EmbeddingLength = result.GetValue(embd) ?? synthShape.EmbeddingLength,
                FeedForwardLength = result.GetValue(ff) ?? synthShape.FeedForwardLength,
                HeadCount = result.GetValue(heads) ?? synthShape.HeadCount,
                KvHeadCount = result.GetValue(kvHeads) ?? synthShape.KvHeadCount,
                ContextLength = result.GetValue(ctx) ?? synthShape.ContextLength,
                TiedEmbeddings = result.GetValue(tied) ?? synthShape.TiedEmbeddings,
            };
            var weightType = ParseType(result.GetValue(type)!);
            var donorPath = ModelArgument.Resolve(result.GetValue(donor));
            var outputPath = result.GetValue(output)!;

            // Ctrl+C or SIGTERM stops the writing cleanly, so the temporary file is removed instead of left behind.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
            using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            SynthResult Run(IProgress<double>? progress)
            {
                Console.CancelKeyPress += onCancel;
                try
                {
                    return SynthModel.Write(synthShape, weightType, donorPath, outputPath, result.GetValue(seed), progress, stop.Token);
                }
                finally
                {
                    Console.CancelKeyPress -= onCancel;
                }
            }

            if (result.GetValue(json))
            {
                var done = Run(null);
                var s = done.Plan.Shape;
                Cli.WriteJson(new
                {
                    path = done.Path,
                    file_size = done.FileSize,
                    architecture = s.Architecture,
                    layers = s.LayerCount,
                    n_embd = s.EmbeddingLength,
                    n_ff = s.FeedForwardLength,
                    n_head = s.HeadCount,
                    n_head_kv = s.KvHeadCount,
                    n_ctx_train = s.ContextLength,
                    tied_embeddings = s.TiedEmbeddings,
                    vocab_size = done.Plan.VocabSize,
                    weight_type = weightType.Name(),
                    tensors = done.Plan.Tensors.Count,
                    parameters = done.Plan.ParameterCount,
                    tensor_types = done.Plan.TypeCounts,
                    seed = done.Seed,
                    donor = done.Donor,
                    seconds = Math.Round(done.Elapsed.TotalSeconds, 3),
                });
                return Task.FromResult(0);
            }

            var plan = SynthModel.Plan(synthShape, weightType, SynthModel.DonorVocabSize(donorPath));
            var title = $"{synthShape.Architecture} {synthShape.LayerCount}x{synthShape.EmbeddingLength} {weightType.Name()}, " +
                        $"{plan.ParameterCount:N0} parameters, {ModelsCommand.FormatSize(plan.DataSectionBytes())}";
            Console.WriteLine($"synthesizing {title} -> {outputPath}");
            var written = Console.IsOutputRedirected || Console.IsErrorRedirected
                ? Run(LineProgress())
                : AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                    .Start(context =>
                    {
                        var task = context.AddTask("writing", maxValue: 1.0);
                        return Run(new InlineProgress<double>(p => task.Value = p));
                    });
            Console.WriteLine($"wrote {written.Path} ({ModelsCommand.FormatSize(written.FileSize)}, {written.Plan.Tensors.Count} tensors, " +
                              $"vocabulary {written.Plan.VocabSize} from {Path.GetFileName(written.Donor)}) in {written.Elapsed.TotalSeconds:0.0} s");
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>"q4_k", "Q4_K" or "q4_K" → Q4_K.</summary>
    static GgmlType ParseType(string text)
    {
        foreach (var t in GgmlTypes.All)
            if (t.Name().Equals(text, StringComparison.OrdinalIgnoreCase)) return t;
        throw new SleepingLlmException(
            $"unknown weight type '{text}'; use one of {string.Join(", ", SynthModel.SupportedTypes.Select(t => t.Name().ToLowerInvariant()))}");
    }

    /// <summary>For logs and pipes: a line per tenth instead of a redrawn bar.</summary>
    static IProgress<double> LineProgress()
    {
        var last = -1;
        return new InlineProgress<double>(p =>
        {
            var tenth = (int)(p * 10);
            if (tenth == last) return;
            last = tenth;
            Console.WriteLine($"writing {tenth * 10,3}%");
        });
    }
}
