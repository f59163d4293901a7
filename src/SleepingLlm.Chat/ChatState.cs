using SleepingLlm.Memory;

namespace SleepingLlm.Chat;

/// <summary>
/// Everything the screen shows, as plain data: the app changes it on its one loop and
/// <see cref="ChatScreen"/> draws it.
/// </summary>
sealed class ChatState(string model, string backend, int contextSize)
{
    public string Model { get; } = model;
    public string Backend { get; } = backend;
    public int ContextSize { get; } = contextSize;
    public Transcript Transcript { get; } = new();
    public InputLine Input { get; } = new();
    public MemorySnapshot Memory { get; set; } = MemorySnapshot.Empty;
    public SleepRun? Sleep { get; set; }
    public bool HelpVisible { get; set; }
    public bool Generating { get; set; }
    public int ContextUsed { get; set; }
    public ChatWindowState Window { get; set; } = new(0, 0, null);
    public double? TokensPerSecond { get; set; }

    /// <summary>A short message in the status bar (such as "Ctrl+C again quits") until it expires.</summary>
    public string? Hint { get; private set; }
    DateTimeOffset hintUntil;

    public void ShowHint(string hint, DateTimeOffset until)
    {
        Hint = hint;
        hintUntil = until;
    }

    /// <summary>Drops the hint once its time is up; true when it did (the status bar changes).</summary>
    public bool ExpireHint(DateTimeOffset now)
    {
        if (Hint is null || now < hintUntil) return false;
        Hint = null;
        return true;
    }

    /// <summary>The sleep pressure the last sleep of this session left (null: none yet): what the next automatic one is measured against.</summary>
    public SleepingLlm.Sleep.SleepPressure? PressureAfterSleep { get; set; }

    /// <summary>How far the background key statistics of the first write are (0..1); null: none running.</summary>
    public double? KeyStatistics { get; set; }

    public bool Busy => Generating || Sleep is { Finished: false };

    public StatusLine Status(string spinner)
    {
        string activity = Hint is not null ? Hint
            : Generating ? $"{spinner} generating"
            : Sleep is { Finished: false } run ? $"{spinner} {(run.Kind == SleepKind.Sleep ? "sleeping" : "napping")}"
            : KeyStatistics is { } done ? $"keys {done * 100:0}%"
            : "ready";
        return new StatusLine(Model, Backend, TokensPerSecond, ContextUsed, ContextSize, Memory.Facts.Count, Memory.Pressure, activity);
    }
}
