using SleepingLlm.Conversation;
using SleepingLlm.Wake;

namespace SleepingLlm.Tests.Conversation;

/// <summary>The first-person questions a user fact is keyed on: where the key sits, and which relations share one.</summary>
public sealed class AskedQuestionTests
{
    [Theory]
    [InlineData("Where do [I live]?", "Where do I live?", "Where do I live")]
    [InlineData("What is [my sister]'s name?", "What is my sister's name?", "What is my sister")]
    [InlineData("Who is my manager?", "Who is my manager?", "Who is my manager")]
    [InlineData("What is my favorite movie?", "What is my favorite movie?", "What is my favorite movie")]
    [InlineData("Where do I live now?", "Where do I live now?", "Where do I live")]
    public void The_key_ends_at_the_words_that_name_the_fact(string marked, string text, string key)
    {
        var question = AskedQuestion.Parse(marked);
        Assert.Equal(text, question.Text);
        Assert.Equal(key, question.Key);
    }

    [Fact]
    public void A_question_without_key_words_is_refused_in_one_line()
    {
        var e = Assert.Throws<SleepingLlmException>(() => AskedQuestion.Parse("What time is it?"));
        Assert.Contains("names no key words", e.Message);
    }

    [Fact]
    public void Every_relation_of_the_user_is_asked_three_ways_with_the_key_inside_the_question()
    {
        var relations = UserRelations.Fixed.Concat(new[] { "favorite book", "sister", "sister's job", "daughter's birthday", "dog" }.Select(n => UserRelations.Find(n)!));
        foreach (var relation in relations)
        {
            Assert.True(relation.Asked.Count >= 3, relation.Name);
            Assert.All(relation.Asked, q => Assert.InRange(q.KeyEnd, 1, q.Text.Length));
            Assert.All(relation.Asked, q => Assert.DoesNotContain("[", q.Text));
        }
    }

    [Fact]
    public void Relations_asked_on_the_same_words_share_a_group_and_the_others_do_not()
    {
        Assert.Equal(UserRelations.Find("sister")!.Group, UserRelations.Find("sister's job")!.Group);
        Assert.Equal(UserRelations.Find("birthplace")!.Group, UserRelations.Find("birth year")!.Group);
        Assert.Equal(UserRelations.Find("instrument")!.Group, UserRelations.Find("sport")!.Group);
        Assert.NotEqual(UserRelations.Find("sister")!.Group, UserRelations.Find("brother")!.Group);
        Assert.NotEqual(UserRelations.Find("home")!.Group, UserRelations.Find("job")!.Group);
    }

    [Fact]
    public void The_users_fact_is_asked_in_the_first_person_and_anyone_elses_is_not()
    {
        var mine = UserProfile.FromTriple(UserEntity.Subject, "home", "Bergen", null);
        Assert.True(mine.IsAsked);
        Assert.Equal("Where do I live?", mine.Question);
        var theirs = UserProfile.FromTriple("Ada Lovelace", "home", "London", null);
        Assert.False(theirs.IsAsked);
        Assert.Equal("Where does Ada Lovelace live?", theirs.Question);
    }
}
