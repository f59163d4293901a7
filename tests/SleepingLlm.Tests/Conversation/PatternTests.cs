using SleepingLlm.Conversation;
using SleepingLlm.Eval;

namespace SleepingLlm.Tests.Conversation;

/// <summary>The first-person patterns on the chat-facts messages, on small talk and on hedged or negated lines.</summary>
public sealed class PatternTests
{
    // What each message of chat-facts.json says, as the triples memory should keep (the specification).
    public static TheoryData<string, string[]> Expected => new()
    {
        { "c00", ["name=Tobias Achterberg"] },
        { "c01", ["home=Tromso"] },
        { "c02", ["job=glassblower"] },
        { "c03", ["favorite color=ochre"] },
        { "c04", ["dog=Sprocket"] },
        { "c05", ["allergy=sesame"] },
        { "c06", ["instrument=bassoon"] },
        { "c07", ["sister=Odette", "sister's job=marine biologist"] },
        { "c08", ["car=Skoda"] },
        { "c09", ["favorite food=pierogi"] },
        { "c10", ["birth year=1987"] },
        { "c11", ["learning=Icelandic"] },
        { "c12", ["son=Ferdinand"] },
        { "c13", ["studied=geology"] },
        { "c14", ["sport=curling"] },
        { "c15", ["wife=Marguerite"] },
        { "c16", ["hometown=Kilkenny"] },
        { "c17", ["cat=Truffle"] },
        { "c18", ["employer=Lumenfold"] },
        { "c19", ["favorite book=The Left Hand of Darkness"] },
        { "c20", ["prefers=tea"] },
        { "c21", ["best friend=Quentin Halvorsen"] },
        { "c22", ["home=Gdansk"] },
        { "c23", ["daughter's birthday=March 3rd"] },
    };

    static IReadOnlyList<ExtractedFact> Extract(string message) => FactExtractor.Extract(message);

    [Theory]
    [MemberData(nameof(Expected))]
    public void Each_chat_fact_message_gives_its_triples(string id, string[] expected)
    {
        var facts = Extract(ChatFacts.All.Single(m => m.Id == id).Message);
        Assert.Equal(expected, facts.Select(f => $"{f.Relation}={f.Object}"));
        Assert.All(facts, f => Assert.Equal(UserEntity.Subject, f.Subject));
        Assert.All(facts, f => Assert.Equal(ExtractionSource.Pattern, f.Source));
    }

    [Fact]
    public void Every_recall_answer_is_in_an_extracted_object()
    {
        var missed = ChatFacts.All
            .SelectMany(m => m.Recall.Select(r => (m.Id, r, Facts: Extract(m.Message))))
            .Where(x => !x.Facts.Any(f => x.r.IsAnsweredBy(f.Object)))
            .Select(x => $"{x.Id}: {x.r.Question}").ToList();
        Assert.Empty(missed);
    }

    [Fact]
    public void Small_talk_gives_no_fact_and_no_clause_for_the_model()
    {
        var turns = ChatFactSet.SmallTalk();
        Assert.Equal(20, turns.Count);
        Assert.All(turns, turn => Assert.Empty(Extract(turn)));
        // Nothing left for the model pass either: small talk never reaches the model.
        Assert.All(turns, turn => Assert.Empty(Utterance.Clauses(turn)));
    }

    [Fact]
    public void Ordinary_turns_and_small_talk_give_no_fact()
    {
        var turns = ChatFactSet.OrdinaryTurns().Concat(ChatFactSet.SmallTalk()).ToList();
        Assert.Equal(70, turns.Count);
        Assert.All(turns, turn => Assert.Empty(Extract(turn)));
    }

    [Theory]
    [InlineData("I think I live in Paris.")]
    [InlineData("Maybe my name is Bob.")]
    [InlineData("I don't live in Oslo anymore.")]
    [InlineData("Do I live in Oslo?")]
    [InlineData("Where do I live?")]
    [InlineData("My name is not Bob.")]
    [InlineData("I might work as a baker one day.")]
    [InlineData("I like it.")]
    [InlineData("I love that idea!")]
    [InlineData("You live in Paris, right?")]
    [InlineData("The assistant said I live in Rome.")]
    public void Junk_gives_no_fact(string line)
    {
        Assert.Empty(Extract(line));
    }

    [Fact]
    public void A_correction_is_marked_and_hits_the_same_relation()
    {
        var before = Assert.Single(Extract("I live in Tromso these days."));
        var after = Assert.Single(Extract("Actually, I moved last month: I now live in Gdansk."));
        Assert.False(before.Correction);
        Assert.True(after.Correction);
        Assert.Equal((before.Subject, before.Relation), (after.Subject, after.Relation));
        Assert.Equal("Gdansk", after.Object);
    }

    [Theory]
    [InlineData("My favourite colour is teal.", "favorite color", "teal")]
    [InlineData("My mum is called Ines.", "mother", "Ines")]
    [InlineData("I have a parrot named Kiwi.", "parrot", "Kiwi")]
    [InlineData("Call me Ray.", "name", "Ray")]
    [InlineData("I'm a carpenter.", "job", "carpenter")]
    [InlineData("I speak Portuguese and a little French.", "language", "Portuguese")]
    [InlineData("I'm vegetarian.", "diet", "vegetarian")]
    [InlineData("My brother is a pilot.", "brother's job", "pilot")]
    public void Variants_map_onto_canonical_relations(string line, string relation, string obj)
    {
        var fact = Assert.Single(Extract(line));
        Assert.Equal((relation, obj), (fact.Relation, fact.Object));
        Assert.NotNull(UserRelations.Find(fact.Relation));
    }
}
