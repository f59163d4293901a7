using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using SleepingLlm.Inference;
using SleepingLlm.Memory;
using SleepingLlm.Native;
using Spectre.Console;

namespace SleepingLlm.Chat;

/// <summary>
/// The full-screen chat. One loop owns the <see cref="ChatState"/>: keys, streamed tokens and engine
/// results arrive as changes posted to its inbox, and it applies them and redraws. Every engine call
/// is an awaited task on the engine's own thread, so the screen never waits for llama.cpp, also not
/// during a sleep.
/// </summary>
public sealed partial class ChatApp
{
    static readonly TimeSpan FrameInterval = TimeSpan.FromMilliseconds(33);
    static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(150);
    static readonly TimeSpan QuitWindow = TimeSpan.FromSeconds(2);
    static readonly TimeSpan HintTime = TimeSpan.FromSeconds(3);
    static readonly TimeSpan ShutdownWait = TimeSpan.FromSeconds(5);

    readonly Engine engine;
    readonly ChatOptions options;
    readonly IAnsiConsole console;
    readonly ChatState state;
    readonly Channel<Action> inbox = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    readonly CancellationTokenSource quit = new();
    readonly List<Task> work = []; // engine jobs in flight; the app waits for them before the engine is disposed
    CancellationTokenSource? reply;
    DateTimeOffset lastInterrupt = DateTimeOffset.MinValue;
    bool dirty = true, redraw;
    int frame;

    ChatApp(Engine engine, ChatOptions options, IAnsiConsole console)
    {
        this.engine = engine;
        this.options = options;
        this.console = console;
        state = new ChatState(Path.GetFileNameWithoutExtension(engine.ModelPath), Backend(engine.NativeRuntime), engine.ContextSize);
    }

    /// <summary>Whether this process can run the full-screen chat: stdin and stdout are terminals that speak ANSI.</summary>
    public static bool CanRun() => Terminal.IsInteractive(AnsiConsole.Console);

    /// <summary>Runs the chat until the user quits or <paramref name="cancel"/> fires; the terminal is restored either way.</summary>
    public static Task RunAsync(Engine engine, ChatOptions options, CancellationToken cancel) =>
        new ChatApp(engine, options, AnsiConsole.Console).Run(cancel);

