using System.CommandLine;
using System.Threading.Channels;
using SleepingLlm.Chat;
using SleepingLlm.Conversation;
using SleepingLlm.Inference;

namespace SleepingLlm.Cli.Commands;

/// <summary>
/// <c>chat</c>: a conversation under the model's chat template; full-screen (<see cref="ChatApp"/>) in a
/// terminal, line mode when piped, with <c>--json</c> or with <c>--line</c>.
/// </summary>
public static class ChatCommand
{
    public static Command Create()
    {
        var models = new ModelOptionSet();
        var sampling = new SamplingOptionSet();
        var maxTokens = new Option<int>("--max-tokens", "-n") { Description = "Most tokens per reply.", DefaultValueFactory = _ => 512 };
        var json = Cli.JsonOption();
        json.Description = "Read user lines from stdin and print one JSON object per reply.";
        var lineMode = new Option<bool>("--line") { Description = "Line mode even in a terminal (the default there is the full-screen chat)." };
        var memory = new Option<string?>("--memory") { Description = "The memory folder (default: the user data folder)." };
        var noMemory = new Option<bool>("--no-memory") { Description = "Chat with the bare model, without its memories." };
        var mode = new Option<string>("--memory-mode")
        {
            Description = "How the memories reach the chat: weights (the adapter), prompt (every fact in the system prompt), " +
                          "rag (the best-matching facts in the system prompt) or hybrid (weights, plus rag over facts sleep has not consolidated).",
            DefaultValueFactory = _ => "weights",
        };
        mode.AcceptOnlyFromAmong([.. Memory.MemoryModes.All.Select(Memory.MemoryModes.Name)]);
        var confirm = new Option<bool>("--confirm") { Description = "Ask before writing each fact extracted from what you say (full screen: /yes or /no)." };
        var userFacts = new Option<string>("--user-facts")
        {
            Description = "How what you say about yourself is kept: weights (MEMIT edits keyed on your questions, nothing in the context; the default), relevant (the matching facts in the system prompt), profile (all of them) or both.",
            DefaultValueFactory = _ => UserFactsModes.Name(UserFactsModes.Default),
        };
        userFacts.AcceptOnlyFromAmong([.. Enum.GetValues<UserFactsMode>().Select(UserFactsModes.Name)]);
        var corpus = new Option<string?>("--corpus")
        {
            Description = "Text file for the key statistics of the first memory (default: text the model writes itself, computed in the background from the start).",
        };
        var autoSleep = new Option<string>("--auto-sleep")
        {
            Description = "on (the default): the full-screen chat sleeps by itself when a write takes the sleep pressure over its threshold " +
                          "(memories in the weights over the edit budget less 5, or recall falling at the last audit), as Ctrl+S does; off: only Ctrl+S and /sleep.",
            DefaultValueFactory = _ => "on",
        };
        autoSleep.AcceptOnlyFromAmong("on", "off");
        var ragCount = new Option<int>("--rag-k") { Description = "Facts retrieved per message in rag and hybrid modes.", DefaultValueFactory = _ => Memory.MemoryPrompt.DefaultRagCount };
        var command = new Command("chat", "Chat with the model: full-screen in a terminal (F1 help), else line mode (/reset starts over, /compact summarises older turns, /exit or Ctrl+D leaves).");
        models.AddTo(command);
        sampling.AddTo(command);
        command.Options.Add(maxTokens);
        command.Options.Add(json);
        command.Options.Add(lineMode);
        command.Options.Add(memory);
        command.Options.Add(noMemory);
        command.Options.Add(mode);
        command.Options.Add(ragCount);
        command.Options.Add(confirm);
        command.Options.Add(userFacts);
        command.Options.Add(corpus);
        command.Options.Add(autoSleep);
        command.SetAction(async (result, cancel) =>
        {
            await using var engine = await Engine.StartAsync(await models.ResolveOrPullDefault(result, cancel), models.ModelOptions(result),
                result.GetValue(noMemory) ? null : result.GetValue(memory) ?? "", result.GetValue(corpus),
                mode: Memory.MemoryModes.Parse(result.GetValue(mode)!), ragCount: result.GetValue(ragCount),
                userFacts: UserFactsModes.Parse(result.GetValue(userFacts)!));
            if (engine.ChatTemplate is null)
                throw new SleepingLlmException($"{Path.GetFileName(engine.ModelPath)} has no chat template; use generate");
            bool asJson = result.GetValue(json);
            if (!asJson && !result.GetValue(lineMode) && ChatApp.CanRun())
            {
                await ChatApp.RunAsync(engine, new ChatOptions(sampling.Settings(result), result.GetValue(maxTokens), result.GetValue(confirm),
                    AutoSleep: result.GetValue(autoSleep) == "on"), cancel);
                return 0;
            }
            if (!asJson) Console.Error.WriteLine($"{Path.GetFileName(engine.ModelPath)} ready. /reset starts over, /compact summarises older turns, /remember TEXT remembers, /exit leaves.");
            var learner = new LineLearner(engine, result.GetValue(confirm), asJson);
            while (!cancel.IsCancellationRequested)
            {
                if (!asJson) Console.Write("> ");
                string? line = await Console.In.ReadLineAsync(cancel);
                if (line is null || line.Trim() == "/exit") break;
                if (line.Trim().Length == 0) continue;
                if (line.Trim() == "/reset")
                {
                    await engine.ResetChatAsync();
                    continue;
                }
                if (line.Trim() == "/compact")
                {
                    var compacted = await engine.CompactChatAsync(result.GetValue(maxTokens));
                    if (asJson) Cli.WriteJsonLine(new { compacted = compacted.TurnsSummarised, tokens_before = compacted.TokensBefore, tokens_after = compacted.TokensAfter });
                    else Console.Error.WriteLine($"{compacted.TurnsSummarised} turns summarised: {compacted.TokensBefore} → {compacted.TokensAfter} prompt tokens");
                    continue;
                }
                if (line.Trim().StartsWith("/remember ", StringComparison.Ordinal))
                {
                    string text = line.Trim()["/remember ".Length..];
                    var remembered = await learner.Learn(text, ask: false);
                    if (asJson) Cli.WriteJsonLine(new { remember = text, facts = remembered });
                    continue;
                }
                var done = await Reply(engine, line, sampling.Settings(result), result.GetValue(maxTokens), asJson);
                var facts = await learner.Learn(line, ask: true);
                if (asJson)
                    Cli.WriteJsonLine(new { user = line, assistant = done.Text.Trim(), prompt_tokens = done.PromptTokens, generated_tokens = done.GeneratedTokens,
                        stop_reason = Cli.Snake(done.StopReason), facts });
            }
            return 0;
        });
        return command;
    }

    /// <summary>Streams one reply; Ctrl+C stops the reply, not the chat.</summary>
    static async Task<GenerationResult> Reply(Engine engine, string line, SamplerSettings settings, int maxTokens, bool asJson)
    {
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var text = Channel.CreateUnbounded<string>();
            var reply = engine.ChatAsync(line, settings, maxTokens, asJson ? null : text.Writer, stop.Token);
            if (!asJson)
                await foreach (string piece in text.Reader.ReadAllAsync(CancellationToken.None))
                    Console.Write(piece);
            var done = await reply;
            if (!asJson) Console.WriteLine();
            return done;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
