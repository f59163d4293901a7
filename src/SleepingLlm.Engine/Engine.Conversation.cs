using SleepingLlm.Conversation;
using SleepingLlm.Inference;

namespace SleepingLlm;

/// <summary>Where the chat's conversation stands: turns verbatim, summaries, and the transcript file.</summary>
/// <param name="SystemPrompt">What the memory put in the last turn's system prompt; null: nothing (the model's own).</param>
public sealed record ChatWindowState(int Turns, int Summaries, string? TranscriptPath, string? SystemPrompt = null);

/// <summary>The engine's conversation: its context window, transcript, fact extraction from user turns and the chat's memory commands.</summary>
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
        Invoke((_, _) => new ChatWindowState(chat?.Window.Turns.Count ?? 0, chat?.Window.Summaries.Count ?? 0, Transcript?.Path, chat?.Window.SystemPrompt));

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

    /// <summary>
    /// Records the facts found in the conversation's latest user turn (the transcript keeps them beside
    /// the turn, and the window may then evict it); false when there is no user turn.
    /// </summary>
    public Task<bool> RecordUserTurnFactsAsync(IReadOnlyList<TurnFact> facts) => Invoke((_, c) =>
    {
        var session = Chat(c);
        var turn = session.Window.Turns.LastOrDefault(t => t.Role == "user");
        return turn is not null && session.RecordFacts(turn.Index, facts);
    });

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

    // The few-shot prompt, one clause and the answer fit easily.
    const int ExtractionContextLength = 1024;
    Context? extractionContext;

    /// <summary>How the user's own facts are kept and served.</summary>
    public UserFactsMode UserFacts => userFacts;

    /// <summary>
    /// The facts in one user turn: the patterns, then the grammar-constrained model pass for clauses they
    /// missed. A job on the llama thread like any other, so a caller that starts it after the reply
    /// never delays that reply.
    /// </summary>
    public Task<IReadOnlyList<ExtractedFact>> ExtractAsync(string userText) => Invoke((m, _) =>
    {
        // A context of its own: the chat's cached conversation stays, and the pass reads the base model.
        extractionContext ??= new Context(m, ExtractionContextLength);
        // The people the user named before, so "Maren turns nine on June 3rd" is about "my daughter Maren".
        var people = memory is null ? null
            : FactExtractor.People(memory.Store.ActiveFacts().Where(f => UserEntity.Is(f.Subject)).Select(f => (f.Relation, f.Object)));
        return FactExtractor.Extract(userText, (clause, correction) => ModelExtractor.Extract(extractionContext, clause, correction).Facts, people);
    });

    /// <summary>
    /// Writes an extracted fact: as a MEMIT edit when the user's facts live in the weights, else as text
    /// for the profile. A fact of the same subject and relation is replaced (<see cref="Memory.Remembered.Replaced"/>).
    /// </summary>
    public Task<Memory.Remembered> RememberAsync(ExtractedFact extracted, IProgress<string>? progress = null)
    {
        var fact = UserProfile.ToFact(extracted) ?? throw new SleepingLlmException($"\"{extracted.Relation}\" is not a relation the memory knows");
        return userFacts.UsesWeights() || !UserEntity.Is(fact.Subject)
            ? RememberAsync(fact, progress: progress)
            : Invoke((_, _) => RequireMemory().RememberText(fact));
    }

    /// <summary>What the memory puts in the system prompt for <paramref name="message"/> (null: nothing; the model's own).</summary>
    public Task<string?> SystemPromptAsync(string message) => Invoke((_, _) => SystemPrompt(message));

    /// <summary>The system prompt for a message: the user's profile and what the memory mode retrieves.</summary>
    string? SystemPrompt(string message)
    {
        if (memory is null) return null;
        var parts = new[]
        {
            !userFacts.UsesPrompt() ? null
                : UserProfile.SystemPrompt(userFacts == UserFactsMode.Profile ? memory.Store.ActiveFacts() : UserProfile.Relevant(memory.Store.ActiveFacts(), message)),
            Memory.MemoryPrompt.For(memory.Store, mode, message, ragCount),
        }.OfType<string>().ToList();
        return parts.Count == 0 ? null : string.Join("\n\n", parts);
    }
}
