using System.CommandLine;
using System.Threading.Channels;
using SleepingLlm.Inference;

namespace SleepingLlm.Cli.Commands;

/// <summary><c>generate -p TEXT</c>: a raw completion, streamed.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var models = new ModelOptionSet();
        var prompt = new Option<string>("--prompt", "-p") { Description = "The text to continue.", Required = true };
        var maxTokens = new Option<int>("--max-tokens", "-n") { Description = "Tokens to generate.", DefaultValueFactory = _ => 128 };
        var sampling = new SamplingOptionSet();
        var json = Cli.JsonOption();
        var command = new Command("generate", "Continue a prompt with the model (no chat template).");
        models.AddTo(command);
        command.Options.Add(prompt);
        command.Options.Add(maxTokens);
        sampling.AddTo(command);
        command.Options.Add(json);
        command.SetAction(async (result, cancel) =>
        {
            await using var engine = await Engine.StartAsync(models.ResolveModel(result), models.ModelOptions(result));
            bool asJson = result.GetValue(json);
            var text = Channel.CreateUnbounded<string>();
            var generation = engine.GenerateAsync(result.GetValue(prompt)!, sampling.Settings(result),
                result.GetValue(maxTokens), asJson ? null : text.Writer, cancel);
            if (!asJson)
                await foreach (string piece in text.Reader.ReadAllAsync(CancellationToken.None))
                    Console.Write(piece);
            var done = await generation;
            if (asJson)
                Cli.WriteJson(new
                {
                    model = engine.ModelPath,
                    prompt = result.GetValue(prompt),
                    text = done.Text,
                    prompt_tokens = done.PromptTokens,
                    generated_tokens = done.GeneratedTokens,
                    stop_reason = Cli.Snake(done.StopReason),
                });
            else
                Console.WriteLine();
            return 0;
        });
        return command;
    }
}
