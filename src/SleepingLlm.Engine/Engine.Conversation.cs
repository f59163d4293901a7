using SleepingLlm.Conversation;
using SleepingLlm.Inference;

namespace SleepingLlm;

/// <summary>Where the chat's conversation stands: turns verbatim, summaries, and the transcript file.</summary>
public sealed record ChatWindowState(int Turns, int Summaries, string? TranscriptPath);

/// <summary>The engine's conversation: its context window, transcript and fact-extraction hook, and the chat's memory commands.</summary>
public sealed partial class Engine
{
    ChatSession? chat;
    TranscriptLog? transcript;
    ITurnExtraction? extraction;

    /// <summary>The chat's transcript: saved beside the memory (<c>&lt;memory&gt;/&lt;model&gt;/transcripts/</c>); a bare model keeps none.</summary>
    TranscriptLog? Transcript => transcript ??= memory is null ? null
        : new TranscriptLog(Path.Combine(memory.Store.Folder, TranscriptLog.FolderName), Path.GetFileName(model.Path));

    ChatSession Chat(Context c) => chat ??= new ChatSession(c, transcript: Transcript) { Extraction = extraction };

    /// <summary>Forgets the conversation (its turns go through extraction first); the KV cache is reused by prefix, so nothing else to clear.</summary>
    public Task ResetChatAsync() => Invoke((_, _) => { chat?.Reset(); return true; });

    /// <summary>/compact: summarises all but the latest exchange into the history now.</summary>
    public Task<Compaction> CompactChatAsync(int maxTokens) => Invoke((_, c) => Chat(c).Compact(maxTokens));

    public Task<ChatWindowState> ChatWindowAsync() =>
        Invoke((_, _) => new ChatWindowState(chat?.Window.Turns.Count ?? 0, chat?.Window.Summaries.Count ?? 0, Transcript?.Path));

    /// <summary>The fact extractor the window waits for before a turn leaves it (see <see cref="ITurnExtraction"/>); null: none.</summary>
    public Task UseTurnExtractionAsync(ITurnExtraction? turnExtraction) => Invoke((_, _) =>
    {
        extraction = turnExtraction;
        if (chat is not null) chat.Extraction = turnExtraction;
        return true;
    });

    /// <summary>Extracts every chat turn not yet extracted (e.g. queued after each reply, off the reply's path).</summary>
    public Task ExtractPendingAsync() => Invoke((_, _) => { chat?.ExtractPending(); return true; });

    /// <summary>Records the facts of one chat turn (in the transcript, and the turn may leave the window).</summary>
    public Task<bool> RecordFactsAsync(int turnIndex, IReadOnlyList<TurnFact> facts) =>
        Invoke((_, c) => Chat(c).RecordFacts(turnIndex, facts));

    /// <summary>/forget TEXT: forgets the one memory the text names; several matches are returned and none is forgotten.</summary>
    public Task<Memory.ForgetByText> ForgetAsync(string text) => Invoke((_, _) =>
    {
        var done = RequireMemory().Forget(text);
        if (done.Forgotten) DetachUnlessWeights();
        return done;
    });

    /// <summary>/undo: forgets the last memory written in this session (null: none left).</summary>
    public Task<Memory.StoredFact?> UndoAsync() => Invoke((_, _) =>
    {
        var undone = RequireMemory().Undo();
        if (undone is not null) DetachUnlessWeights();
        return undone;
    });
}
