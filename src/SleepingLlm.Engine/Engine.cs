using System.Threading.Channels;
using SleepingLlm.Inference;
using SleepingLlm.Native;

namespace SleepingLlm;

/// <summary>
/// The engine: one model and its context, owned by the <see cref="LlamaThread"/>. Callers (CLI, chat
/// UI) talk to it through tasks and channels and never touch llama.cpp themselves.
/// </summary>
public sealed partial class Engine : IAsyncDisposable
{
    readonly LlamaThread llama;
    readonly Model model;
    readonly Context context;
    readonly Memory.MemoryService? memory;
    readonly Memory.MemoryMode mode;
    readonly int ragCount;
    readonly Conversation.UserFactsMode userFacts;

    Engine(LlamaThread llama, Model model, Context context, NativeRuntimeInfo runtime, Memory.MemoryService? memory,
        Memory.MemoryMode mode, int ragCount, Conversation.UserFactsMode userFacts)
    {
        this.userFacts = userFacts;
        this.mode = mode;
        this.ragCount = ragCount;
        this.llama = llama;
        this.model = model;
        this.context = context;
        this.memory = memory;
        NativeRuntime = runtime;
    }

    /// <summary>Whether this engine runs with the model's memory (its adapter applied, writes possible).</summary>
    public bool HasMemory => memory is not null;

    /// <summary>How the memory reaches the chat (weights unless started otherwise).</summary>
    public Memory.MemoryMode MemoryMode => mode;

    public NativeRuntimeInfo NativeRuntime { get; }
    public string ModelPath => model.Path;
    public string? ChatTemplate => model.ChatTemplate;
    public int ContextSize => context.Size;

    /// <param name="memoryDirectory">With a value, the model's memory store there is opened ("" = the default folder)
    /// and its memories are applied; null runs the bare model.</param>
    /// <param name="corpusFile">Text for the key statistics of the first write (default: text the model writes itself).</param>
    /// <param name="mode">How the memory reaches the chat; prompt and rag run without the adapter.</param>
    /// <param name="ragCount">Facts retrieved per message in rag and hybrid modes.</param>
    /// <param name="userFacts">How what the user says about themselves is kept and served (see <see cref="Conversation.UserFactsMode"/>).</param>
    public static async Task<Engine> StartAsync(string modelPath, ModelOptions? options = null, string? memoryDirectory = null,
        string? corpusFile = null, Memory.MemoryMode mode = Memory.MemoryMode.Weights, int ragCount = Memory.MemoryPrompt.DefaultRagCount,
        Conversation.UserFactsMode userFacts = Conversation.UserFactsModes.Default, Wake.WakeSettings? wake = null)
    {
        if (mode != Memory.MemoryMode.Weights && memoryDirectory is null)
            throw new SleepingLlmException($"memory mode {Memory.MemoryModes.Name(mode)} needs the memory");
        ArgumentOutOfRangeException.ThrowIfNegative(ragCount);
        var llama = new LlamaThread();
        try
        {
            return await llama.Invoke(() =>
            {
                var runtime = Runtime.Initialize();
                var model = Model.Load(modelPath, options);
                Context? context = null;
                try
                {
                    context = new Context(model);
                    var memory = memoryDirectory is null ? null
                        : Memory.MemoryService.Open(model, context, memoryDirectory.Length == 0 ? null : memoryDirectory,
                            corpusFile is null ? null : () => Wake.Corpus.FromFile(corpusFile), wake);
                    var engine = new Engine(llama, model, context, runtime, memory, mode, ragCount, userFacts);
                    engine.DetachUnlessWeights();
                    return engine;
                }
                catch
                {
                    context?.Dispose();
                    model.Dispose();
                    throw;
                }
            });
        }
        catch
        {
            llama.Dispose();
            throw;
        }
    }

    /// <summary>Runs a job on the llama thread with the engine's model and context.</summary>
    public Task<T> Invoke<T>(Func<Model, Context, T> job) => llama.Invoke(() => job(model, context));

    public Task<int[]> TokenizeAsync(string text, bool addSpecial = true, bool parseSpecial = true) =>
        Invoke((m, _) => m.Tokenize(text, addSpecial, parseSpecial));

    /// <summary>A raw completion of <paramref name="prompt"/>, streamed into <paramref name="text"/> if given.</summary>
    public Task<GenerationResult> GenerateAsync(string prompt, SamplerSettings settings, int maxTokens,
        ChannelWriter<string>? text = null, CancellationToken cancel = default) =>
        Stream(text, onText => Invoke((m, c) => Generation.Run(c, m.Tokenize(prompt), settings, maxTokens, onText, cancel)));

