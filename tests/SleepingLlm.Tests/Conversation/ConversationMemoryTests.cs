using SleepingLlm.Conversation;
using SleepingLlm.Eval;

namespace SleepingLlm.Tests.Conversation;

/// <summary>Extracted facts written through the engine: corrections update, and the chat-facts replay end to end.</summary>
[Collection(ModelCompute.Name)]
public sealed class ConversationMemoryTests() : ScratchDirectory("sleepingllm-conversation-")
{
    [Fact]
    public async Task A_correction_replaces_the_old_fact_and_the_profile_follows()
    {
        await using var engine = await Engine.StartAsync(TestModels.Stories260K, memoryDirectory: directory, userFacts: UserFactsMode.Relevant);
        var first = await engine.RememberAsync(Assert.Single(await engine.ExtractAsync("I live in Tromso these days.")));
        var update = await engine.RememberAsync(Assert.Single(await engine.ExtractAsync("Actually, I moved last month: I now live in Gdansk.")));

        Assert.Null(first.Replaced);
        Assert.Equal(first.Id, update.Replaced);
        var home = Assert.Single(await engine.FactsAsync());
        Assert.Equal((UserEntity.Subject, "home", "Gdansk"), (home.Subject, home.Relation, home.Object));
        Assert.Equal(["The user lives in the city of Gdansk."],
            UserProfile.SystemPrompt(UserProfile.Relevant(await engine.FactsAsync(), "Where do I live?"))!.Split('\n').Skip(1));
    }

    [Fact]
    public async Task Replaying_a_few_messages_extracts_writes_and_recalls_after_a_restart()
    {
        var records = ChatFacts.All.Where(r => r.Id is "c01" or "c04" or "c22").ToList();
        var report = await ChatMemoryEvaluation.RunAsync(new ChatMemoryEvalOptions
        {
            ModelPath = TestModels.SmolLm2,
            Records = records,
            SmallTalk = [.. ChatFactSet.SmallTalk().Take(4)],
            MemoryDirectory = Path.Combine(directory, "memory"),
            ReplyTokens = 24,
            UserFacts = UserFactsMode.Relevant,
        });

        Assert.Equal(["home=Tromso", "dog=Sprocket", "home=Gdansk"], report.Turns.SelectMany(t => t.Facts).Select(f => $"{f.Relation}={f.Object}"));
        Assert.Equal(report.Turns[0].Facts[0].Id, report.Turns[2].Facts[0].Replaced);
        Assert.All(report.Turns, t => Assert.False(string.IsNullOrWhiteSpace(t.Reply)));
        Assert.Equal(2, report.FactsStored); // read from the reopened store
        Assert.Equal(1.0, report.ExtractionRecall, 3);
        // After the restart the current home and the dog come back; the old home (c01 asks for Tromso) must not.
        var recalled = report.Questions.Where(q => q.Recalled).Select(q => q.Id).ToList();
        Assert.True(recalled.SequenceEqual(["c04", "c22"]), string.Join("\n", report.Questions.Select(q => $"{q.Id} {q.Question} → {q.Answer}")));
        Assert.Equal(4, report.SmallTalk.Count);
        Assert.Equal(0, report.SmallTalkFacts);
    }

    [Fact]
    public async Task In_the_weights_the_users_facts_are_recalled_after_a_restart_with_nothing_in_the_context()
    {
        var records = ChatFacts.All.Where(r => r.Id is "c01" or "c04" or "c07" or "c22").ToList();
        var report = await ChatMemoryEvaluation.RunAsync(new ChatMemoryEvalOptions
        {
            ModelPath = TestModels.SmolLm2,
            Records = records,
            MemoryDirectory = Path.Combine(directory, "memory"),
            ReplyTokens = 24,
            UserFacts = UserFactsMode.Weights,
            CorpusFile = WikiText.Path,
            Wake = SleepingLlm.Wake.WakeSettings.For(30) with { CovarianceTokens = 4000 },
            OrdinaryTurns = [.. ChatFactSet.OrdinaryTurns().Take(6)],
        });

        Assert.Equal(["home=Tromso", "dog=Sprocket", "sister=Odette", "sister's job=marine biologist", "home=Gdansk"],
            report.Turns.SelectMany(t => t.Facts).Select(f => $"{f.Relation}={f.Object}"));
        Assert.All(report.Turns.SelectMany(t => t.Facts), f => Assert.NotNull(f.WriteSeconds));
        // The old home must not come back (c01 asks for Tromso after the move); the dog, the sister and the new home must.
        var recalled = report.Questions.Where(q => q.Recalled).Select(q => q.Question).ToList();
        Assert.True(recalled.SequenceEqual(["What is my dog's name?", "What is my sister's name?", "What does my sister do?", "Which city do I live in?"]),
            string.Join("\n", report.Questions.Select(q => $"{q.Id} {q.Question} → {q.Answer}")));
        Assert.Equal(4, report.FactsStored);
        Assert.NotNull(report.ChatLocality);
        Assert.Equal(6, report.ChatLocality!.Turns);
        // The floor (the edits shrunk to nothing) reads the measure's noise: next-token KL far under "changed".
        Assert.NotNull(report.ChatLocality.Floor);
        Assert.True(report.ChatLocality.Floor!.Divergence < Locality.UnchangedBelow, $"floor KL {report.ChatLocality.Floor.Divergence}");

        // Nothing about the user reaches the context: the system prompt a question gets is the model's own.
        await using var engine = await Engine.StartAsync(TestModels.SmolLm2, memoryDirectory: Path.Combine(directory, "memory"), userFacts: UserFactsMode.Weights);
        Assert.Null(await engine.SystemPromptAsync("Where do I live?"));
        var facts = await engine.FactsAsync();
        Assert.All(facts, f => Assert.True(f.IsAsked));
        var snapshot = await engine.MemoryAsync();
        Assert.NotEmpty(snapshot.EditNorms);
    }
}
