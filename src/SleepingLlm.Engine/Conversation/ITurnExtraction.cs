namespace SleepingLlm.Conversation;

/// <summary>
/// Fact extraction as the context window needs it: every turn goes through it before it leaves the
/// window, so nothing the user said is summarised away unread.
/// </summary>
/// <remarks>
/// The contract, kept simple on purpose: a turn carries a flag (<see cref="ConversationTurn.Extracted"/>).
/// Whoever extracts facts (say, a job queued after each user turn) reports them with
/// <c>ChatSession.RecordFacts(turnIndex, facts)</c>, which sets the flag and writes them to the
/// transcript. When the window must evict a turn whose flag is still clear, it calls
/// <see cref="Extract"/> itself and waits for it there. Both run on the engine thread, so that wait
/// cannot deadlock on the model, and each turn is extracted exactly once.
/// </remarks>
public interface ITurnExtraction
{
    /// <summary>The facts in <paramref name="turn"/> (empty for none); called on the engine thread, once per turn.</summary>
    IReadOnlyList<TurnFact> Extract(ConversationTurn turn);
}
