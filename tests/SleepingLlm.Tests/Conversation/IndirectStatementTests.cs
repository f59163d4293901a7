using SleepingLlm.Conversation;

namespace SleepingLlm.Tests.Conversation;

/// <summary>
/// Facts said the roundabout way: a lead-in ("Job-wise,"), a firm by description, a hypothetical favourite,
/// "the N I keep coming back to", a habit ("I'm usually swimming"), a degree finished, a person by role one
/// uses or sees, a name after a short "where", "X and I got married", a thing's make, and a name from an
/// earlier turn. Other wordings and names than docs/chat-facts-heldout.json, whose messages these kinds came from.
/// </summary>
public sealed class IndirectStatementTests
{
    static string[] Triples(string message, IReadOnlyDictionary<string, string>? people = null) =>
        [.. FactExtractor.Extract(message, people: people).Select(f => $"{f.Relation}={f.Object}")];

    [Theory]
    [InlineData("Career-wise, I'm a structural engineer at a small company named Halvorsen Bygg, designing bridges mostly.",
        "job=structural engineer", "employer=Halvorsen Bygg")]
    [InlineData("I work as a nurse at a clinic called Lindenhof.", "job=nurse", "employer=Lindenhof")]
    [InlineData("Since January I'm working at Fjordline instead.", "employer=Fjordline")]
    [InlineData("Update: I'm now working for Hexagon.", "employer=Hexagon")]
    [InlineData("In 2009 I completed a master's in linguistics at the University of Tartu.", "studied=linguistics", "alma mater=University of Tartu")]
    [InlineData("I have a PhD in chemistry from Uppsala.", "studied=chemistry", "alma mater=Uppsala")]
    public void Work_and_studies_said_in_passing(string message, params string[] triples) => Assert.Equal(triples, Triples(message));

    [Theory]
    [InlineData("If I could only eat one meal for the rest of my life, it would be pho.", "favorite food=pho")]
    [InlineData("If I had to choose one band forever, it'd be Wilco.", "favorite band=Wilco")]
    [InlineData("The album I keep coming back to is Blue, and the film I've watched more than any other is Alien.",
        "favorite album=Blue", "favorite movie=Alien")]
    [InlineData("My favourite meal is ramen.", "favorite food=ramen")]
    public void A_favourite_said_without_the_word(string message, params string[] triples) => Assert.Equal(triples, Triples(message));

    [Theory]
    [InlineData("During the week I'm usually swimming.", "sport=swimming")]
    [InlineData("In summer I play tennis, and when it gets cold I switch to squash.", "sport=tennis and squash")]
    [InlineData("I speak Dutch and German, as well as some Italian.", "language=Dutch, German and Italian")]
    [InlineData("I'm always running late.")]
    public void Habits_and_several_of_a_kind(string message, params string[] triples) => Assert.Equal(triples, Triples(message));

    [Theory]
    [InlineData("We see a physiotherapist named Ilse Brandauer every month.", "physiotherapist=Ilse Brandauer")]
    [InlineData("I use a tax adviser called Morten.", "tax adviser=Morten")]
    [InlineData("We use a tool called Jira.")]
    [InlineData("Our neighbour upstairs, Kasimir, plays the cello.", "neighbor=Kasimir", "neighbor's instrument=cello")]
    [InlineData("My dentist down the road, Dr Okafor, is very gentle.", "dentist=Dr Okafor")]
    [InlineData("The flat is great and my landlady there, Brigitta Holm, is very kind.", "landlady=Brigitta Holm")]
    [InlineData("My flatmate is a quiet astronomer called Petronella.", "flatmate=Petronella")]
    [InlineData("My name's Josephine Achebe, though everyone calls me Jo.", "name=Josephine Achebe")]
    public void People_by_role_and_names(string message, params string[] triples) => Assert.Equal(triples, Triples(message));

    [Theory]
    [InlineData("Tomasz and I got married on 4 May 2018.", "spouse=Tomasz", "wedding anniversary=4 May")]
    [InlineData("We got married on August 9th in Riga.", "wedding anniversary=August 9th")]
    [InlineData("Lena and I got engaged last week.", "fiance=Lena")]
    [InlineData("My niece turns six on the 5th of July.", "niece's birthday=5th of July")]
    public void Weddings_and_days(string message, params string[] triples) => Assert.Equal(triples, Triples(message));

    [Theory]
    [InlineData("I ride a battered red Cannondale road bike to work.", "bike=Cannondale")]
    [InlineData("We have a Miele dishwasher in the kitchen.", "dishwasher=Miele")]
    [InlineData("I have a PhD in physics.", "studied=physics")]
    [InlineData("I have a German shepherd.")]
    public void The_make_of_a_thing(string message, params string[] triples) => Assert.Equal(triples, Triples(message));

    [Fact]
    public void A_name_from_an_earlier_turn_stands_for_that_person()
    {
        var people = FactExtractor.People([("son", "Elias Berg"), ("son's home", "Oslo"), ("blood type", "O Negative")]);
        Assert.Equal(["son=Elias", "son's birthday=2 April"], Triples("Elias turns twelve on 2 April.", people));
        Assert.Equal(["son=Elias", "son's home=Bergen"], Triples("Elias lives in Bergen now.", people));
        Assert.Empty(Triples("Johan turns twelve on 2 April.", people));
        Assert.Empty(Triples("Elias turns twelve on 2 April."));
        Assert.False(people.ContainsKey("O"));
    }
}
