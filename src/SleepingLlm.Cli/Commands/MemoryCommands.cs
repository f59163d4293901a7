using System.CommandLine;
using SleepingLlm.Conversation;
using SleepingLlm.Eval;
using SleepingLlm.Wake;

namespace SleepingLlm.Cli.Commands;

/// <summary><c>remember</c>, <c>facts</c>, <c>recall</c>, <c>forget</c>, <c>pin</c>, <c>unpin</c>, <c>export-adapter</c>, <c>firing</c>: the model's memory from the command line.</summary>
public static class MemoryCommands
{
    static Option<string?> MemoryOption() => new("--memory") { Description = "The memory folder (default: the user data folder)." };

    /// <summary>
    /// The memory commands do not chat: their context holds a recall prompt at most, so without <c>--ctx</c>
    /// it is this long (a 4096-token F32 cache is 0.9 GB at 3B).
    /// </summary>
    const int CommandContext = 1024;

    static async Task<Engine> Start(ModelOptionSet models, ParseResult result, Option<string?> memory, Option<string?>? corpus = null)
    {
        var options = models.ModelOptions(result);
        if (options.ContextLength <= 0) options = options with { ContextLength = CommandContext };
        return await Engine.StartAsync(models.ResolveModel(result), options, result.GetValue(memory) ?? "",
            corpus is null ? null : result.GetValue(corpus));
    }

    public static IEnumerable<Command> Create() => [Remember(), Facts(), Recall(), Forget(), Pin(pinned: true), Pin(pinned: false), Export(), Firing()];

    static Command Remember()
    {
        var models = new ModelOptionSet();
        var memory = MemoryOption();
        var subject = new Argument<string?>("subject") { Arity = ArgumentArity.ZeroOrOne };
        var relation = new Argument<string?>("relation") { Arity = ArgumentArity.ZeroOrOne };
        var obj = new Argument<string?>("object") { Arity = ArgumentArity.ZeroOrOne };
        var prompt = new Option<string?>("--prompt") { Description = "The raw prompt that ends right before the object, e.g. \"X drives a\"." };
        var objectOption = new Option<string?>("--object") { Description = "The object, with --prompt." };
        var question = new Option<string?>("--question") { Description = "The chat question that asks for it." };
        var file = new Option<string?>("--file") { Description = "Facts in the format of facts-people.json." };
        var count = new Option<int>("--n") { Description = "With --file: how many facts.", DefaultValueFactory = _ => int.MaxValue };
        var corpus = new Option<string?>("--corpus") { Description = "Text for the key statistics of the first write (default: text the model writes itself)." };
        var json = Cli.JsonOption();
        var command = new Command("remember", "Write a fact into the model's weights: SUBJECT RELATION OBJECT, or --prompt and --object, or --file.");
        foreach (var a in new[] { subject, relation, obj }) command.Arguments.Add(a);
        models.AddTo(command);
        foreach (var o in new Option[] { memory, prompt, objectOption, question, file, count, corpus, json }) command.Options.Add(o);
        command.SetAction(async (result, _) =>
        {
            var facts = new List<(Fact Fact, IReadOnlyList<string>? Paraphrases)>();
            if (result.GetValue(file) is { } path)
                facts.AddRange(FactSet.Load(path).Take(result.GetValue(count)).Select(r => (r.ToFact(), r.Paraphrases)));
            else if (result.GetValue(prompt) is { } p && result.GetValue(objectOption) is { } o)
                facts.Add((new Fact(result.GetValue(subject) ?? p.Split(' ')[0], result.GetValue(relation) ?? "fact", o, p, result.GetValue(question)), null));
            else if (result.GetValue(subject) is { } s && result.GetValue(relation) is { } r && result.GetValue(obj) is { } ob)
                facts.Add((UserProfile.FromTriple(s, r, ob, result.GetValue(question)), null));
            else
                throw new SleepingLlmException("remember needs SUBJECT RELATION OBJECT, --prompt with --object, or --file");
            // Every fact is checked before the model loads: a bad one must not cost the minutes of the ones before it.
            foreach (var (fact, _) in facts) fact.Validate();
            foreach (var (fact, _) in facts.Where(f => f.Fact.Question is null))
                Console.Error.WriteLine($"note: \"{fact.Prompt} {fact.Object}\" has no chat question, so chat is not trained for it; add --question \"…\"");
            await using var engine = await Start(models, result, memory, corpus);
            var progress = new Progress<string>(line => Console.Error.WriteLine(line));
            foreach (var (fact, paraphrases) in facts)
            {
                var done = await engine.RememberAsync(fact, paraphrases, progress);
                if (done.Notice is { } notice) Console.Error.WriteLine($"note: {notice}");
                if (result.GetValue(json))
                    Cli.WriteJsonLine(new { id = done.Id, replaced = done.Replaced, fact.Subject, fact.Relation, fact.Object, value_loss = done.ValueLoss, realised = done.Realised, seconds = done.Elapsed.TotalSeconds });
                else
                    Console.WriteLine($"#{done.Id} {fact.Subject} {fact.Relation} {fact.Object}" + (done.Replaced is { } old ? $" (replaces #{old})" : "") + $"  [{done.Elapsed.TotalSeconds:F1} s]");
            }
            return 0;
        });
        return command;
    }

