using Microsoft.Data.Sqlite;
using SleepingLlm.Memory;

namespace SleepingLlm.Tests.Sleep;

/// <summary>A sleep's result goes into the store whole or not at all, and a sleep that died is noticed.</summary>
public sealed class SleepStoreTests() : ScratchDirectory("sleepingllm-sleepstore-")
{
    const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    static readonly float[] A = [.. Enumerable.Range(0, 12).Select(i => i / 12f)], B = [.. Enumerable.Range(0, 5).Select(i => 1 - i / 5f)];

    MemoryStore Open() => MemoryStore.Open(directory, Sha, "test-model");

    static long Add(MemoryStore store, string subject) =>
        store.AddFact(new NewFact(subject, "owns a", "cat", $"{subject} owns a", $"What does {subject} own?"), [new LayerFactor(1, A, B)], [new LayerKey(1, A)]);

    [Fact]
    public void A_sleep_that_fails_inside_its_commit_changes_nothing_and_is_noticed_at_the_next_open()
    {
        long first, second;
        var started = DateTimeOffset.UtcNow;
        using (var store = Open())
        {
            first = Add(store, "Ada");
            second = Add(store, "Bo");
            store.BeginSleep(started);
            store.FaultPoint = p => { if (p == "sleep") throw new IOException("killed"); };
            Assert.Throws<IOException>(() => store.CommitSleep(started, [1, 2, 3], 2, [new FactStage(first, 1, 0.5f), new FactStage(second, 3, 0f)],
                [(first, new RecallRecord(started, true, true))], "{}"));
            store.FaultPoint = null;
        }
        using (var store = Open())
        {
            Assert.Equal(started.ToUnixTimeSeconds(), store.InterruptedSleep?.ToUnixTimeSeconds());
            Assert.Null(store.Consolidated());
            Assert.All(store.ActiveFacts(), f => Assert.Equal((0, 1f), (f.Stage, f.Scale)));
            Assert.All(store.ActiveFacts(), f => Assert.Empty(f.RecallHistory));

            // The next sleep commits: everything at once, and the marker goes.
            store.BeginSleep(started.AddMinutes(1));
            store.CommitSleep(started.AddMinutes(1), [1, 2, 3], 2, [new FactStage(first, 1, 0.5f), new FactStage(second, 3, 0f)],
                [(first, new RecallRecord(started, true, false))], "{}");
            Assert.Null(store.InterruptedSleep);
            var consolidated = store.Consolidated();
            Assert.NotNull(consolidated);
            Assert.Equal([1, 2, 3], consolidated.Value.Adapter);
            Assert.Equal(2, consolidated.Value.Facts);
            Assert.Equal([(1, 0.5f), (3, 0f)], store.ActiveFacts().Select(f => (f.Stage, f.Scale)));
            Assert.Single(store.Get(first)!.RecallHistory);
            Assert.Equal((1, 0), store.SleepCounts());
        }
    }

    [Fact]
    public void A_refreshed_edit_runs_in_the_candidate_and_replaces_its_groups_edit_only_when_the_sleep_commits()
    {
        using var store = Open();
        long ada = Add(store, "Ada"), bo = Add(store, "Bo");
        float[] a2 = [.. A.Select(x => -x)], b2 = [.. B.Select(x => 2 * x)];
        var edit = new SleepingLlm.Sleep.RefreshedEdit(ada, [ada], [new LayerFactor(1, a2, b2), new LayerFactor(1, A, b2)], [new LayerKey(1, a2)]);

        // The candidate runs the new edit in place of the old one before anything is stored.
        var candidate = AdapterBuilder.Columns(store, new Dictionary<long, float> { [ada] = 1f, [bo] = 0.5f }, [edit]);
        Assert.Equal(3, candidate.Count);
        Assert.Equal([a2, A, A], candidate.Select(c => c.A), Floats);
        Assert.Equal([1f, 1f, 0.5f], candidate.Select(c => c.Scale));
        Assert.Equal(2, AdapterBuilder.Columns(store).Count);

        var started = DateTimeOffset.UtcNow;
        store.BeginSleep(started);
        store.FaultPoint = p => { if (p == "sleep") throw new IOException("killed"); };
        Assert.Throws<IOException>(() => store.CommitSleep(started, [1], 2, [new FactStage(ada, 0, 1f), new FactStage(bo, 1, 0.5f)], [], "{}", [edit]));
        store.FaultPoint = null;
        Assert.Equal([ada, bo], Edits(store).Select(e => e.Id));
        Assert.Equal([A, A], Edits(store).Select(e => e.A), Floats);
        Assert.Equal([A], store.Keys(ada).Select(k => k.K), Floats);

        store.CommitSleep(started, [1], 2, [new FactStage(ada, 0, 1f), new FactStage(bo, 1, 0.5f)], [], "{}", [edit]);
        Assert.Equal([ada, ada, bo], Edits(store).Select(e => e.Id));
        Assert.Equal([a2, A, A], Edits(store).Select(e => e.A), Floats);
        Assert.Equal([a2], store.Keys(ada).Select(k => k.K), Floats);
        Assert.Equal([A], store.Keys(bo).Select(k => k.K), Floats);
    }

