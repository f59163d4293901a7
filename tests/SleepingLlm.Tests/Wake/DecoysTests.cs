using SleepingLlm.Wake;

namespace SleepingLlm.Tests.Wake;

/// <summary>Namesakes of a subject: the same last name, made-up first names, the fact's texts rewritten around them.</summary>
public sealed class DecoysTests
{
    static readonly Fact Tanaka = new("Caspian Tanaka", "color", "cyan", "Caspian Tanaka's favorite color is",
        "What is Caspian Tanaka's favorite color?");

    [Fact]
    public void Namesakes_share_the_last_name_and_replace_the_subject_in_prompt_and_question()
    {
        var decoys = Decoys.For(Tanaka, 6);

        Assert.Equal(6, decoys.Count);
        Assert.Equal(6, decoys.Select(d => d.Subject).Distinct().Count());
        foreach (var d in decoys)
        {
            Assert.EndsWith(" Tanaka", d.Subject);
            Assert.NotEqual(Tanaka.Subject, d.Subject);
            Assert.Equal($"{d.Subject}'s favorite color is", d.Prompt);
            Assert.Equal($"What is {d.Subject}'s favorite color?", d.Question);
            Assert.Equal(Tanaka.Object, d.Object);
            d.Validate();
        }
    }

    [Fact]
    public void Namesakes_are_the_same_on_every_call()
    {
        Assert.Equal(Decoys.For(Tanaka, 4).Select(d => d.Subject), Decoys.For(Tanaka, 4).Select(d => d.Subject));
    }

    [Theory]
    [InlineData("Paris", "Paris is the capital of")]
    [InlineData("my dog", "my dog is named")]
    public void Subjects_that_are_not_names_of_people_get_none(string subject, string prompt)
    {
        Assert.Empty(Decoys.For(new Fact(subject, "r", "x", prompt), 8));
    }

    [Fact]
    public void A_user_fact_gets_its_questions_asked_about_someone_else_keyed_at_the_same_words()
    {
        var fact = new Fact("I", "language", "Tagalog", "I speak")
        {
            Asked = [AskedQuestion.Parse("Which language do [I speak]?"), AskedQuestion.Parse("What language am [I fluent] in?"),
                AskedQuestion.Parse("What is [my sister]'s name?")],
        };

        var other = Decoys.OtherPerson(fact);

        Assert.Equal(["Which language do they speak?", "What language are they fluent in?", "What is their sister's name?"], other.Asked!.Select(q => q.Text));
        Assert.Equal(["Which language do they speak", "What language are they fluent", "What is their sister"], other.Asked!.Select(q => q.Key));
        Assert.Empty(Decoys.For(fact, 8)); // no namesakes: the subject is no name
    }

    [Fact]
    public void Made_up_names_are_two_capitalised_words_and_distinct()
    {
        var names = SubjectCovariance.MadeUpNames(100);

        Assert.Equal(100, names.Distinct().Count());
        Assert.All(names, n =>
        {
            var words = n.Split(' ');
            Assert.Equal(2, words.Length);
            Assert.All(words, w => Assert.True(char.IsUpper(w[0]) && w.Length >= 3, n));
        });
    }
}