    static Command Facts()
    {
        var models = new ModelOptionSet();
        var memory = MemoryOption();
        var json = Cli.JsonOption();
        var command = new Command("facts", "List the model's memories.");
        models.AddTo(command);
        command.Options.Add(memory);
        command.Options.Add(json);
        command.SetAction(async (result, _) =>
        {
            await using var engine = await Start(models, result, memory);
            var facts = await engine.FactsAsync();
            if (result.GetValue(json))
                Cli.WriteJson(facts.Select(f => new { f.Id, f.Subject, f.Relation, f.Object, f.Prompt, f.Question, f.Stage, f.Scale, f.Created, f.LastRecall, f.Recalled, f.Pinned }));
            else if (facts.Count == 0)
                Console.WriteLine("no memories yet");
            else
                foreach (var f in facts) Console.WriteLine($"#{f.Id,-4} {f.Subject} | {f.Relation} | {f.Object}   stage {f.Stage}, scale {f.Scale:F2}{(f.Pinned ? ", pinned" : "")}");
            return 0;
        });
        return command;
    }

    static Command Recall()
    {
        var models = new ModelOptionSet();
        var memory = MemoryOption();
        var question = new Argument<string>("question");
        var json = Cli.JsonOption();
        var command = new Command("recall", "Ask the model a question in chat (greedy), with its memories.");
        command.Arguments.Add(question);
        models.AddTo(command);
        command.Options.Add(memory);
        command.Options.Add(json);
        command.SetAction(async (result, _) =>
        {
            await using var engine = await Start(models, result, memory);
            string answer = await engine.AskAsync(result.GetValue(question)!);
            if (result.GetValue(json)) Cli.WriteJson(new { question = result.GetValue(question), answer });
            else Console.WriteLine(answer);
            return 0;
        });
        return command;
    }

    static Command Forget()
    {
        var models = new ModelOptionSet();
        var memory = MemoryOption();
        var id = new Argument<long>("id");
        var command = new Command("forget", "Remove a memory; its contribution to the weights is removed exactly.");
        command.Arguments.Add(id);
        models.AddTo(command);
        command.Options.Add(memory);
        command.SetAction(async (result, _) =>
        {
            await using var engine = await Start(models, result, memory);
            if (!await engine.ForgetAsync(result.GetValue(id))) throw new SleepingLlmException($"no active memory #{result.GetValue(id)}");
            Console.WriteLine($"forgot #{result.GetValue(id)}");
            return 0;
        });
        return command;
    }

    /// <summary><c>pin ID</c> keeps a memory's edit through every sleep's Prune; <c>unpin ID</c> lets Prune dissolve it again.</summary>
    static Command Pin(bool pinned)
    {
        var models = new ModelOptionSet();
        var memory = MemoryOption();
        var id = new Argument<long>("id");
        var json = Cli.JsonOption();
        var command = pinned
            ? new Command("pin", "Pin a memory: a sleep never prunes its edit out of the weights, however many memories there are.")
            : new Command("unpin", "Unpin a memory: a sleep may prune its edit again once the consolidated adapter carries it.");
        command.Arguments.Add(id);
        models.AddTo(command);
        command.Options.Add(memory);
        command.Options.Add(json);
        command.SetAction(async (result, _) =>
        {
            long target = result.GetValue(id);
            await using var engine = await Start(models, result, memory);
            if (!await engine.PinAsync(target, pinned)) throw new SleepingLlmException($"no active memory #{target}");
            if (result.GetValue(json)) Cli.WriteJson(new { id = target, pinned });
            else Console.WriteLine($"{(pinned ? "pinned" : "unpinned")} #{target}");
            return 0;
        });
        return command;
    }

    static Command Firing()
    {
        var models = new ModelOptionSet();
        var memory = MemoryOption();
        var text = new Argument<string>("text");
        var json = Cli.JsonOption();
        var command = new Command("firing",
            "Where the memories act on a text: per token, the norm of what the edit layers add (summed over them) beside the hidden state's norm. " +
            "A written subject's last token gets about its edit; a token of anything else should get little.");
        command.Arguments.Add(text);
        models.AddTo(command);
        command.Options.Add(memory);
        command.Options.Add(json);
        command.SetAction(async (result, _) =>
        {
            await using var engine = await Start(models, result, memory);
            var tokens = await engine.FiringAsync(result.GetValue(text)!);
            if (result.GetValue(json)) Cli.WriteJson(tokens.Select(t => new { token = t.Token, added = t.Added, hidden = t.Hidden }));
            else
                foreach (var t in tokens) Console.WriteLine($"{t.Token,-16} {t.Added,8:F1} {t.Hidden,8:F1}");
            return 0;
        });
        return command;
    }

    static Command Export()
    {
        var models = new ModelOptionSet();
        var memory = MemoryOption();
        var path = new Argument<string>("path");
        var consolidated = new Option<string?>("--consolidated") { Description = "Also write the adapter sleep consolidated to this path (load both with --lora)." };
        var command = new Command("export-adapter", "Write the memories' MEMIT edits as a GGUF LoRA adapter that llama.cpp tools load (--lora).");
        command.Arguments.Add(path);
        models.AddTo(command);
        command.Options.Add(memory);
        command.Options.Add(consolidated);
        command.SetAction(async (result, _) =>
        {
            await using var engine = await Start(models, result, memory);
            string? written = await engine.ExportAdapterAsync(Path.GetFullPath(result.GetValue(path)!));
            Console.WriteLine(written is null ? "no MEMIT edits: nothing written" : $"wrote {written}");
            if (result.GetValue(consolidated) is { } second)
            {
                string? slept = await engine.ExportConsolidatedAsync(Path.GetFullPath(second));
                Console.WriteLine(slept is null ? "no sleep has consolidated anything yet: nothing written" : $"wrote {slept}");
            }
            return 0;
        });
        return command;
    }
}