    static List<(long Id, float[] A)> Edits(MemoryStore store) => [.. store.AllActiveFactors().Single().Facts.Select(f => (f.FactId, f.A))];

    /// <summary>Stored factors are F16 and keys int8 with a scale: equal to what was written within their precision.</summary>
    sealed class Close : IEqualityComparer<float[]>
    {
        public bool Equals(float[]? x, float[]? y) => x is not null && y is not null && x.Length == y.Length && x.Zip(y).All(p => Math.Abs(p.First - p.Second) < 1e-2);
        public int GetHashCode(float[] obj) => obj.Length;
    }

    static readonly Close Floats = new();

    [Fact]
    public void Forgetting_what_the_adapter_learnt_makes_the_next_sleep_train_a_new_adapter()
    {
        using var store = Open();
        long ada = Add(store, "Ada"), bo = Add(store, "Bo");
        var started = DateTimeOffset.UtcNow;
        store.BeginSleep(started);
        store.CommitSleep(started, [1, 2, 3], 2, [new FactStage(ada, 1, 0.5f), new FactStage(bo, 0, 1f)], [], "{}");
        long cy = Add(store, "Cy");
        Assert.False(store.AdapterHoldsRetired);

        // Written after the adapter: it never learnt it, so it may go on.
        Assert.True(store.Forget(cy));
        Assert.False(store.AdapterHoldsRetired);
        // Trained by the last sleep (at stage 0, not yet carried): forgetting it means a new adapter.
        Assert.True(store.Forget(bo));
        Assert.True(store.AdapterHoldsRetired);
        using (var reopened = Open()) Assert.True(reopened.AdapterHoldsRetired);

        // A committed sleep's adapter is new (SleepCycle trains one while the flag stands), so the flag goes.
        store.BeginSleep(started.AddMinutes(1));
        store.CommitSleep(started.AddMinutes(1), [4, 5], 1, [new FactStage(ada, 2, 0.1f)], [], "{}");
        Assert.False(store.AdapterHoldsRetired);
        Assert.False(store.Forget(bo));
        Assert.True(store.Forget(ada));
        Assert.True(store.AdapterHoldsRetired);
    }

    [Fact]
    public void A_rolled_back_sleep_keeps_its_audit_and_report_and_nothing_else()
    {
        using var store = Open();
        long id = Add(store, "Ada");
        var started = DateTimeOffset.UtcNow;
        store.BeginSleep(started);
        store.RollBackSleep(started, [(id, new RecallRecord(started, false, true))], "{\"committed\":false}");
        Assert.Null(store.InterruptedSleep);
        Assert.Null(store.Consolidated());
        var fact = store.Get(id)!;
        Assert.Equal((0, 1f), (fact.Stage, fact.Scale));
        Assert.Equal([new RecallRecord(started, false, true)], fact.RecallHistory.Select(r => r with { At = started }));
        Assert.Equal((0, 1), store.SleepCounts());
    }

    [Fact]
    public void The_facts_in_the_weights_are_those_an_edit_or_a_sleep_carries_and_never_text_only_ones()
    {
        using var store = Open();
        long ada = Add(store, "Ada");
        // A subject's facts share its newest edit: Ada's older fact loses its columns but stays in the weights.
        long adaJob = store.AddFact(new NewFact("Ada", "works as a", "pilot", "Ada works as a"), [new LayerFactor(1, A, B)], [new LayerKey(1, A)], absorbs: [ada]);
        long text = store.AddFact(new NewFact("Bo", "owns a", "dog", "Bo owns a"), [], []);
        long consolidated = store.AddFact(new NewFact("Cy", "owns a", "fish", "Cy owns a") { Stage = 3, Scale = 0f }, [], []);
        Assert.Empty(store.Factors(ada));
        Assert.Equal([ada, adaJob, consolidated], store.FactsInWeights().Select(f => f.Id));
        Assert.Equal(4, store.ActiveFacts().Count);
        Assert.DoesNotContain(text, store.FactsInWeights().Select(f => f.Id));
    }

    [Fact]
    public void A_schema_2_memory_gains_the_sleep_tables_and_keeps_its_facts()
    {
        long id;
        using (var store = Open()) id = Add(store, "Ada");
        string database = Directory.GetFiles(directory, MemoryStore.DatabaseFileName, SearchOption.AllDirectories).Single();
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var downgrade = connection.CreateCommand();
            downgrade.CommandText = "DROP TABLE consolidated; DROP TABLE sleeps; ALTER TABLE facts DROP COLUMN pinned; PRAGMA user_version = 2;";
            downgrade.ExecuteNonQuery();
        }
        using (var store = Open())
        {
            Assert.Equal(id, Assert.Single(store.ActiveFacts()).Id);
            Assert.Null(store.Consolidated());
            Assert.Equal((0, 0), store.SleepCounts());
        }
    }
}
