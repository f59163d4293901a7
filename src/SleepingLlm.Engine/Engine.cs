using System.Threading.Channels;
using SleepingLlm.Inference;
using SleepingLlm.Native;

namespace SleepingLlm;

/// <summary>
/// The engine: one model and its context, owned by the <see cref="LlamaThread"/>. Callers (CLI, chat
/// UI) talk to it through tasks and channels and never touch llama.cpp themselves.
/// </summary>
public sealed class Engine : IAsyncDisposable
{
    readonly LlamaThread llama;
    readonly Model model;
    readonly Context context;
    ChatSession? chat;

    Engine(LlamaThread llama, Model model, Context context, NativeRuntimeInfo runtime)
    {
        this.llama = llama;
        this.model = model;
        this.context = context;
        NativeRuntime = runtime;
    }

    public NativeRuntimeInfo NativeRuntime { get; }
    public string ModelPath => model.Path;
    public string? ChatTemplate => model.ChatTemplate;
    public int ContextSize => context.Size;

    public static async Task<Engine> StartAsync(string modelPath, ModelOptions? options = null)
    {
        var llama = new LlamaThread();
        try
        {
            return await llama.Invoke(() =>
            {
                var runtime = Runtime.Initialize();
                var model = Model.Load(modelPath, options);
                try { return new Engine(llama, model, new Context(model), runtime); }
                catch { model.Dispose(); throw; }
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
            chat ??= new ChatSession(c);
            return chat.Reply(userText, settings, maxTokens, onText, cancel);
        }));

    /// <summary>Forgets the conversation (the KV cache is reused by prefix, so nothing else to clear).</summary>
    public Task ResetChatAsync() => Invoke((_, _) => { chat?.Reset(); return true; });

    /// <summary>The prompt the chat template makes of one user message, as the model would see it.</summary>
    public Task<string> FormatChatAsync(IReadOnlyList<ChatMessage> messages) =>
        Invoke((m, _) => m.ApplyChatTemplate(messages, addAssistant: true));

    /// <summary>
    /// The memory as the UI shows it. Memories arrive with the wake engine; until a model has some,
    /// this is empty.
    /// </summary>
    public Task<Memory.MemorySnapshot> MemoryAsync() => Task.FromResult(Memory.MemorySnapshot.Empty);

    /// <summary>
    /// A nap: the recall audit a sleep starts with, over every memory, reporting each step to
    /// <paramref name="progress"/>. Runs on the llama thread, so the caller stays responsive.
    /// </summary>
    public Task<Memory.NapResult> NapAsync(IProgress<string>? progress = null, CancellationToken cancel = default) =>
        Invoke((_, _) =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            progress?.Report("audit: no memories to audit yet");
            return new Memory.NapResult(0, 0, clock.Elapsed);
        });

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
        await llama.Invoke(() =>
        {
            context.Dispose();
            model.Dispose();
        });
        llama.Dispose();
    }
}