    /// <summary>The next assistant reply in the engine's conversation.</summary>
    public Task<GenerationResult> ChatAsync(string userText, SamplerSettings settings, int maxTokens,
        ChannelWriter<string>? text = null, CancellationToken cancel = default) =>
        Stream(text, onText => Invoke((_, c) =>
        {
            var chat = Chat(c);
            if (memory is not null) chat.UseSystemPrompt(SystemPrompt(userText));
            return chat.Reply(userText, settings, maxTokens, onText, cancel);
        }));

    /// <summary>The prompt the chat template makes of one user message, as the model would see it.</summary>
    public Task<string> FormatChatAsync(IReadOnlyList<ChatMessage> messages) =>
        Invoke((m, _) => m.ApplyChatTemplate(messages, addAssistant: true));

    /// <summary>
    /// The memory as the UI shows it. Memories arrive with the wake engine; until a model has some,
    /// this is empty.
    /// </summary>
    public Task<Memory.MemorySnapshot> MemoryAsync() =>
        memory is null ? Task.FromResult(Memory.MemorySnapshot.Empty) : Invoke((_, _) => memory.Snapshot());

    Memory.MemoryService RequireMemory() => memory ?? throw new SleepingLlmException("this engine runs without memory");

    /// <summary>Writes a fact into the weights (MEMIT); the running chat sees it at once.</summary>
    /// <summary>Writes a fact; while the key statistics are still being computed (<see cref="PrepareInBackground"/>) it waits for them first.</summary>
    public async Task<Memory.Remembered> RememberAsync(Wake.Fact fact, IReadOnlyList<string>? paraphrases = null, IProgress<string>? progress = null)
    {
        await Prepared();
        return await Invoke((_, _) =>
        {
            var done = RequireMemory().Remember(fact, paraphrases, progress);
            DetachUnlessWeights();
            return done;
        });
    }

    Task? preparation;
    readonly CancellationTokenSource stopPreparing = new();

    /// <summary>How far the background key statistics are (0..1); null when none are being computed.</summary>
    public double? Preparing { get; private set; }

    /// <summary>Whether a write now would wait for the key statistics (a fact told now is queued).</summary>
    public bool MemoryReady => preparation is null || preparation.IsCompleted;

    /// <summary>Why the background key statistics failed (the first write tries again and says so); null: they did not.</summary>
    public string? PreparationProblem { get; private set; }

    /// <summary>
    /// Computes what the first write needs (key statistics, templates) in the background from the start, so the
    /// first fact told does not stall the chat for minutes. It runs on the llama thread, letting every job queued
    /// behind it run between its steps; writes wait for it (<see cref="RememberAsync(Wake.Fact, IReadOnlyList{string}?, IProgress{string}?)"/>).
    /// </summary>
    public void PrepareInBackground()
    {
        // Only where what the user says goes into the weights: elsewhere a first /remember computes them, with progress.
        if (memory is null || preparation is not null || !Memory.MemoryModes.UsesWeights(mode) || !Conversation.UserFactsModes.UsesWeights(userFacts)) return;
        Preparing = 0;
        preparation = llama.Invoke(() =>
        {
            try
            {
                memory.Prepare(fraction =>
                {
                    stopPreparing.Token.ThrowIfCancellationRequested();
                    Preparing = fraction;
                    llama.RunWaiting();
                });
            }
            catch (OperationCanceledException) { }
            catch (SleepingLlmException e) { PreparationProblem = e.Message; }
            finally { Preparing = null; }
        });
    }

    Task Prepared() => preparation ?? Task.CompletedTask;

    public Task<bool> ForgetAsync(long id) => Invoke((_, _) =>
    {
        bool done = RequireMemory().Forget(id);
        DetachUnlessWeights();
        return done;
    });

    /// <summary>
    /// Takes the adapter the memory service applies off the context in prompt and rag modes, which
    /// serve the facts through the context alone (a pure comparison with the weights).
    /// </summary>
    void DetachUnlessWeights()
    {
        if (memory is not null && !Memory.MemoryModes.UsesWeights(mode)) context.SetAdapter(null);
    }

    /// <summary>Pins or unpins a memory (sleep never prunes a pinned one's edit); false when no active memory has this id.</summary>
    public Task<bool> PinAsync(long id, bool pinned) => Invoke((_, _) => RequireMemory().Store.Pin(id, pinned));

    public Task<IReadOnlyList<Memory.StoredFact>> FactsAsync() => Invoke((_, _) => RequireMemory().Store.ActiveFacts());

    public Task<string?> ExportAdapterAsync(string path) => Invoke((_, _) => RequireMemory().Export(path));

