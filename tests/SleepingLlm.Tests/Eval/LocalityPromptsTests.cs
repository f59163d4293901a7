using SleepingLlm.Eval;

namespace SleepingLlm.Tests.Eval;

/// <summary>Whose prompts locality is measured on: people sharing no name with a written subject, and made-up namesakes built on purpose.</summary>
public sealed class LocalityPromptsTests
{
    static FactRecord Fact(string id, string subject, string prompt, string? question = null) =>
        new(id, subject, "color", "red", prompt.Replace("{}", subject), question?.Replace("{}", subject), null);

    static readonly IReadOnlyList<FactRecord> Records =
    [
        Fact("w1", "Caspian Tanaka", "{}'s favorite color is", "What is {}'s favorite color?"),
        Fact("w2", "Hallam Okafor", "{} drives a"),
        Fact("o1", "Caspian Tanaka", "{} plays the"),      // a written subject's other fact
        Fact("o2", "Clementine Novak", "{}'s favorite color is", "What is {}'s favorite color?"),
        Fact("o3", "Hallam Ferreira", "{} works as a"),    // shares a first name
        Fact("o4", "Saoirse Okafor", "{} lives in"),       // shares a surname
        Fact("o5", "Ilse Brandt", "{} speaks"),
        Fact("o6", "Alaric Hallam", "{} eats"),            // a written first name as surname
    ];

    [Fact]
    public void Unrelated_people_share_no_first_or_last_name_with_any_written_subject()
    {
        var unrelated = LocalityPrompts.Unrelated(Records, written: 2);
        Assert.Equal(["o2", "o5"], unrelated.Select(r => r.Id));
        Assert.Equal(["o2"], LocalityPrompts.Unrelated(Records, written: 2, count: 1).Select(r => r.Id));
    }

    [Fact]
    public void A_namesake_takes_a_written_subjects_surname_and_an_unrelated_first_name()
    {
        var namesakes = LocalityPrompts.Namesakes(Records, written: 2, count: 20);
        string[] written = ["Caspian Tanaka", "Hallam Okafor"];
        // Two unrelated sources, two written surnames: each source with each surname, each prompt once.
        Assert.Equal(4, namesakes.Count);
        Assert.Equal(namesakes.Count, namesakes.Select(n => n.Prompt).Distinct().Count());
        Assert.Contains(namesakes, n => n.Prompt == "Clementine Tanaka's favorite color is" && n.Question == "What is Clementine Tanaka's favorite color?");
        Assert.All(namesakes, n =>
        {
            Assert.DoesNotContain(n.Subject, written);
            Assert.DoesNotContain(written, w => n.Prompt.Contains(w, StringComparison.Ordinal));
            string[] name = n.Subject.Split(' ');
            Assert.Contains(written, w => w.Split(' ')[^1] == name[^1]);
            Assert.DoesNotContain(written, w => w.Split(' ')[0] == name[0]);
            Assert.Contains(n.Subject, n.Prompt);
        });
    }

    [Fact]
    public void No_namesake_is_a_written_subject_even_where_a_first_name_would_make_one()
    {
        // "Ilse Brandt" with the written surname Tanaka would be "Ilse Tanaka", who is written: she shares a name, so she is no source.
        IReadOnlyList<FactRecord> records = [Fact("w1", "Ilse Tanaka", "{} drives a"), Fact("o1", "Ilse Brandt", "{} speaks"), Fact("o2", "Bruno Costa", "{} eats")];
        Assert.Equal(["Bruno Tanaka eats"], LocalityPrompts.Namesakes(records, written: 1).Select(n => n.Prompt));
    }

    [Fact]
    public void The_facts_file_gives_at_least_twenty_namesakes_after_fifty_facts()
    {
        var records = FactSet.Load(Path.Combine(Path.GetDirectoryName(WikiText.Path)!, "facts-people.json"));
        var written = records.Take(50).Select(r => r.Subject).ToHashSet();
        var namesakes = LocalityPrompts.Namesakes(records, 50);
        Assert.True(namesakes.Count >= 20, $"{namesakes.Count} namesakes");
        Assert.DoesNotContain(namesakes, n => written.Contains(n.Subject));
        Assert.True(LocalityPrompts.Unrelated(records, 50).Count >= 20);
    }
}
