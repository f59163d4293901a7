using SleepingLlm.Inference;
using SleepingLlm.Native;

namespace SleepingLlm.Tests.Inference;

/// <summary>The real models through our bindings: determinism, tokenizer, chat template.</summary>
[Collection(ModelCompute.Name)]
public sealed class InferenceTests
{
    [Fact]
    public void Runtime_is_the_pinned_release()
    {
        var runtime = Runtime.Initialize();
        Assert.True(PinnedRuntime.Current.Accepts(runtime.LlamaVersion, runtime.GgmlVersion));
        Assert.StartsWith("0.5.0", runtime.LlamaVersion);
        Assert.Contains(runtime.Devices, d => d.Type == "cpu");
    }

    [Fact]
    public void Stories260K_continues_as_llama_cpp_does()
    {
        using var model = Model.Load(TestModels.Stories260K);
        using var context = new Context(model);
        var result = Generation.Run(context, model.Tokenize("Once upon a time"), SamplerSettings.Greedy, 16);
        // The continuation llama.cpp's own C API gives for this model and prompt (greedy).
        Assert.StartsWith(", there was a little girl named Lily", result.Text);
    }

    [Fact]
    public async Task Greedy_generation_is_identical_across_engines()
    {
        string first, second;
        await using (var engine = await Engine.StartAsync(TestModels.SmolLm2))
            first = (await engine.GenerateAsync("The capital of France is", SamplerSettings.Greedy, 12)).Text;
        await using (var engine = await Engine.StartAsync(TestModels.SmolLm2))
            second = (await engine.GenerateAsync("The capital of France is", SamplerSettings.Greedy, 12)).Text;
        Assert.False(string.IsNullOrWhiteSpace(first));
        Assert.Equal(first, second);
        Assert.Contains("Paris", first);
    }

    [Fact]
    public async Task Seeded_sampling_repeats_and_another_seed_differs()
    {
        await using var engine = await Engine.StartAsync(TestModels.SmolLm2);
        var settings = new SamplerSettings { Temperature = 1.0f, Seed = 7 };
        const string prompt = "Once upon a time, in a land far away,";
        string a = (await engine.GenerateAsync(prompt, settings, 24)).Text;
        string b = (await engine.GenerateAsync(prompt, settings, 24)).Text;
        string c = (await engine.GenerateAsync(prompt, settings with { Seed = 8 }, 24)).Text;
        Assert.False(string.IsNullOrWhiteSpace(a));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Reusing_the_cached_prefix_gives_the_same_continuation_as_a_fresh_context()
    {
        using var model = Model.Load(TestModels.SmolLm2);
        using var warm = new Context(model);
        Generation.Run(warm, model.Tokenize("The capital of Italy is Rome. The capital of Spain"), SamplerSettings.Greedy, 4);
        int[] prompt = model.Tokenize("The capital of Italy is Rome. The capital of Germany is");
        string reused = Generation.Run(warm, prompt, SamplerSettings.Greedy, 8).Text;
        Assert.Equal(prompt, warm.Tokens.Take(prompt.Length));

        using var fresh = new Context(model);
        Assert.Equal(Generation.Run(fresh, prompt, SamplerSettings.Greedy, 8).Text, reused);
    }

    [Theory]
    [InlineData("The capital of France is Paris.")]
    [InlineData("  leading spaces, tabs\tand\nnewlines")]
    [InlineData("café, naïve, Zürich, Ærøskøbing")]
    [InlineData("北京是中国的首都。東京")]
    [InlineData("emoji 🙂👍🏽 😀")]
    public void Tokenizer_round_trips_text(string text)
    {
        using var model = Model.Load(TestModels.SmolLm2);
        int[] tokens = model.Tokenize(text, addSpecial: false, parseSpecial: false);
        Assert.NotEmpty(tokens);
        Assert.Equal(text, model.Detokenize(tokens));
        // Byte pieces of one token may be a partial character; together they are the text.
        Assert.Equal(text, System.Text.Encoding.UTF8.GetString(tokens.SelectMany(t => model.TokenBytes(t)).ToArray()));
    }

    [Fact]
    public void Special_tokens_are_parsed_only_when_asked()
    {
        using var model = Model.Load(TestModels.SmolLm2);
        Assert.Single(model.Tokenize("<|im_start|>", addSpecial: false, parseSpecial: true));
        Assert.True(model.Tokenize("<|im_start|>", addSpecial: false, parseSpecial: false).Length > 1);
        Assert.True(model.IsEndOfGeneration(model.Tokenize("<|im_end|>", addSpecial: false, parseSpecial: true).Single()));
    }

    [Fact]
    public async Task Chat_uses_the_models_template_and_stops_at_end_of_turn()
    {
        await using var engine = await Engine.StartAsync(TestModels.SmolLm2);
        string prompt = await engine.FormatChatAsync([ChatMessage.User("What is the capital of France?")]);
        Assert.Contains("<|im_start|>user\nWhat is the capital of France?<|im_end|>\n", prompt);
        Assert.EndsWith("<|im_start|>assistant\n", prompt);

        var reply = await engine.ChatAsync("What is the capital of France?", SamplerSettings.Greedy, 64);
        Assert.Equal(StopReason.EndOfGeneration, reply.StopReason);
        Assert.Contains("Paris", reply.Text);
        Assert.DoesNotContain("<|im_", reply.Text);

        // The second turn sees the first: the conversation is kept.
        var follow = await engine.ChatAsync("Repeat the city you just named, one word.", SamplerSettings.Greedy, 16);
        Assert.Contains("Paris", follow.Text);
    }

    [Fact]
    public void Model_without_a_chat_template_says_so()
    {
        using var model = Model.Load(TestModels.Stories260K);
        Assert.Null(model.ChatTemplate);
        var e = Assert.Throws<SleepingLlmException>(() => model.ApplyChatTemplate([ChatMessage.User("hi")], true));
        Assert.Contains("no chat template", e.Message);
    }

    [Fact]
    public void Llama_cpp_log_reaches_our_logger()
    {
        var log = new CapturingLogger();
        var previous = NativeLog.Logger;
        NativeLog.Logger = log;
        try
        {
            using var model = Model.Load(TestModels.Stories260K);
        }
        finally
        {
            NativeLog.Logger = previous;
        }
        Assert.Contains(log.Lines, line => line.Contains("llama_model_loader") || line.Contains("print_info"));
        Assert.DoesNotContain(log.Lines, line => line.EndsWith('\n'));
    }
}
