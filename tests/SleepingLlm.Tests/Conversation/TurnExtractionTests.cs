using SleepingLlm.Conversation;
using SleepingLlm.Inference;

namespace SleepingLlm.Tests.Conversation;

/// <summary>The hook the fact extractor hangs on: no turn leaves the window before it has been through extraction.</summary>
public sealed class TurnExtractionTests() : ScratchDirectory("sleepingllm-extraction-")
{
    sealed class Extractor : ITurnExtraction
    {
        public List<int> Calls { get; } = [];

        public IReadOnlyList<TurnFact> Extract(ConversationTurn turn)
        {
            Calls.Add(turn.Index);
            return turn.Role == "user" ? [new TurnFact("user", "said", turn.Text)] : [];
        }
    }

    /// <summary>A summariser that does not need the model: the first word of each turn.</summary>
    sealed class FirstWords : ISummariser
    {
        public int MaxTokens => 16;
        public int MaxInputTokens => 1000;
        public string Summarise(IReadOnlyList<ConversationTurn> turns) => string.Join(' ', turns.Select(t => t.Text.Split(' ')[0]));
    }

    [Fact]
    public void A_turn_leaves_the_window_only_after_extraction_and_its_facts_reach_the_transcript()
    {
        using var model = Model.Load(TestModels.SmolLm2, new ModelOptions { ContextLength = 256, Threads = 1 });
        using var context = new Context(model);
        using var log = new TranscriptLog(directory, "model.gguf");
        var extractor = new Extractor();
        var session = new ChatSession(context, "Be brief.", log, new FirstWords()) { Extraction = extractor };

        session.Reply("Hello there, I am Ada.", SamplerSettings.Greedy, 4);
        // The extractor's own pass got to turn 0 first: the window will not extract it again.
        Assert.True(session.RecordFacts(0, [new TurnFact("user", "is named", "Ada")]));
        for (int i = 0; session.Window.Summaries.Count == 0; i++)
        {
            Assert.True(i < 20, "the window never slid");
            session.Reply($"Tell me a long story about dragon number {i}, with many details about its cave.", SamplerSettings.Greedy, 4);
        }

        int lastEvicted = session.Window.Summaries[^1].LastTurn;
        Assert.Equal(Enumerable.Range(1, lastEvicted), extractor.Calls);
        Assert.All(session.Window.Turns, t => Assert.False(t.Extracted)); // the rest waits for the extractor
        var saved = TranscriptLog.Read(log.Path);
        Assert.Equal([new TurnFact("user", "is named", "Ada")], saved.Turns[0].Facts);
        Assert.Equal(saved.Turns[2].Text, Assert.Single(saved.Turns[2].Facts).Object);
        Assert.Empty(saved.Turns[1].Facts);
    }
}