    async Task Run(CancellationToken cancel)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel, quit.Token);
        Note($"{state.Model} ready on {state.Backend}, {state.ContextSize} tokens of context. " +
             "Enter sends, Alt+Enter adds a line, Ctrl+S sleeps, F1 shows help, Esc quits.");
        Start(RefreshMemory());
        Start(RefreshContext());
        // The first fact told must not stall the chat for the minutes its key statistics take.
        engine.PrepareInBackground();
        var terminal = Terminal.Enter(console);
        var keys = KeyLoop.Run(key => Post(() => OnKey(key)), stop.Token);
        var ticks = Tick(stop.Token);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                // Live only ever grows the area it redraws, so a new size (or Ctrl+L) starts a new one.
                var size = Terminal.Size();
                redraw = false;
                await console.Live(Text.Empty)
                    .AutoClear(false)
                    .Overflow(VerticalOverflow.Crop)
                    .Cropping(VerticalOverflowCropping.Bottom)
                    .StartAsync(live => Show(live, size, stop.Token));
                terminal.Clear();
            }
        }
        finally
        {
            // Keys stop being read before the terminal is given back, whatever ended the loop.
            Quit();
            await Task.WhenAll(keys, ticks);
            terminal.Dispose();
        }
        await Task.WhenAny(Task.WhenAll(work), Task.Delay(ShutdownWait));
    }

    /// <summary>Applies posted changes and redraws, at most once a frame, until the size changes or the app stops.</summary>
    async Task Show(LiveDisplayContext live, (int Width, int Height) size, CancellationToken stop)
    {
        var sinceFrame = Stopwatch.StartNew();
        dirty = true;
        while (true)
        {
            if (dirty)
            {
                live.UpdateTarget(ChatScreen.Render(state, size.Width, size.Height, DateTimeOffset.Now, frame));
                live.Refresh();
                dirty = false;
                sinceFrame.Restart();
            }
            try
            {
                var change = await inbox.Reader.ReadAsync(stop);
                // Tokens arrive faster than a terminal redraws: gather what comes within one frame.
                var wait = FrameInterval - sinceFrame.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, stop);
                change();
                while (inbox.Reader.TryRead(out var next)) next();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (stop.IsCancellationRequested || redraw || Terminal.Size() != size) return;
        }
    }

    /// <summary>Hands a change of state to the loop; it is applied there and the screen redrawn.</summary>
    void Post(Action change) => inbox.Writer.TryWrite(() =>
    {
        change();
        dirty = true;
    });

    /// <summary>The status timer: spinners turn, hints expire, and a resize is noticed without a key.</summary>
    Task Tick(CancellationToken stop) => Task.Run(async () =>
    {
        using var timer = new PeriodicTimer(TickInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
                inbox.Writer.TryWrite(() =>
                {
                    frame++;
                    if (state.Busy || state.ExpireHint(DateTimeOffset.Now)) dirty = true;
                    var keys = engine.Preparing;
                    if (keys != state.KeyStatistics && (keys is null || state.KeyStatistics is null || keys - state.KeyStatistics >= 0.01))
                    {
                        state.KeyStatistics = keys;
                        dirty = true;
                    }
                });
        }
        catch (OperationCanceledException)
        {
        }
    }, CancellationToken.None);

    void OnKey(ConsoleKeyInfo key)
    {
        bool control = key.Modifiers == ConsoleModifiers.Control;
        switch (key.Key)
        {
            case ConsoleKey.C when control: Interrupt(); return;
            case ConsoleKey.D when control:
                if (state.Input.IsEmpty) Quit();
                else state.Input.Delete();
                return;
            case ConsoleKey.S when control: StartSleep(SleepKind.Sleep); return;
            case ConsoleKey.L when control: redraw = true; return;
            case ConsoleKey.Escape:
                if (state.HelpVisible) state.HelpVisible = false;
                else Quit();
                return;
            case ConsoleKey.F1: state.HelpVisible = !state.HelpVisible; return;
            case ConsoleKey.PageUp: state.Transcript.PageUp(); return;
            case ConsoleKey.PageDown: state.Transcript.PageDown(); return;
            case ConsoleKey.Enter when key.Modifiers == 0: Submit(); return;
        }
        state.Input.Handle(key);
    }

    /// <summary>Ctrl+C: stops a reply (or clears the line); a second one within two seconds quits.</summary>
    void Interrupt()
    {
        var now = DateTimeOffset.Now;
        if (now - lastInterrupt < QuitWindow)
        {
            Quit();
            return;
        }
        lastInterrupt = now;
        if (reply is not null) reply.Cancel();
        else state.Input.Clear();
        Hint("Ctrl+C again quits");
    }

    void Quit()
    {
        reply?.Cancel();
        quit.Cancel();
    }

    void Submit()
    {
        if (state.Input.ContinueLine()) return;
        string line = state.Input.Text;
        if (line.Trim().Length == 0) return;
        if (SlashCommands.TryParse(line, out var command))
        {
            state.Input.Submit();
            state.Transcript.Add(Speaker.User, line.Trim());
            state.Transcript.ScrollToEnd();
            Run(command);
            return;
        }
        if (reply is not null)
        {
            Hint("a reply is streaming: wait, or Ctrl+C stops it");
            return;
        }
        state.Input.Submit();
        Send(SlashCommands.Message(line).Trim());
    }

    void Send(string text)
    {
        if (state.Sleep is { Finished: true }) state.Sleep = null;
        var turn = state.Transcript.Add(Speaker.User, text);
        var entry = state.Transcript.Add(Speaker.Assistant, "");
        state.Transcript.ScrollToEnd();
        reply = new CancellationTokenSource();
        state.Generating = true;
        Start(Generate(text, turn, entry, reply));
    }

    async Task Generate(string text, TranscriptEntry turn, TranscriptEntry entry, CancellationTokenSource stop)
    {
        bool replied = false, stopped = false;
        var pieces = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var run = engine.ChatAsync(text, options.Sampling, options.MaxTokens, pieces.Writer, stop.Token);
        await foreach (string piece in pieces.Reader.ReadAllAsync(CancellationToken.None))
            Post(() => entry.Append(piece));
        try
        {
            var result = await run;
            replied = true;
            Post(() => Finished(entry, result));
        }
        catch (OperationCanceledException)
        {
            stopped = true;
            Post(() => entry.Footer = "stopped");
        }
        catch (Exception e)
        {
            Post(() => entry.Footer = $"error: {e.Message}");
        }
        finally
        {
            Post(() =>
            {
                reply = null;
                state.Generating = false;
                stop.Dispose();
            });
        }
        await RefreshContext();
        // After the reply, never before it: extraction is the next job on the engine's thread. A reply
        // stopped with Ctrl+C still leaves what the user said, and that is what facts are read from.
        if ((replied || stopped) && engine.HasMemory) await Learn(text, turn);
    }

    void Finished(TranscriptEntry entry, GenerationResult result)
    {
        double? speed = result.GeneratedTokens > 0 && result.GenerationTime > TimeSpan.Zero
            ? result.GeneratedTokens / result.GenerationTime.TotalSeconds
            : null;
        state.TokensPerSecond = speed ?? state.TokensPerSecond;
        string stats = result.GeneratedTokens == 1 ? "1 token" : $"{result.GeneratedTokens} tokens";
        if (speed is double s) stats += string.Create(CultureInfo.InvariantCulture, $" · {s:0.0} tok/s");
        entry.Footer = result.StopReason switch
        {
            StopReason.Cancelled => $"stopped · {stats}",
            StopReason.MaxTokens => $"{stats} · cut at --max-tokens",
            StopReason.ContextFull => $"{stats} · context full",
            _ => stats,
        };
    }

    void Run(SlashCommand command)
    {
        switch (command.Kind)
        {
            case SlashCommandKind.Sleep: StartSleep(SleepKind.Sleep); break;
            case SlashCommandKind.Nap: StartSleep(SleepKind.Nap); break;
            case SlashCommandKind.Remember when command.Argument.Length == 0:
                Note("usage: /remember TEXT (e.g. /remember I live in Oslo) or /remember SUBJECT | RELATION | OBJECT");
                break;
            case SlashCommandKind.Facts or SlashCommandKind.Remember or SlashCommandKind.Forget or SlashCommandKind.Pin or SlashCommandKind.Unpin
                or SlashCommandKind.Undo when !engine.HasMemory:
                Note("this chat runs without memory (--no-memory)");
                break;
            case SlashCommandKind.Facts: Start(ShowFacts()); break;
            case SlashCommandKind.Remember when command.Argument.Contains('|'):
                if (ParseFact(command.Argument) is { } fact) Start(Remember(fact));
                else Note("usage: /remember SUBJECT | RELATION | OBJECT   e.g. /remember Casimir Marchetti | plays | badminton");
                break;
            case SlashCommandKind.Remember:
                Start(RememberText(command.Argument));
                break;
            case SlashCommandKind.Yes: Approve(write: true, all: command.Argument == "all"); break;
            case SlashCommandKind.No: Approve(write: false, all: command.Argument == "all"); break;
            case SlashCommandKind.Forget when command.Argument.Length == 0:
                Note("usage: /forget ID or /forget TEXT, e.g. /forget Casimir badminton   (/facts lists them)");
                break;
            case SlashCommandKind.Forget:
                Start(long.TryParse(command.Argument.TrimStart('#'), out long id) ? Forget(id) : Forget(command.Argument));
                break;
            case SlashCommandKind.Pin or SlashCommandKind.Unpin:
                if (long.TryParse(command.Argument.TrimStart('#'), out long pinId)) Start(Pin(pinId, command.Kind == SlashCommandKind.Pin));
                else Note($"usage: /{command.Name} ID, e.g. /{command.Name} 12   (/facts lists them)");
                break;
            case SlashCommandKind.Undo: Start(Undo()); break;
            case SlashCommandKind.Compact: Start(Compact()); break;
            case SlashCommandKind.Status: Note(Status()); break;
            case SlashCommandKind.Reset: Reset(); break;
            case SlashCommandKind.Help:
                Note(string.Join('\n', SlashCommands.All.Select(c => $"{c.Usage,-15} {c.Description}").Prepend("commands (F1 also shows the keys):")));
                break;
            case SlashCommandKind.Quit: Quit(); break;
            default: Note($"unknown command /{command.Name}: /help lists them (//text sends /text)"); break;
        }
    }

}
