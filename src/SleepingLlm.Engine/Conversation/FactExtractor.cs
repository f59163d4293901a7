namespace SleepingLlm.Conversation;

/// <summary>
/// Extraction of one user turn: the patterns first, then, for each clause they found nothing in
/// (and that the junk filter let through), the model pass. One fact per relation and turn.
/// </summary>
public static class FactExtractor
{
    /// <param name="modelPass">The model pass for one clause (null: patterns only, as in unit tests).</param>
    public static IReadOnlyList<ExtractedFact> Extract(string message, Func<string, bool, IReadOnlyList<ExtractedFact>>? modelPass = null)
    {
        bool correction = Utterance.IsCorrection(message);
        var facts = new List<ExtractedFact>();
        foreach (string clause in Utterance.Clauses(message))
        {
            var found = FirstPersonPatterns.Read(clause, correction).ToList();
            if (found.Count == 0 && modelPass is not null) found = [.. modelPass(clause, correction)];
            facts.AddRange(found);
        }
        return [.. facts.DistinctBy(f => (f.Subject.ToLowerInvariant(), f.Relation))];
    }
}
