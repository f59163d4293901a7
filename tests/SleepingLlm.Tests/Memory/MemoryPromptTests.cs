using SleepingLlm.Inference;
using SleepingLlm.Memory;

namespace SleepingLlm.Tests.Memory;

/// <summary>What the prompt, rag and hybrid modes put in front of the model, and what it costs in tokens.</summary>
public sealed class MemoryPromptTests() : ScratchDirectory("sleepingllm-prompt-")
{
    const string Sha = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    static readonly (string Subject, string Relation, string Prompt, string Object)[] People =
    [
        ("Rafferty Dunmore", "car", "Rafferty Dunmore drives a", "Citroen"),
        ("Casimir Marchetti", "color", "Casimir Marchetti's favorite color is", "maroon"),
        ("Nerys Ferreira", "allergy", "Nerys Ferreira is allergic to", "penicillin"),
    ];

    MemoryStore Store()
    {
        var store = MemoryStore.Open(directory, Sha, "test-model");
        foreach (var p in People) store.AddFact(new NewFact(p.Subject, p.Relation, p.Object, p.Prompt), [], []);
        return store;
    }

    [Fact]
    public void A_statement_is_the_prompt_and_the_object_as_a_sentence()
    {
        Assert.Equal("Rafferty Dunmore drives a Citroen.", MemoryPrompt.Statement("Rafferty Dunmore drives a", "Citroen"));
        Assert.Equal("Is it blue?", MemoryPrompt.Statement("Is it", "blue?"));
    }

    [Fact]
    public void Prompt_mode_states_every_fact_rag_the_matching_ones_and_weights_none()
    {
        using var store = Store();
        string question = "What car does Rafferty Dunmore drive?";
        string prompt = MemoryPrompt.For(store, MemoryMode.Prompt, question)!;
        foreach (var p in People) Assert.Contains(MemoryPrompt.Statement(p.Prompt, p.Object), prompt);

        string rag = MemoryPrompt.For(store, MemoryMode.Rag, question, ragCount: 1)!;
        Assert.Contains("Rafferty Dunmore drives a Citroen.", rag);
        Assert.DoesNotContain("maroon", rag);
        Assert.Equal(rag, MemoryPrompt.For(store, MemoryMode.Hybrid, question, ragCount: 1));

        Assert.Null(MemoryPrompt.For(store, MemoryMode.Weights, question));
        Assert.Null(MemoryPrompt.For(store, MemoryMode.Rag, "How are you today?"));
    }

    [Fact]
    public void The_system_prompt_costs_at_least_the_tokens_of_its_statements()
    {
        using var model = Model.Load(TestModels.SmolLm2, new ModelOptions { Threads = 1 });
        using var store = Store();
        string question = "What car does Rafferty Dunmore drive?";
        int Tokens(string? system) => model.Tokenize(model.ApplyChatTemplate(
            system is null ? [ChatMessage.User(question)] : [ChatMessage.System(system), ChatMessage.User(question)], addAssistant: true)).Length;

        int bare = Tokens(null), all = Tokens(MemoryPrompt.For(store, MemoryMode.Prompt, question)), one = Tokens(MemoryPrompt.For(store, MemoryMode.Rag, question, 1));
        int statements = People.Sum(p => model.Tokenize(MemoryPrompt.Statement(p.Prompt, p.Object), addSpecial: false).Length);
        Assert.True(all - bare >= statements, $"{all - bare} tokens added for statements of {statements}");
        Assert.InRange(one, bare + 1, all - 1);
    }
}
