using SleepingLlm.Conversation;
using SleepingLlm.Inference;

namespace SleepingLlm;

/// <summary>The engine's side of conversation memory: extraction from a user turn, and writing what it found.</summary>
public sealed partial class Engine
{
    // The few-shot prompt, one clause and the answer fit easily.
    const int ExtractionContextLength = 1024;
    Context? extraction;

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
        extraction ??= new Context(m, ExtractionContextLength);
        return FactExtractor.Extract(userText, (clause, correction) => ModelExtractor.Extract(extraction, clause, correction).Facts);
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
