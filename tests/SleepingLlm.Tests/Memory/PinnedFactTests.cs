using Microsoft.Data.Sqlite;
using SleepingLlm.Memory;

namespace SleepingLlm.Tests.Memory;

/// <summary>A pinned memory stays pinned across restarts, and a memory written before pins existed opens unpinned.</summary>
public sealed class PinnedFactTests() : ScratchDirectory("sleepingllm-pinned-")
{
    const string Sha = "4567456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    static readonly float[] A = [.. Enumerable.Range(0, 12).Select(i => i / 12f)], B = [.. Enumerable.Range(0, 5).Select(i => 1 - i / 5f)];

    MemoryStore Open() => MemoryStore.Open(directory, Sha, "test-model");

    static long Add(MemoryStore store, string subject) =>
        store.AddFact(new NewFact(subject, "owns a", "cat", $"{subject} owns a", $"What does {subject} own?"), [new LayerFactor(1, A, B)], [new LayerKey(1, A)]);

    [Fact]
    public void Pin_and_unpin_survive_a_restart()
    {
        long ada, bo;
        using (var store = Open())
        {
            ada = Add(store, "Ada");
            bo = Add(store, "Bo");
            Assert.All(store.ActiveFacts(), f => Assert.False(f.Pinned));
            Assert.True(store.Pin(ada, pinned: true));
            Assert.True(store.Pin(bo, pinned: true));
            Assert.True(store.Pin(bo, pinned: false));
        }
        using (var store = Open())
        {
            Assert.Equal([(ada, true), (bo, false)], store.ActiveFacts().Select(f => (f.Id, f.Pinned)));
            Assert.True(store.Get(ada)!.ToMemoryFact().Pinned);
            // Pinning what is pinned already changes nothing and is no error.
            Assert.True(store.Pin(ada, pinned: true));
            Assert.True(store.Get(ada)!.Pinned);
        }
    }

    [Fact]
    public void A_forgotten_or_unknown_memory_cannot_be_pinned()
    {
        using var store = Open();
        long gone = Add(store, "Ada");
        Assert.True(store.Forget(gone));
        Assert.False(store.Pin(gone, pinned: true));
        Assert.False(store.Pin(12345, pinned: true));
        Assert.False(store.Pin(12345, pinned: false));
        Assert.False(store.Get(gone)!.Pinned);
    }

    [Fact]
    public void A_schema_3_memory_is_migrated_and_keeps_every_fact_unpinned()
    {
        IReadOnlyList<StoredFact> before;
        using (var store = Open())
        {
            long ada = Add(store, "Ada");
            Add(store, "Bo");
            store.Forget(Add(store, "Cy"));
            store.SetStage(ada, 2);
            store.SetScale(ada, 0.1f);
            store.RecordRecall(ada, raw: true, chat: false, DateTimeOffset.UtcNow);
            before = store.ActiveFacts();
        }
        string database = Directory.GetFiles(directory, MemoryStore.DatabaseFileName, SearchOption.AllDirectories).Single();
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var downgrade = connection.CreateCommand();
            downgrade.CommandText = "ALTER TABLE facts DROP COLUMN pinned; PRAGMA user_version = 3;";
            downgrade.ExecuteNonQuery();
        }
        using (var store = Open())
        {
            var after = store.ActiveFacts();
            Assert.Equal(before.Count, after.Count);
            foreach (var (b, a) in before.Zip(after))
            {
                Assert.False(a.Pinned);
                Assert.Equal((b.Id, b.Subject, b.Stage, b.Scale, b.Recalled), (a.Id, a.Subject, a.Stage, a.Scale, a.Recalled));
                Assert.Equal(b.RecallHistory, a.RecallHistory);
                Assert.Equal(A.Length, Assert.Single(store.Factors(a.Id)).A.Length);
            }
            Assert.Equal(FactStatus.Forgotten, store.Get(3)!.Status);
            Assert.Equal(MemoryStore.SchemaVersion, Convert.ToInt32(store.Pragma("user_version"), System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(store.Pin(before[0].Id, pinned: true));
        }
    }
}
