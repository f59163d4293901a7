using System.Diagnostics;
using SleepingLlm.Conversation;
using SleepingLlm.Inference;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Conversation;

/// <summary>
/// A long chat with the real model in a small context: the window slides with the model's own
/// tokenizer and summaries, and what llama.cpp is sent stays within the context, system prompt first.
/// The suite runs 20 exchanges (several slides); <c>SLEEPINGLLM_CHAT_TURNS=200</c> runs the
/// long conversation of docs/conversation-memory.md with the same checks.
/// </summary>
[Collection(ModelCompute.Name)]
public sealed class ChatWindowModelTests(ITestOutputHelper output)
{
    const string System = "You are a concise assistant. Answer in one short sentence.";
    const int ContextSize = 256;
    const int MaxTokens = 24;

    static int Turns => int.TryParse(Environment.GetEnvironmentVariable("SLEEPINGLLM_CHAT_TURNS"), out int turns) ? turns : 20;

    static readonly string[] Topics =
        ["the moon", "bread", "trains", "rain", "chess", "honey", "volcanoes", "libraries", "owls", "glass"];

    /// <summary>The model's summariser, watched: which turns reach it.</summary>
    sealed class Watched(ISummariser inner) : ISummariser
    {
        public List<int> Summarised { get; } = [];
        public List<string> Inputs { get; } = [];
        public int Calls { get; private set; }
        public int MaxTokens => inner.MaxTokens;
        public int MaxInputTokens => inner.MaxInputTokens;

        public string Summarise(IReadOnlyList<ConversationTurn> turns)
        {
            Calls++;
            Summarised.AddRange(turns.Select(t => t.Index));
            Inputs.AddRange(turns.Select(t => t.Text));
            return inner.Summarise(turns);
        }
    }

    [Fact]
    public void A_long_chat_slides_within_the_context_and_keeps_the_system_prompt_verbatim()
    {
        using var model = Model.Load(TestModels.SmolLm2, new ModelOptions { ContextLength = ContextSize, Threads = 1 });
        using var context = new Context(model);
        var summariser = new Watched(new ModelSummariser(context, maxTokens: 32));
        var session = new ChatSession(context, System, summariser: summariser);
        string systemTurn = model.ApplyChatTemplate([ChatMessage.System(System)], addAssistant: false);
        var said = new List<string>();
        int longest = 0;
        var clock = Stopwatch.StartNew();

        for (int turn = 0; turn < Turns; turn++)
        {
            string question = $"Tell me one thing about {Topics[turn % Topics.Length]}.";
            var result = session.Reply(question, SamplerSettings.Greedy, MaxTokens);
            said.AddRange([question, result.Text.Trim()]);
            longest = Math.Max(longest, result.PromptTokens);
            // The cache holds exactly what llama.cpp was sent, then the reply.
            int[] sent = [.. context.Tokens.Take(result.PromptTokens)];
            Assert.Equal(session.LastPrompt, sent);
            Assert.StartsWith(systemTurn, model.Detokenize(sent, special: true));
            Assert.InRange(result.PromptTokens, 1, session.Budget(MaxTokens));
            Assert.True(context.Tokens.Count <= context.Size);
        }

        Assert.Equal(context.Size - MaxTokens, session.Budget(MaxTokens));
        Assert.NotEmpty(session.Window.Summaries);
        // Each turn was summarised at most once, oldest first, as it was said: no summary went back in.
        Assert.Equal(Enumerable.Range(0, summariser.Summarised.Count), summariser.Summarised);
        Assert.Equal(said.Take(summariser.Summarised.Count), summariser.Inputs);
        Assert.True(summariser.Calls >= 5, $"{summariser.Calls} summaries");
        output.WriteLine($"{Turns} exchanges in {clock.Elapsed.TotalSeconds:0} s: longest prompt {longest} tokens of a {session.Budget(MaxTokens)}-token budget " +
            $"(context {context.Size}, replies of at most {MaxTokens} tokens); {summariser.Calls} summaries made of {summariser.Summarised.Count} turns; " +
            $"at the end {session.Window.Turns.Count} turns verbatim and {session.Window.Summaries.Count} summaries in the window");

        // The cache built up across slides continues as a fresh context does.
        string warm = Generation.Run(context, [.. session.LastPrompt], SamplerSettings.Greedy, 8).Text;
        using var fresh = new Context(model);
        Assert.Equal(Generation.Run(fresh, [.. session.LastPrompt], SamplerSettings.Greedy, 8).Text, warm);
    }
}
