using System.CommandLine;
using SleepingLlm.Models;
using Spectre.Console;

namespace SleepingLlm.Cli.Commands;

/// <summary><c>info MODEL</c>: what a GGUF model is, read from its header by our own GGUF reader.</summary>
public static class InfoCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A GGUF file or a catalog name." };
        var json = Cli.JsonOption();
        var command = new Command("info", "Show a model's architecture, shape, quantization and chat template.");
        command.Arguments.Add(model);
        command.Options.Add(json);
        command.SetAction(result =>
        {
            var info = ModelInfo.Read(ModelArgument.Resolve(result.GetValue(model)));
            var view = new
            {
                path = info.Path,
                file_size = info.FileSize,
                architecture = info.Architecture,
                name = info.Name,
                file_type = info.FileType,
                layers = info.LayerCount,
                n_embd = info.EmbeddingLength,
                n_ff = info.FeedForwardLength,
                n_head = info.HeadCount,
                n_head_kv = info.KvHeadCount,
                n_ctx_train = info.TrainedContextLength,
                rope_freq_base = info.RopeFreqBase,
                rms_norm_eps = info.RmsNormEpsilon,
                vocab_size = info.VocabSize,
                tokenizer = info.TokenizerModel,
                tied_embeddings = info.TiedEmbeddings,
                parameters = info.ParameterCount,
                tensor_types = info.TensorTypeCounts,
                chat_template = info.ChatTemplate,
            };
            if (result.GetValue(json))
            {
                Cli.WriteJson(view);
                return 0;
            }
            var grid = new Grid().AddColumn().AddColumn();
            void Row(string key, object? value) => grid.AddRow(new Text(key), new Text(value?.ToString() ?? "-"));
            Row("path", info.Path);
            Row("size", ModelsCommand.FormatSize(info.FileSize));
            Row("architecture", info.Architecture);
            Row("name", info.Name);
            Row("layers", info.LayerCount);
            Row("n_embd / n_ff", $"{info.EmbeddingLength} / {info.FeedForwardLength}");
            Row("heads / kv heads", $"{info.HeadCount} / {info.KvHeadCount}");
            Row("context (trained)", info.TrainedContextLength);
            Row("rope base / rms eps", $"{info.RopeFreqBase} / {info.RmsNormEpsilon}");
            Row("vocabulary", $"{info.VocabSize} ({info.TokenizerModel})");
            Row("tied embeddings", info.TiedEmbeddings);
            Row("parameters", $"{info.ParameterCount:N0}");
            Row("tensor types", string.Join(", ", info.TensorTypeCounts.Select(kv => $"{kv.Key}×{kv.Value}")));
            Row("chat template", info.ChatTemplate is null ? "none" : $"{info.ChatTemplate.Length} characters");
            AnsiConsole.Write(grid);
            if (info.ChatTemplate is not null)
                AnsiConsole.Write(new Panel(new Text(info.ChatTemplate)).Header("chat template"));
            return 0;
        });
        return command;
    }
}
