namespace SleepingLlm.Wake;

/// <summary>
/// Other people who share the subject's last name: "Vorane Tanaka" beside "Caspian Tanaka". MEMIT keys
/// an edit at the subject's last token, so without them an edit about one Tanaka fires on every
/// Tanaka (a colour written for Caspian came back for Clementine). Their keys join the solve with a
/// zero residual, so the edit keeps to what the first name adds to the key. Only for names: subjects of
/// two or more capitalised words.
/// </summary>
public static partial class Decoys
{
    /// <summary>
    /// The user's questions asked about someone else ("Which language do [they speak]?" beside "Which language do
    /// [I speak]?"), keyed at the same words: held unedited, they keep a first-person edit to what "I" and "my" add
    /// to the key, not to the relation's words, which ordinary turns share ("What language is spoken in Brazil?").
    /// </summary>
    public static Fact OtherPerson(Fact fact) =>
        fact with { Asked = [.. fact.Asked!.Select(q => { string key = ThirdPerson(q.Key); return new AskedQuestion(key + ThirdPerson(q.Text[q.KeyEnd..]), key.Length); })] };

    static string ThirdPerson(string text) => FirstPerson().Replace(text, m => m.Value switch
    {
        "I'm" => "they're", "I am" => "they are", "am I" => "are they", "I" => "they", "my" => "their", "My" => "Their",
        "me" => "them", "mine" => "theirs", "myself" => "themselves", "am" => "are", _ => m.Value,
    });

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(?:I'm|I am|am I|I|my|My|me|mine|myself|am)\b")]
    private static partial System.Text.RegularExpressions.Regex FirstPerson();

    /// <summary>Up to <paramref name="count"/> copies of <paramref name="fact"/> about made-up people with the same last word.</summary>
    public static IReadOnlyList<Fact> For(Fact fact, int count)
    {
        string[] words = fact.Subject.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (count == 0 || words.Length < 2 || !words.All(w => char.IsUpper(w[0]))) return [];
        string last = words[^1];
        return
        [
            .. SubjectCovariance.MadeUpNames(count, seed: 11)
                .Select(name => $"{name.Split(' ')[0]} {last}")
                .Where(decoy => decoy != fact.Subject)
                .Select(decoy => fact with
                {
                    Subject = decoy,
                    Prompt = fact.Prompt.Replace(fact.Subject, decoy, StringComparison.Ordinal),
                    Question = fact.Question?.Replace(fact.Subject, decoy, StringComparison.Ordinal),
                }),
        ];
    }
}
