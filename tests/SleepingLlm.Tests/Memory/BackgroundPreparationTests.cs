using SleepingLlm.Conversation;
using SleepingLlm.Inference;
using SleepingLlm.Wake;

namespace SleepingLlm.Tests.Memory;

/// <summary>
/// The first write's key statistics computed in the background from the start (issue #20 item 4): the chat's
/// jobs run between its steps, a write waits for it, and quitting stops it.
/// </summary>
[Collection(ModelCompute.Name)]
public sealed class BackgroundPreparationTests() : ScratchDirectory("sleepingllm-prepare-")
{
    // A size no other test uses, so the statistics are not cached yet: text the model writes itself, a few sequences.
    static readonly WakeSettings Settings = WakeSettings.For(30) with { CovarianceTokens = 3000 };

    [Fact]
    public async Task A_reply_does_not_wait_for_the_key_statistics_and_a_write_does()
    {
        await using var engine = await Engine.StartAsync(TestModels.SmolLm2, memoryDirectory: directory, userFacts: UserFactsMode.Weights, wake: Settings);
        Assert.True(engine.MemoryReady);
        engine.PrepareInBackground();
        Assert.False(engine.MemoryReady);

        var reply = await engine.ChatAsync("Hello!", SamplerSettings.Greedy, 8);
        Assert.False(string.IsNullOrWhiteSpace(reply.Text));
        // The reply ran between the statistics' steps: they are not done yet (six sequences of ~500 tokens written one by one).
        Assert.False(engine.MemoryReady, "the reply waited for the whole key statistics");
        Assert.NotNull(engine.Preparing);

        var done = await engine.RememberAsync(UserProfile.FromTriple(UserEntity.Subject, "home", "Bergen", null));
        Assert.True(engine.MemoryReady);
        Assert.Null(engine.Preparing);
        Assert.Null(engine.PreparationProblem);
        Assert.True(done.Id > 0);
        Assert.Null(done.AdapterProblem);
    }

    [Fact]
    public async Task Quitting_while_the_key_statistics_run_stops_them_and_caches_nothing()
    {
        string cache = SleepingLlm.Memory.MemoryService.DefaultCacheDirectory;
        var before = Directory.Exists(cache) ? Directory.GetFiles(cache, "*-self-2900.bin", SearchOption.AllDirectories) : [];
        var engine = await Engine.StartAsync(TestModels.SmolLm2, memoryDirectory: directory, userFacts: UserFactsMode.Weights,
            wake: Settings with { CovarianceTokens = 2900 });
        engine.PrepareInBackground();
        await engine.ChatAsync("Hi", SamplerSettings.Greedy, 2);
        await engine.DisposeAsync();
        // Finished statistics are saved; none were, so the quit stopped them part way.
        var after = Directory.Exists(cache) ? Directory.GetFiles(cache, "*-self-2900.bin", SearchOption.AllDirectories) : [];
        Assert.Equal(before, after);
    }
}
