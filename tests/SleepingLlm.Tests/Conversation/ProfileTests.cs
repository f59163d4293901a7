using SleepingLlm.Conversation;
using SleepingLlm.Memory;

namespace SleepingLlm.Tests.Conversation;

/// <summary>The user's facts a message is about, as the relevant mode puts them into the system prompt.</summary>
public sealed class ProfileTests
{
    static readonly IReadOnlyList<StoredFact> Facts =
    [
        .. new[] { "My name is Ada Lund.", "I live in Oslo.", "My dog is named Rex.", "I work as a baker.", "I work at a company called Crumbs.",
                   "My favorite colour is teal.", "My favorite food is ramen.", "My sister Ines is a nurse.", "I play the cello." }
            .SelectMany(m => FactExtractor.Extract(m))
            .Select((f, i) => Stored(i + 1, UserProfile.ToFact(f)!)),
    ];

    static StoredFact Stored(long id, SleepingLlm.Wake.Fact fact) =>
        new(id, fact.Subject, fact.Relation, fact.Object, fact.Prompt, fact.Question, [], DateTimeOffset.UnixEpoch, FactStatus.Active, 0, 1, null, null, [], false);

    [Theory]
    [InlineData("What is my name?", "name")]
    [InlineData("What is my dog's name?", "dog")]
    [InlineData("Which city do I live in?", "home")]
    [InlineData("What is my job?", "job")]
    [InlineData("Where do I work?", "employer,job")]
    [InlineData("Which colour is my favourite?", "favorite color")]
    [InlineData("What does my sister do?", "sister,sister's job")]
    [InlineData("Which instrument do I play?", "instrument")]
    [InlineData("Tell me a joke about penguins.", "")]
    public void A_question_gets_the_facts_it_is_about(string question, string relations) =>
        Assert.Equal(relations, string.Join(",", UserProfile.Relevant(Facts, question).Select(f => f.Relation)));

    [Theory]
    [InlineData("Who is my neighbour?", "neighbor")]
    [InlineData("Where does my mum live?", "mother's home")]
    [InlineData("Where do I live?", "home")]
    [InlineData("Where do I go climbing?", "")]
    public void A_relative_is_found_in_either_spelling_and_do_names_no_relation(string question, string relation)
    {
        var facts = new[] { "My neighbour Casimir keeps bees.", "My mum lives in Lyon.", "I live in Oslo.", "I'm a baker.", "I do judo." }
            .SelectMany(m => FactExtractor.Extract(m)).Select((f, i) => Stored(i + 1, UserProfile.ToFact(f)!)).ToList();
        Assert.Equal(relation, string.Join(",", UserProfile.Relevant(facts, question).Select(f => f.Relation)));
    }

    [Fact]
    public void A_typed_triple_with_a_canonical_relation_gets_its_prompt_and_chat_question()
    {
        var car = UserProfile.FromTriple("Rafferty Dunmore", "car", "Citroen", null);
        Assert.Equal(("Rafferty Dunmore drives a", "What car does Rafferty Dunmore drive?"), (car.Prompt, car.Question));
        Assert.Equal("Which car is his?", UserProfile.FromTriple("Rafferty Dunmore", "car", "Citroen", "Which car is his?").Question);
        // Any other relation is the prompt as typed, with no chat question unless one is given.
        var other = UserProfile.FromTriple("Rafferty Dunmore", "collects", "stamps", null);
        Assert.Equal(("Rafferty Dunmore collects", null), (other.Prompt, other.Question));
    }

    [Fact]
    public void The_profile_is_one_sentence_a_line_under_one_header()
    {
        string prompt = UserProfile.SystemPrompt(UserProfile.Relevant(Facts, "Where do I live?"))!;
        Assert.Equal(["Facts you know:", "The user lives in the city of Oslo."], prompt.Split('\n'));
        Assert.Null(UserProfile.SystemPrompt([]));
        Assert.Equal(Facts.Count + 1, UserProfile.SystemPrompt(Facts)!.Split('\n').Length);
    }
}
