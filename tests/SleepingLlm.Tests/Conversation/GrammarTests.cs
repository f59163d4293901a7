using System.Text.Json;
using SleepingLlm.Conversation;
using SleepingLlm.Inference;

namespace SleepingLlm.Tests.Conversation;

/// <summary>llama.cpp's grammar sampler through our binding, on the real chat model.</summary>
[Collection(ModelCompute.Name)]
public sealed class GrammarTests
{
    [Fact]
    public void A_grammar_allows_only_its_words()
    {
        using var model = Model.Load(TestModels.SmolLm2);
        using var context = new Context(model);
        var settings = SamplerSettings.Greedy with { Grammar = new Grammar("root ::= (\"yes\" | \"no\") \".\"") };
        string answer = Generation.Run(context, model.Tokenize("Is the sky green? Answer:"), settings, 16).Text;
        Assert.Contains(answer, new[] { "yes.", "no." });
    }

    [Fact]
    public void A_grammar_that_does_not_parse_is_an_error()
    {
        using var model = Model.Load(TestModels.SmolLm2);
        var e = Assert.Throws<SleepingLlmException>(() => new Sampler(model, SamplerSettings.Greedy with { Grammar = new Grammar("root ::= (\"open") }));
        Assert.Contains("grammar", e.Message);
    }

    [Theory]
    [InlineData("My grandmother Rosa taught me to knit.")]
    [InlineData("I have a tortoise and his name is Gustav.")]
    [InlineData("Hello there, nice weather today.")]
    public void The_extraction_grammar_yields_JSON_triples(string clause)
    {
        using var model = Model.Load(TestModels.SmolLm2);
        using var context = new Context(model);
        var (facts, answer) = ModelExtractor.Extract(context, clause);
        using var json = JsonDocument.Parse(answer);
        Assert.Equal(JsonValueKind.Array, json.RootElement.ValueKind);
        Assert.InRange(json.RootElement.GetArrayLength(), 0, 3);
        foreach (var triple in json.RootElement.EnumerateArray())
            Assert.Equal(["subject", "relation", "object"], triple.EnumerateObject().Select(p => p.Name));
        // What survives grounding is in the clause.
        Assert.All(facts, f => Assert.Contains(f.Object, clause, StringComparison.OrdinalIgnoreCase));
    }
}
