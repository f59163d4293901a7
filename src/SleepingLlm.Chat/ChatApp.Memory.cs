using System.Globalization;
using System.Text;
using SleepingLlm.Memory;
using SleepingLlm.Native;

namespace SleepingLlm.Chat;

/// <summary>The chat's memory side: sleep and nap (by itself under pressure), remember, forget and pin, the facts and status lines.</summary>
public sealed partial class ChatApp
{
    /// <summary>Ctrl+S and /sleep: a sleep; /nap: the recall audit alone.</summary>
    void StartSleep(SleepKind kind)
    {
        if (state.Sleep is { Finished: false })
        {
            Hint("already asleep");
            return;
        }
        var run = new SleepRun(kind);
        state.Sleep = run;
        state.HelpVisible = false;
        Start(kind == SleepKind.Sleep ? Sleep(run) : Nap(run));
    }

    async Task Sleep(SleepRun run)
    {
        try
        {
            var report = await engine.SleepAsync(progress: new StepProgress(this, run), cancel: quit.Token);
            Post(() =>
            {
                run.Finish(report);
                Note(report.Empty ? $"sleep: {SleepingLlm.Sleep.SleepReport.NothingToDo}"
                    : report.Committed
                    ? string.Create(CultureInfo.InvariantCulture, $"sleep: committed; {report.Dissolved} of {report.Facts.Count} memories now live in the consolidated adapter alone ({report.Times.Total.TotalSeconds:0} s)")
                    : $"sleep: rolled back, nothing changed: {report.Verdict}");
            });
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception e)
        {
            Post(() => run.Fail(e.Message));
        }
        await RefreshMemory();
        Post(() => state.PressureAfterSleep = state.Memory.Pressure);
    }

    /// <summary>
    /// After each write: the chat sleeps by itself, as Ctrl+S does, when the write took the sleep pressure over its
    /// threshold (<see cref="AutoSleep"/>), and says why in the transcript.
    /// </summary>
    async Task AfterWrite()
    {
        await RefreshMemory();
        Post(() =>
        {
            if (AutoSleep.Reason(state.Memory.Pressure, state.PressureAfterSleep, AutoSleeps, state.Sleep is { Finished: false }) is not { } why) return;
            Note($"sleeping: {why}");
            StartSleep(SleepKind.Sleep);
        });
    }

    /// <summary>chat --auto-sleep on, with the memory in the weights: prompt and rag modes run without the adapters a sleep works on.</summary>
    bool AutoSleeps => options.AutoSleep && MemoryModes.UsesWeights(engine.MemoryMode);

    async Task Nap(SleepRun run)
    {
        try
        {
            var result = await engine.NapAsync(new StepProgress(this, run), quit.Token);
            Post(() =>
            {
                run.Finish(result);
                Note(string.Create(CultureInfo.InvariantCulture,
                    $"nap: audited {result.Audited} memories, {result.Recalled} recalled ({result.Elapsed.TotalMilliseconds:0} ms)"));
            });
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception e)
        {
            Post(() => run.Fail(e.Message));
        }
        await RefreshMemory();
    }

    /// <summary>"SUBJECT | RELATION | OBJECT": the prompt is "SUBJECT RELATION", the object what follows it.</summary>
    static SleepingLlm.Wake.Fact? ParseFact(string text)
    {
        string[] parts = text.Split('|', StringSplitOptions.TrimEntries);
        return parts.Length == 3 && parts.All(p => p.Length > 0)
            ? new SleepingLlm.Wake.Fact(parts[0], parts[1], parts[2], $"{parts[0]} {parts[1]}")
            : null;
    }

