using SleepingLlm.Conversation;

namespace SleepingLlm.Tests.Conversation;

/// <summary>What of a model's answer is kept: parseable triples about the user, grounded in the user's words.</summary>
public sealed class GroundingTests
{
    const string Clause = "my tortoise is Gustav and I adore sailing";

    [Fact]
    public void Parse_reads_triples_and_makes_relations_canonical()
    {
        var facts = ModelExtractor.Parse("""[{"subject":"user","relation":"Favourite Colour","object":"the teal"},{"subject":"Bob","relation":"job","object":"baker"}]""");
        Assert.Equal([(UserEntity.Subject, "favorite color", "teal"), ("Bob", "job", "baker")], facts.Select(f => (f.Subject, f.Relation, f.Object)));
        Assert.All(facts, f => Assert.Equal(ExtractionSource.Model, f.Source));
    }

    [Theory]
    [InlineData("[{\"subject\":\"user\",\"relation\":\"home\"")]
    [InlineData("not json")]
    [InlineData("{\"subject\":\"user\"}")]
    public void A_broken_answer_gives_nothing(string answer) => Assert.Empty(ModelExtractor.Parse(answer));

    [Theory]
    [InlineData("likes", "sailing", true)]
    [InlineData("likes", "surfing", false)] // not in the clause
    [InlineData("home", "sailing", false)] // no cue of the relation in the clause
    [InlineData("dog", "Gustav", false)] // no cue: the clause says tortoise
    [InlineData("likes", "it", false)] // vague
    public void Only_grounded_triples_count(string relation, string obj, bool kept) =>
        Assert.Equal(kept, ModelExtractor.Grounded(new ExtractedFact(UserEntity.Subject, relation, obj, ExtractionSource.Model), Clause));

    [Fact]
    public void Names_must_be_written_as_names_and_about_the_user()
    {
        Assert.False(ModelExtractor.Grounded(new ExtractedFact(UserEntity.Subject, "tortoise", "Gustav", ExtractionSource.Model), "my tortoise is gustav"));
        Assert.False(ModelExtractor.Grounded(new ExtractedFact("Gustav", "likes", "sailing", ExtractionSource.Model), Clause));
    }

    [Fact]
    public void A_job_is_never_a_name_said_in_the_clause()
    {
        const string clause = "my mentor there, Ingrid Vold, is easy to work with";
        Assert.False(ModelExtractor.Grounded(new ExtractedFact(UserEntity.Subject, "job", "Ingrid Vold", ExtractionSource.Model), clause));
        Assert.True(ModelExtractor.Grounded(new ExtractedFact(UserEntity.Subject, "job", "nurse", ExtractionSource.Model), "I work as a nurse"));
    }
}
