using System.CommandLine;
using SleepingLlm.Eval;
using SleepingLlm.Wake;

namespace SleepingLlm.Cli.Commands;

/// <summary>
/// <c>eval wake --facts FILE</c>: write facts one at a time into a fresh memory and measure recall, locality, perplexity, time and size,
/// at checkpoints with <c>--curve</c>; <c>eval chat-facts</c>, <c>eval modes</c> and <c>eval counterfact</c> hand over to their commands.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var models = new ModelOptionSet();
        var facts = new Option<string?>("--facts") { Description = "Facts in the format of facts-people.json." };
        var chatFacts = new Option<string?>("--chat-facts")
        {
            Description = "Replay first-person messages (chat-facts.json) as a chat, extract and write their facts, restart, and ask the recall questions; plus a small-talk conversation that must yield no fact.",
        };
        var userFacts = new Option<string>("--user-facts")
        {
            Description = "With --chat-facts: how the user's facts are kept: weights (MEMIT; the default), relevant or profile (system prompt) or both.",
            DefaultValueFactory = _ => Conversation.UserFactsModes.Name(Conversation.UserFactsModes.Default),
        };
        var count = new Option<int>("--n") { Description = "How many facts to write.", DefaultValueFactory = _ => 10 };
        Cli.AtLeastOne(count);
        var corpus = new Option<string?>("--corpus") { Description = "Text for the key covariance (default: text the model writes itself)." };
        var wiki = new Option<string?>("--wikitext")
        {
            Description = "WikiText file for perplexity before and after: 16×512 tokens from its second half; refused where they overlap the --corpus text.",
        };
        var layers = new Option<string?>("--layers") { Description = "Edit layers, e.g. 4-8 (default: by the model's depth)." };
        var lambda = new Option<double?>("--lambda") { Description = "Covariance weight λ of the solve." };
        var nullSpace = new Option<double?>("--null-space")
        {
            Description = "AlphaEdit's null-space projection: the edit only uses key directions whose covariance eigenvalue is below this times the mean (0 = off).",
        };
        var constraintWeight = new Option<double?>("--constraint-weight") { Description = "Weight of earlier memories' keys in the solve beside the new ones (1 = alike)." };
        var steps = new Option<int?>("--steps") { Description = "v* optimisation steps." };
        var rate = new Option<float?>("--lr") { Description = "v* learning rate (Adam)." };
        var clamp = new Option<float?>("--clamp") { Description = "‖δ‖ ≤ clamp·‖h‖." };
        var stopLoss = new Option<float?>("--stop-loss") { Description = "v* stops once the object's mean NLL is below this." };
        var noQuestion = new Option<bool>("--no-question-form") { Description = "v* does not train the fact's question as plain text (\"Question: … Answer:\")." };
        var chatAnswer = new Option<ChatAnswer?>("--chat-answer") { Description = "Chat answers v* trains: direct (starts with the object), restated (restates the prompt first) or both." };
        var decoys = new Option<int?>("--decoys") { Description = "Made-up namesakes per write whose keys the edit must leave alone." };
        var otherPerson = new Option<double?>("--other-person-weight")
        {
            Description = "Weight of a user fact's questions asked about someone else (\"Where do they live?\"), held unedited in its solve (0 = off).",
        };
        var decoyWeight = new Option<double?>("--decoy-weight") { Description = "Weight of a namesake's key in the solve." };
        var subjects = new Option<double?>("--subject-weight") { Description = "Weight of made-up names' keys beside the text covariance (0 = off)." };
        var chatWeight = new Option<double?>("--chat-weight") { Description = "Weight of ordinary chat turns' keys (every token) beside the text covariance (0 = off)." };
        var prefixes = new Option<int?>("--prefixes") { Description = "Self-written context prefixes per raw prompt (0..5)." };
        var rawOnly = new Option<bool>("--raw-keys-only") { Description = "Key edits at the raw prompt only (no chat-turn column)." };
        var output = new Option<string?>("--json") { Description = "Write the report as JSON to this file." };
        var ordinaryTurns = new Option<string?>("--ordinary-turns")
        {
            Description = "With --chat-facts: the chat locality's ordinary turns from this file (format of docs/ordinary-turns-heldout.json; default: the built-in 50).",
        };
        var compare = new Option<string[]>("--compare")
        {
            Description = "With --chat-facts: also run the same eval with these --user-facts modes (e.g. relevant) and put them in the same report.",
            AllowMultipleArgumentsPerToken = true,
        };
        var curve = new Option<bool>("--curve") { Description = "Measure at 10, 25, 50, 100, 200, … facts while writing, not only at the end." };
        var curveSvg = new Option<string?>("--curve-svg") { Description = "Draw the curve to this SVG file (default with --curve: beside the --json file)." };
        var keep = new Option<string?>("--keep-memory") { Description = "Write the memory into this empty folder and keep it (default: a temporary one)." };
        var modes = new Option<string?>("--modes") { Description = "Compare memory modes on the same facts instead, e.g. weights,prompt,rag,hybrid (eval-modes)." };
        var memory = new Option<string?>("--memory")
        {
            Description = "With --modes: a memory already written whose first facts are the file's (default: write one when a mode needs weights). " +
                          "With --chat-facts: an empty folder to write the memory into and keep (default: a temporary one).",
        };
        var ragCount = new Option<int>("--rag-k") { Description = "With --modes: facts retrieved per message.", DefaultValueFactory = _ => Memory.MemoryPrompt.DefaultRagCount };
        var withReport = new Option<string[]>("--with-report")
        {
            Description = "With --modes: earlier eval --modes JSON reports on the same facts file, whose points are shown and drawn beside these (repeatable).",
            AllowMultipleArgumentsPerToken = true,
        };
        var counterFact = new Option<string?>("--counterfact") { Description = "CounterFact records (EasyEdit JSON): locality over their first 50 locality prompts." };
        var counterFactEdits = new Option<string?>("--counterfact-edits")
        {
            Description = "Write the first --n CounterFact requests (EasyEdit JSON) one at a time and score them as the papers do: efficacy, paraphrase, neighbourhood, generation; with --curve at 10, 50, 100, 200, 500.",
        };
        var command = new Command("eval", "Measure a memory: `eval wake` (the default), `eval chat-facts`, `eval modes`, `eval counterfact`, `eval cycles`; the older spellings " +
            "(--facts, --chat-facts F, --modes M, --counterfact-edits F on eval itself) run the same.");
        Option[] all = [facts, chatFacts, userFacts, count, corpus, wiki, layers, lambda, nullSpace, constraintWeight, steps, rate, clamp, stopLoss, subjects, chatWeight, chatAnswer, noQuestion, decoys, otherPerson, decoyWeight, prefixes, rawOnly, output, compare, ordinaryTurns, curve, curveSvg, counterFact, counterFactEdits, keep, modes, memory, ragCount, withReport];
        models.AddTo(command);
        foreach (var option in all) command.Options.Add(option);
        command.SetAction((result, _) => Run(result, null, null));
        foreach (var (name, description) in Subcommands)
        {
            var sub = new Command(name, description);
            models.AddTo(sub);
            foreach (var option in all) sub.Options.Add(option);
            // The data file of chat-facts and counterfact may come as the argument (`eval counterfact F`) or as the old option.
            var file = name is "chat-facts" or "counterfact" ? new Argument<string?>("FILE") { Arity = ArgumentArity.ZeroOrOne, Description = "The data file." } : null;
            if (file is not null) sub.Arguments.Add(file);
            sub.SetAction((result, _) => Run(result, name, file is null ? null : result.GetValue(file)));
            command.Subcommands.Add(sub);
        }
        command.Subcommands.Add(CyclesEvalCommand.Create());
        return command;

        async Task<int> Run(ParseResult result, string? kind, string? file)
        {
            kind ??= result.GetValue(chatFacts) is not null ? "chat-facts" : result.GetValue(counterFactEdits) is not null ? "counterfact"
                : result.GetValue(modes) is not null ? "modes" : "wake";
            string path = models.ResolveModel(result);
            if (kind == "chat-facts")
                return await ChatMemoryEvalCommand.Run(new ChatMemoryEvalCommand.Request(path, models.ModelOptions(result),
                    file ?? result.GetValue(chatFacts) ?? throw new SleepingLlmException("eval chat-facts needs a chat-facts file"),
                    result.GetValue(memory), result.GetValue(userFacts)!, result.GetValue(output), result.GetValue(corpus),
                    result.GetValue(count) is var n && result.GetResult(count) is { Implicit: false } ? n : null, Settings(),
                    result.GetValue(compare) ?? [], result.GetValue(ordinaryTurns)));
            // Settings are checked before the model loads: a mistyped option costs nothing.
            WakeSettings Settings()
            {
                int depth = Models.ModelInfo.Read(path).LayerCount;
                var settings = WakeSettings.For(depth);
                if (result.GetValue(layers) is { } spec) settings = settings with { Layers = LayerRange.Parse(spec, depth) };
                if (result.GetValue(lambda) is { } l) settings = settings with { Lambda = l };
                if (result.GetValue(nullSpace) is { } ns) settings = settings with { NullSpace = ns };
                if (result.GetValue(constraintWeight) is { } cw) settings = settings with { ConstraintWeight = cw };
                if (result.GetValue(subjects) is { } sw) settings = settings with { SubjectWeight = sw };
                if (result.GetValue(chatWeight) is { } chw) settings = settings with { ChatWeight = chw };
                if (result.GetValue(steps) is { } s) settings = settings with { ValueSteps = s };
                if (result.GetValue(rate) is { } r) settings = settings with { ValueLearningRate = r };
                if (result.GetValue(clamp) is { } cf) settings = settings with { ClampFactor = cf };
                if (result.GetValue(prefixes) is { } np) settings = settings with { ContextPrefixes = np };
                if (result.GetValue(stopLoss) is { } sl) settings = settings with { StopLoss = sl };
                if (result.GetValue(decoys) is { } dc) settings = settings with { Decoys = dc };
                if (result.GetValue(otherPerson) is { } op) settings = settings with { OtherPersonWeight = op };
                if (result.GetValue(decoyWeight) is { } dw) settings = settings with { DecoyWeight = dw };
                if (result.GetValue(chatAnswer) is { } answer) settings = settings with { ChatAnswer = answer };
                if (result.GetValue(noQuestion)) settings = settings with { QuestionForm = false };
                if (result.GetValue(rawOnly)) settings = settings with { ChatKeys = false };
                return settings;
            }
            Corpus CorpusSource() => result.GetValue(corpus) is { } file ? Corpus.FromFile(file) : Corpus.SelfGenerated();
            if (kind == "counterfact")
                return await CounterFactEvalCommand.Run(new CounterFactEvalCommand.Request(path, models.ModelOptions(result),
                    file ?? result.GetValue(counterFactEdits) ?? throw new SleepingLlmException("eval counterfact needs a CounterFact file"), result.GetValue(count),
                    Settings(), CorpusSource(), result.GetValue(curve), result.GetValue(output)));
            if (result.GetValue(facts) is null) throw new SleepingLlmException($"eval {kind} needs --facts FILE");
            if (kind == "modes")
                return await ModesEvalCommand.Run(new ModesEvalCommand.Request(path, models.ModelOptions(result), result.GetValue(modes) ?? "weights,prompt,rag,hybrid", result.GetValue(facts)!,
                    result.GetValue(count), result.GetValue(curve), result.GetValue(memory), result.GetValue(ragCount), result.GetValue(output),
                    result.GetValue(corpus), result.GetValue(withReport) ?? []));
            var settings = Settings();
            var corpusSource = CorpusSource();
            await using var engine = await Engine.StartAsync(path, models.ModelOptions(result));
            var report = await engine.Invoke((engineModel, _) =>
            {
                string cache = Memory.MemoryService.DefaultCacheDirectory;
                string adapter = Path.Combine(Path.GetTempPath(), $"sleepingllm-eval-{Environment.ProcessId}.gguf");
                try
                {
                    return WakeEvaluation.Run(new WakeEvalOptions
                    {
                        ModelPath = path,
                        ModelOptions = engineModel.Options,
                        Records = FactSet.Load(result.GetValue(facts)!),
                        Count = result.GetValue(count),
                        Settings = settings,
                        Corpus = corpusSource,
                        CacheDirectory = cache,
                        AdapterPath = adapter,
                        WikiText = result.GetValue(wiki),
                        CounterFactPrompts = result.GetValue(counterFact) is { } cf ? CounterFactSet.LocalityPrompts(cf, 50) : [],
                        Curve = result.GetValue(curve) || result.GetValue(curveSvg) is not null,
                        KeepMemory = result.GetValue(keep) is { } k ? Path.GetFullPath(k) : null,
                    }, line => Console.Error.WriteLine(line));
                }
                finally
                {
                    File.Delete(adapter);
                }
            });
            if (result.GetValue(output) is { } json) await File.WriteAllTextAsync(json, System.Text.Json.JsonSerializer.Serialize(report, Cli.Json));
            Console.WriteLine($"{report.Facts} facts, layers {report.Layers[0]}-{report.Layers[^1]}, λ {report.Lambda}");
            Console.WriteLine($"exported adapter on the base model: raw {report.RawRecall:F2}  paraphrase {report.ParaphraseRecall:F2}  chat {Share(report.ChatRecall)}");
            Console.WriteLine($"locality ({report.LocalityPrompts} prompts of people sharing no name with a written subject): {Described(report.Locality)};  at adapter scale 1e-6: {Described(report.LocalityFloor)}");
            Console.WriteLine($"namesake locality ({report.NamesakePrompts} prompts of made-up namesakes of written subjects): {Described(report.NamesakeLocality)};  at adapter scale 1e-6: {Described(report.NamesakeFloor)}");
            if (Math.Min(report.LocalityFloor.Unchanged, report.NamesakeFloor.Unchanged) < Locality.FloorNeeded)
                Console.WriteLine($"note: a locality floor is below {Locality.FloorNeeded}: there the measure reads its own noise and does not count");
            Console.WriteLine($"8-token continuations unchanged: {report.ContinuationUnchanged:F2}" +
                (report.CounterFactLocality is { } cfl ? $";  CounterFact locality {Described(cfl)}" : ""));
            Console.WriteLine($"memory reopened from its store: raw {report.RestartRaw:F2}  paraphrase {report.RestartParaphrase:F2}  chat {Share(report.RestartChat)};  its export on the base model: raw {report.ExportedRaw:F2}");
            if (report.PerplexityBefore is { } before) Console.WriteLine($"perplexity {before:F2} → {report.PerplexityAfter:F2} ({report.PerplexityText})");
            if (report.ChatPerplexityBefore is { } chatBefore) Console.WriteLine($"perplexity of the model's own chat text {chatBefore:F2} → {report.ChatPerplexityAfter:F2} ({report.ChatPerplexityTokens} tokens)");
            Console.WriteLine($"s/fact median {report.SecondsPerFactMedian:F1} p95 {report.SecondsPerFactP95:F1}  bytes/fact: factors {report.FactorBytesPerFact}, on disk {report.DiskBytesPerFact}");
            if (report.Curve is { } points)
            {
                Console.WriteLine("facts    raw  para  chat   loc  name" + (report.CounterFactLocality is null ? "" : "  cf loc") + (report.PerplexityBefore is null ? "" : "     ppl") + "  s/fact  disk B/fact");
                foreach (var p in points)
                    Console.WriteLine($"{p.Facts,5}  {p.Raw,5:F2} {p.Paraphrase,5:F2} {Share(p.Chat),5} {p.Locality.Unchanged,5:F2} {p.NamesakeLocality.Unchanged,5:F2}" +
                        (p.CounterFactLocality is { } c ? $"  {c.Unchanged,6:F2}" : "") + (p.Perplexity is { } ppl ? $"  {ppl,6:F2}" : "") +
                        $"  {p.SecondsPerFactMedian,6:F1}  {p.DiskBytesPerFact,11}");
                string? svg = result.GetValue(curveSvg) ?? (result.GetValue(output) is { } j ? Path.ChangeExtension(j, ".svg") : null);
                if (svg is not null)
                {
                    CurveChart.Write(svg, points, $"{report.Model}: layers {report.Layers[0]}-{report.Layers[^1]}, λ {report.Lambda}");
                    Console.WriteLine($"curve drawn to {svg}");
                }
            }
            return 0;
        }
    }

    static readonly (string Name, string Description)[] Subcommands =
    [
        ("wake", "Write N facts (--facts) one at a time, then recall (raw, paraphrase, chat), locality (other people, namesakes), perplexity, s/fact, bytes/fact; recall again after reopening the memory; with --curve, at checkpoints along the way."),
        ("chat-facts", "Replay first-person messages (chat-facts.json) as a chat, extract and write their facts, restart, and ask the recall questions; plus small talk that must yield no fact."),
        ("modes", "Compare the memory modes (--modes, default weights,prompt,rag,hybrid) on the same facts: recall, locality, prompt tokens added, time to first token, decode speed, disk."),
        ("counterfact", "Write the first --n CounterFact requests one at a time and score them as the papers do: efficacy, paraphrase, neighbourhood, generation."),
    ];

    static string Described(LocalityScore s) =>
        FormattableString.Invariant($"unchanged (KL < {Locality.UnchangedBelow}) {s.Unchanged:F2}, first token {s.FirstTokenUnchanged:F2}, mean KL {s.Divergence:F4}");

    /// <summary>A share as printed; a dash where it was not measured (no chat template).</summary>
    static string Share(double? value) => value is { } v ? v.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) : "–";
}