    async Task Remember(SleepingLlm.Wake.Fact fact)
    {
        Post(() => Note($"writing \"{fact.Prompt} {fact.Object}\" into the weights…"));
        var done = await engine.RememberAsync(fact, progress: new Progress<string>(line => Post(() => Hint(line))));
        Post(() => Note(string.Create(CultureInfo.InvariantCulture,
            $"remembered #{done.Id}{(done.Replaced is { } old ? $" (replaces #{old})" : "")} in {done.Elapsed.TotalSeconds:0.0} s")));
        if (done.Notice is { } notice) Post(() => Note(notice));
        await AfterWrite();
    }

    async Task Forget(long id)
    {
        bool done = await engine.ForgetAsync(id);
        Post(() => Note(done ? $"forgot #{id}: its edit is gone from the weights" : $"no active memory #{id}"));
        await RefreshMemory();
    }

    /// <summary>/pin ID and /unpin ID: whether sleep's Prune may take the memory's edit out of the weights.</summary>
    async Task Pin(long id, bool pinned)
    {
        bool done = await engine.PinAsync(id, pinned);
        Post(() => Note(!done ? $"no active memory #{id}"
            : pinned ? $"pinned #{id}: sleep keeps its edit in the weights, however many memories there are"
            : $"unpinned #{id}: sleep may prune its edit once the consolidated adapter carries it"));
        await RefreshMemory();
    }

    /// <summary>/forget TEXT: one match is forgotten; several are listed, and nothing is forgotten until the user picks an id.</summary>
    async Task Forget(string text)
    {
        var done = await engine.ForgetAsync(text);
        Post(() => Note(ForgetNote(text, done)));
        await RefreshMemory();
    }

    internal static string ForgetNote(string text, ForgetByText done) => done.Matches switch
    {
        [] => $"no memory matches \"{text}\": /facts lists them",
        [var one] when done.Forgotten => $"forgot #{one.Id} {one.Subject} {one.Relation} {one.Object}: its edit is gone from the weights",
        [var one] => $"#{one.Id} is no longer active",
        var many => string.Join('\n', many.Select(f => $"#{f.Id} {f.Subject} {f.Relation} {f.Object}")
            .Prepend($"\"{text}\" matches {many.Count} memories, so none was forgotten; pick one with /forget ID:")),
    };

    async Task Undo()
    {
        var undone = await engine.UndoAsync();
        Post(() => Note(undone is null
            ? "nothing to undo: no memory written in this session is still active"
            : $"undone: forgot #{undone.Id} {undone.Subject} {undone.Relation} {undone.Object}, the last memory written in this session"));
        await RefreshMemory();
    }

    async Task ShowFacts()
    {
        await RefreshMemory();
        Post(() => Note(Facts()));
    }

    async Task Compact()
    {
        var done = await engine.CompactChatAsync(options.MaxTokens);
        Post(() => Note(done.TurnsSummarised == 0
            ? "nothing to compact: the latest exchange always stays verbatim"
            : $"compacted: {done.TurnsSummarised} turns summarised into the history, the prompt went from {done.TokensBefore} to {done.TokensAfter} tokens"));
        await RefreshContext();
    }

    void Reset()
    {
        if (reply is not null)
        {
            Hint("a reply is streaming: Ctrl+C stops it first");
            return;
        }
        Start(ResetConversation());
    }

    async Task ResetConversation()
    {
        await engine.ResetChatAsync();
        Post(() =>
        {
            state.Transcript.Clear();
            Note("conversation reset: the model has forgotten the chat (not its memories)");
        });
        await RefreshContext();
    }

    async Task RefreshMemory()
    {
        var memory = await engine.MemoryAsync();
        Post(() => state.Memory = memory);
    }

    async Task RefreshContext()
    {
        int used = await engine.ContextUsedAsync();
        var window = await engine.ChatWindowAsync();
        Post(() =>
        {
            state.ContextUsed = used;
            state.Window = window;
        });
    }

    /// <summary>Keeps an engine job for shutdown and turns its failure into a line in the transcript.</summary>
    void Start(Task job)
    {
        work.RemoveAll(t => t.IsCompleted);
        work.Add(job);
        job.ContinueWith(t => Post(() => Note($"error: {t.Exception!.GetBaseException().Message}")),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    void Note(string text)
    {
        state.Transcript.Add(Speaker.Note, text);
        state.Transcript.ScrollToEnd();
    }

    void Hint(string text) => state.ShowHint(text, DateTimeOffset.Now + HintTime);

    string Facts()
    {
        if (state.Memory.Facts.Count == 0)
            return "no memories yet: /remember SUBJECT | RELATION | OBJECT writes one into the weights";
        var text = new StringBuilder($"{state.Memory.Facts.Count} memories:");
        foreach (var fact in state.Memory.Facts)
        {
            string recall = fact.Recalled is bool r && fact.LastRecall is { } when
                ? $"{(r ? "recalled" : "missed")} {when.ToLocalTime():HH:mm}"
                : "not audited yet";
            text.Append(CultureInfo.InvariantCulture,
                $"\n#{fact.Id} {fact.Subject} {fact.Relation} {fact.Object} · stage {fact.Stage} · scale {fact.Scale:0.00} · {recall}{(fact.Pinned ? " · pinned" : "")}");
        }
        return text.ToString();
    }

    string Status()
    {
        var runtime = engine.NativeRuntime;
        string speed = state.TokensPerSecond is double s ? string.Create(CultureInfo.InvariantCulture, $"{s:0.0} tok/s (last reply)") : "no reply yet";
        return string.Join('\n',
            $"model    {engine.ModelPath}",
            $"backend  {state.Backend} (llama.cpp {runtime.LlamaVersion})",
            $"context  {state.ContextUsed} of {state.ContextSize} tokens",
            $"window   {state.Window.Turns} turns verbatim, summaries: {state.Window.Summaries} (/compact)",
            $"log      {state.Window.TranscriptPath ?? "none (no memory)"}",
            $"speed    {speed}",
            $"memory   {state.Memory.Facts.Count} facts, {PressureLine(state.Memory.Pressure)}",
            $"mode     {engine.MemoryMode.Name()} (--memory-mode: weights, prompt, rag or hybrid)",
            $"yours    {SleepingLlm.Conversation.UserFactsModes.Name(engine.UserFacts)} (--user-facts: weights, relevant, profile, both)",
            $"system   {SystemLine(state.Window.SystemPrompt)}");
    }

    /// <summary>The sleep pressure in words, and what the chat does about it.</summary>
    string PressureLine(SleepingLlm.Sleep.SleepPressure pressure)
    {
        string recall = pressure.Recalled == 0 ? "recall not yet audited twice"
            : $"{pressure.Lost} of {pressure.Recalled} recalled before were missed at the last audit";
        string auto = AutoSleeps ? $"sleeps by itself over {pressure.Limit} or when recall falls" : "no automatic sleep";
        return $"{pressure.InWeights} in the weights, {recall} ({auto})";
    }

    /// <summary>What the memory put in the system prompt: with the user's facts in the weights, nothing.</summary>
    static string SystemLine(string? system) => system is null ? "nothing from the memory (the model's own)"
        : $"{system.Split('\n').Length} lines from the memory: {system.ReplaceLineEndings(" ")}";

    /// <summary>The GPUs llama.cpp found, or the CPU.</summary>
    static string Backend(NativeRuntimeInfo runtime)
    {
        var gpus = runtime.Devices.Where(d => d.Type is "gpu" or "igpu").Select(d => d.Name).ToList();
        return gpus.Count > 0 ? string.Join('+', gpus) : "CPU";
    }

    /// <summary>Nap steps from the engine thread, posted to the loop in the order they happen.</summary>
    sealed class StepProgress(ChatApp app, SleepRun run) : IProgress<string>
    {
        public void Report(string step) => app.Post(() => run.Step(step));
    }
}
