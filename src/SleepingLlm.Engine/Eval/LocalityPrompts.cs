namespace SleepingLlm.Eval;

/// <summary>
/// Whose prompts locality is measured on, taken from the facts file after the written facts. Unrelated
/// people share no name (first or last) with anyone written: what an edit keyed at a subject's last
/// token should leave alone. Namesakes share a written subject's surname on purpose: an edit keyed at
/// "Tanaka" fires almost fully on any Tanaka (`sleepingllm firing`), so they are measured apart rather
/// than mixed into the unrelated share, where a few of them decided the figure.
/// </summary>
public static class LocalityPrompts
{
    public const int DefaultCount = 50;

    /// <summary>Facts after the first <paramref name="written"/> whose subject shares no name token with a written subject, in file order.</summary>
    public static IReadOnlyList<FactRecord> Unrelated(IReadOnlyList<FactRecord> records, int written, int count = DefaultCount)
    {
        var names = records.Take(written).SelectMany(r => Tokens(r.Subject)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. records.Skip(written).Where(r => !Tokens(r.Subject).Any(names.Contains)).Take(count)];
    }

    /// <summary>
    /// Made-up namesakes of the written subjects: unrelated people's facts (<see cref="Unrelated"/>) with
    /// their surname swapped for a written subject's, the surnames taken in turn, e.g. "Hallam Tanaka
    /// plays the" when "Caspian Tanaka" is written. The first name is an unrelated person's, which no written
    /// subject has: so a namesake shares exactly the surname and is never a written subject itself. Each
    /// prompt is used once.
    /// </summary>
    public static IReadOnlyList<FactRecord> Namesakes(IReadOnlyList<FactRecord> records, int written, int count = DefaultCount)
    {
        var surnames = records.Take(written).Select(r => Tokens(r.Subject)[^1]).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var sources = Unrelated(records, written, int.MaxValue).Where(r => Tokens(r.Subject).Length > 1 && r.Prompt.Contains(r.Subject, StringComparison.Ordinal)).ToList();
        var result = new List<FactRecord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Source i takes surname i mod the surnames: with fewer sources than wanted, they come round again with the next surname.
        for (int i = 0; i < sources.Count * Math.Max(1, surnames.Count) && result.Count < count && surnames.Count > 0; i++)
        {
            var source = sources[i % sources.Count];
            string[] tokens = Tokens(source.Subject);
            string name = string.Join(' ', tokens[..^1].Append(surnames[(i + i / sources.Count) % surnames.Count]));
            var namesake = Renamed(source, name);
            if (seen.Add(namesake.Prompt)) result.Add(namesake);
        }
        return result;
    }

    /// <summary>The record about <paramref name="name"/> instead of its subject: prompt, question and paraphrases alike.</summary>
    static FactRecord Renamed(FactRecord record, string name) => record with
    {
        Id = record.Id + "-namesake",
        Subject = name,
        Prompt = record.Prompt.Replace(record.Subject, name, StringComparison.Ordinal),
        Question = record.Question?.Replace(record.Subject, name, StringComparison.Ordinal),
        Paraphrases = record.Paraphrases?.Select(p => p.Replace(record.Subject, name, StringComparison.Ordinal)).ToList(),
    };

    static string[] Tokens(string subject) => subject.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