    /// <summary>Per token of <paramref name="text"/>, what the memory's edits add there (<see cref="Wake.Firing"/>).</summary>
    public Task<IReadOnlyList<Wake.TokenFiring>> FiringAsync(string text) => Invoke((_, _) => RequireMemory().Firing(text));

    /// <summary>The chat answer to one question, in a fresh conversation (greedy, so it can be checked).</summary>
    public Task<string> AskAsync(string question, int maxTokens = 64) => Invoke((m, c) =>
        new ChatSession(c, SystemPrompt(question))
            .Reply(question, SamplerSettings.Greedy, maxTokens).Text.Trim());

    /// <summary>
    /// The log-probabilities of the first token of the reply to <paramref name="userText"/> in a fresh conversation,
    /// asked as <see cref="AskAsync"/> asks it (the same system prompt): what the chat locality compares.
    /// </summary>
    /// <param name="scale">Multiplies every applied adapter's scale for this one reply (the locality floor: 10⁻⁶); restored after.</param>
    public Task<float[]> ReplyStartAsync(string userText, float scale = 1f) => Invoke((m, c) =>
    {
        var messages = SystemPrompt(userText) is { } system ? new[] { ChatMessage.System(system), ChatMessage.User(userText) } : [ChatMessage.User(userText)];
        var applied = c.Applied;
        if (scale != 1f) c.SetAdapters([.. applied.Select(a => a with { Scale = a.Scale * scale })]);
        try
        {
            c.Clear();
            c.Prefill(m.Tokenize(m.ApplyChatTemplate(messages, addAssistant: true)));
            return Scorer.LogProbabilities(c.Logits);
        }
        finally
        {
            if (scale != 1f) c.SetAdapters(applied);
            c.Clear();
        }
    });

    /// <summary>
    /// A nap: the recall audit a sleep starts with, over every memory, reporting each step to
    /// <paramref name="progress"/>. Runs on the llama thread, so the caller stays responsive.
    /// </summary>
    public Task<Memory.NapResult> NapAsync(IProgress<string>? progress = null, CancellationToken cancel = default) =>
        Invoke((m, c) =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            // The audit checks the weights; without them it would record every memory as lost.
            if (memory is null || !Memory.MemoryModes.UsesWeights(mode))
            {
                progress?.Report(memory is null ? "audit: this chat runs without memory" : $"audit: the weights are off in memory mode {Memory.MemoryModes.Name(mode)}");
                return new Memory.NapResult(0, 0, clock.Elapsed);
            }
            var facts = memory.Store.ActiveFacts();
            var audits = Sleep.Audit.All(c, facts, "audit", progress, cancel);
            foreach (var audit in audits) memory.Store.RecordRecall(audit.Id, audit.Raw, audit.Chat, DateTimeOffset.UtcNow);
            int audited = audits.Count, recalled = audits.Count(a => a.Recalled);
            return new Memory.NapResult(audited, recalled, clock.Elapsed);
        });

    /// <summary>
    /// A sleep (<see cref="Memory.MemoryService.Sleep"/>) on the llama thread: audit, consolidate, dissolve,
    /// gate, committed whole or rolled back; each step reported to <paramref name="progress"/>.
    /// </summary>
    public async Task<Sleep.SleepReport> SleepAsync(Sleep.SleepOptions? options = null, IProgress<string>? progress = null, CancellationToken cancel = default)
    {
        await Prepared();
        return await Invoke((_, _) => RequireMemory().Sleep(options ?? new Sleep.SleepOptions(), progress, cancel));
    }

    /// <summary>When the last sleep was interrupted (found at start); null: none.</summary>
    public DateTimeOffset? InterruptedSleep => memory?.InterruptedSleep;

    public Task<string?> ExportConsolidatedAsync(string path) => Invoke((_, _) => RequireMemory().ExportConsolidated(path));

    /// <summary>Tokens in the chat context now, out of <see cref="ContextSize"/>.</summary>
    public Task<int> ContextUsedAsync() => Invoke((_, c) => c.Tokens.Count);

    static async Task<GenerationResult> Stream(ChannelWriter<string>? text, Func<Action<string>?, Task<GenerationResult>> run)
    {
        try
        {
            return await run(text is null ? null : piece => text.TryWrite(piece));
        }
        finally
        {
            text?.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The background key statistics use the memory: they stop at their next step before it goes.
        stopPreparing.Cancel();
        await Prepared();
        stopPreparing.Dispose();
        await llama.Invoke(() =>
        {
            transcript?.Dispose();
            memory?.Dispose();
            extractionContext?.Dispose();
            context.Dispose();
            model.Dispose();
        });
        llama.Dispose();
    }
}
