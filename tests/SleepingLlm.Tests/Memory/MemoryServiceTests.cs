using SleepingLlm.Inference;
using SleepingLlm.Memory;
using SleepingLlm.Wake;

namespace SleepingLlm.Tests.Memory;

/// <summary>
/// The memory as a user meets it: a write changes the running model at once, the same model comes
/// back after a restart, and forgetting restores the base model exactly.
/// </summary>
[Collection(ModelCompute.Name)]
public sealed class MemoryServiceTests() : ScratchDirectory("sleepingllm-service-")
{
    static readonly WakeSettings Settings = WakeSettings.For(5) with { Layers = [1, 2], Lambda = 100, CovarianceTokens = 2000, ValueSteps = 10 };

    float[] LastLogits(Context context, Model model)
    {
        context.Prefill(model.Tokenize("Lily had a pet"));
        return context.Logits.ToArray();
    }

    MemoryService Open(Model model, Context context) =>
        MemoryService.Open(model, context, Path.Combine(directory, "memory"), Corpus.SelfGenerated, Settings, Path.Combine(directory, "cache"));

    [Fact]
    public void Write_restart_and_forget_act_on_the_running_model()
    {
        using var model = Model.Load(TestModels.Stories260K);
        using var context = new Context(model);
        float[] bare = LastLogits(context, model);

        long id;
        float[] edited;
        using (var memory = Open(model, context))
        {
            id = memory.Remember(new Fact("Lily", "pet", "elephant", "Lily had a pet")).Id;
            Assert.Equal([id], memory.Store.WrittenThisSession); // what /undo would take back
            edited = LastLogits(context, model);
            Assert.NotEqual(bare, edited);
            Assert.Single(memory.Snapshot().Facts);
            Assert.Equal(Settings.Layers, memory.Snapshot().EditNorms.Select(n => n.Layer));
            Assert.Equal(1, memory.Snapshot().Pressure.InWeights);
        }

        using var fresh = new Context(model);
        using (var memory = Open(model, fresh))
        {
            // After a restart the store rebuilds the same adapter: the same model, bit for bit.
            Assert.Equal(edited, LastLogits(fresh, model));
            Assert.Null(memory.Undo()); // written before the restart
            Assert.True(memory.Forget(id));
            Assert.Equal(bare, LastLogits(fresh, model));
            Assert.Empty(memory.Snapshot().Facts);
        }
    }

    [Fact]
    public void A_fact_stored_when_the_adapter_swap_fails_is_said_so_and_applied_at_the_next_write()
    {
        using var model = Model.Load(TestModels.Stories260K);
        using var context = new Context(model);
        float[] bare = LastLogits(context, model);
        using var memory = Open(model, context);
        memory.BeforeAdapterSwap = () => throw new SleepingLlmException("llama.cpp refused the adapter (-1)");
        var first = memory.Remember(new Fact("Lily", "pet", "elephant", "Lily had a pet"));
        memory.BeforeAdapterSwap = null;

        Assert.Equal($"#{first.Id} is stored, but the running model could not take it yet (llama.cpp refused the adapter (-1)); " +
                     "it applies at the next write or start", first.Notice);
        Assert.Equal([first.Id], memory.Store.ActiveFacts().Select(f => f.Id));
        Assert.Equal(bare, LastLogits(context, model)); // the old adapter (none) still runs
        Assert.Empty(Directory.GetFiles(memory.Store.AdapterDirectory)); // the built file did not stay behind

        // The next write rebuilds from the store: both facts run.
        var second = memory.Remember(new Fact("Tom", "pet", "lion", "Tom had a pet"));
        Assert.Null(second.Notice);
        float[] both = LastLogits(context, model);
        Assert.NotEqual(bare, both);
        using var restarted = new Context(model);
        using (Open(model, restarted)) Assert.Equal(both, LastLogits(restarted, model));
    }

    [Fact]
    public void Adapter_files_a_killed_process_left_are_removed_at_open()
    {
        using var model = Model.Load(TestModels.Stories260K);
        using var context = new Context(model);
        string adapters;
        using (var memory = Open(model, context)) adapters = memory.Store.AdapterDirectory;
        string stale = Path.Combine(adapters, "memory-999999-3.gguf");
        File.WriteAllText(stale, "half an adapter");
        using (Open(model, context)) Assert.False(File.Exists(stale));
    }

    [Fact]
    public void Firing_shows_the_edit_acting_at_the_subjects_last_token()
    {
        using var model = Model.Load(TestModels.Stories260K);
        using var context = new Context(model);
        using var memory = Open(model, context);
        const string prompt = "Lily had a pet";
        Assert.All(memory.Firing(prompt), t => Assert.Equal(0, t.Added));

        memory.Remember(new Fact("Lily", "pet", "elephant", prompt));
        var firing = memory.Firing(prompt);
        Assert.Equal(model.Tokenize(prompt).Length, firing.Count);
        Assert.Equal(prompt, string.Concat(firing.Select(t => t.Token)).Trim());
        int subjectEnd = Positions.SubjectLastTokens(model, prompt, "Lily")[^1];
        var strongest = firing.Select((t, i) => (t.Added, i)).Max();
        Assert.Equal(subjectEnd, strongest.i);
        Assert.All(firing, t => Assert.True(t.Hidden > 0));
    }

    [Fact]
    public void Undo_forgets_this_sessions_writes_newest_first_and_forget_by_text_needs_one_match()
    {
        using var model = Model.Load(TestModels.Stories260K);
        using var context = new Context(model);
        // Facts as text (no edit): what undo and forget do to the store does not depend on the weights.
        static long Add(MemoryService memory, string subject, string relation, string obj) =>
            memory.Store.AddFact(new NewFact(subject, relation, obj, $"{subject} had a {relation}"), [], []);
        long earlier;
        using (var memory = Open(model, context)) earlier = Add(memory, "Lily", "pet", "elephant");

        using (var memory = Open(model, context))
        {
            Assert.Null(memory.Undo()); // written in another session
            long tom = Add(memory, "Tom", "toy", "ball");
            long tim = Add(memory, "Tim", "toy", "car");

            var ambiguous = memory.Forget("toy");
            Assert.False(ambiguous.Forgotten);
            Assert.Equal([tom, tim], ambiguous.Matches.Select(f => f.Id));
            Assert.Equal(3, memory.Snapshot().Facts.Count);

            Assert.Equal(tim, memory.Undo()?.Id);
            Assert.Equal(tom, memory.Undo()?.Id);
            Assert.Null(memory.Undo());
            Assert.Equal([earlier], memory.Snapshot().Facts.Select(f => f.Id));

            Assert.True(memory.Forget("lily ELEPHANT").Forgotten);
            Assert.Empty(memory.Snapshot().Facts);
        }
    }

    [Fact]
    public void A_store_of_another_model_is_refused()
    {
        using (var model = Model.Load(TestModels.Stories260K))
        using (var context = new Context(model))
        using (Open(model, context)) { }
        // Same folder name, other sha256: the store records its model and refuses the other.
        string folder = Directory.GetDirectories(Path.Combine(directory, "memory")).Single();
        var e = Assert.Throws<SleepingLlmException>(() =>
            MemoryStore.Open(Path.Combine(directory, "memory"), Path.GetFileName(folder) + new string('0', 48), "other"));
        Assert.Contains("sha256", e.Message);
    }
}
