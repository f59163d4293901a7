using Microsoft.Data.Sqlite;
using SleepingLlm.Memory;
using Xunit.Abstractions;

namespace SleepingLlm.Tests.Memory;

/// <summary>The SQLite memory: round trips, refusals, forget/replace, and all-or-nothing writes.</summary>
public sealed class MemoryStoreTests(ITestOutputHelper output) : IDisposable
{
    const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const int Nff = 12, Nembd = 5;

    readonly string directory = Path.Combine(Path.GetTempPath(), $"sleepingllm-memory-{Guid.NewGuid():N}");
    readonly Random random = new(11);

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    MemoryStore Open(string? sha = null) => MemoryStore.Open(directory, sha ?? Sha, "test-model");

    string DatabasePath => Path.Combine(directory, Sha[..16], MemoryStore.DatabaseFileName);

    float[] Noise(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];

    LayerFactor[] Factors(params int[] layers) => [.. layers.Select(l => new LayerFactor(l, Noise(Nff), Noise(Nembd)))];

    LayerKey[] Keys(params int[] layers) => [.. layers.Select(l => new LayerKey(l, Noise(Nff)))];

    static NewFact Fact(string subject, string relation, string obj) =>
        new(subject, relation, obj, $"{subject} {relation}", $"What does {subject} {relation}?", [$"{subject}'s {relation}:", "\"quoted\" é 🦙"]);

    static void AssertSame(IReadOnlyList<LayerFactor> expected, IReadOnlyList<LayerFactor> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (e, a) in expected.OrderBy(f => f.Layer).Zip(actual))
        {
            Assert.Equal(e.Layer, a.Layer);
            AssertClose(e.A, a.A, Factor);
            AssertClose(e.B, a.B, Factor);
        }
    }

    // What the store's encodings keep (VectorBlob): half floats and 8-bit integers, scaled by the largest magnitude.
    const double Factor = 1e-3, Key = 1.0 / 127;

    static void AssertClose(float[] expected, float[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = expected.Max(Math.Abs), worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst <= relative * max, $"differs by {worst}, more than {relative} of {max}");
    }

    static void AssertKeys(IEnumerable<float[]> expected, IEnumerable<float[]> actual)
    {
        Assert.Equal(expected.Count(), actual.Count());
        foreach (var (e, a) in expected.Zip(actual)) AssertClose(e, a, Key);
    }

    static void AssertSame(StoredFact expected, StoredFact actual)
    {
        Assert.Equal(expected with { Paraphrases = [], RecallHistory = [] }, actual with { Paraphrases = [], RecallHistory = [] });
        Assert.Equal(expected.Paraphrases, actual.Paraphrases);
        Assert.Equal(expected.RecallHistory, actual.RecallHistory);
    }

    [Fact]
    public void Facts_factors_and_keys_round_trip()
    {
        using var store = Open();
        var created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(1234567);
        var fact = Fact("Ada Lovelace", "drives a", "Tesla") with { Created = created, Stage = 1, Scale = 0.5f };
        var factors = Factors(3, 1);
        var keys = Keys(1, 3, 3);
        long id = store.AddFact(fact, factors, keys);
        var other = store.AddFact(new NewFact("Émile", "lives in", "Lyon", "Émile lives in"), Factors(1), Keys(1));

        var stored = store.Get(id)!;
        Assert.Equal(("Ada Lovelace", "drives a", "Tesla", "Ada Lovelace drives a"), (stored.Subject, stored.Relation, stored.Object, stored.Prompt));
        Assert.Equal(fact.Question, stored.Question);
        Assert.Equal(fact.Paraphrases, stored.Paraphrases);
        Assert.Equal(created, stored.Created);
        Assert.Equal(TimeSpan.Zero, stored.Created.Offset);
        Assert.Equal((FactStatus.Active, 1, 0.5f), (stored.Status, stored.Stage, stored.Scale));
        Assert.Null(stored.LastRecall);
        Assert.Null(stored.Recalled);
        Assert.Empty(stored.RecallHistory);
        Assert.Null(store.Get(other)!.Question);
        Assert.Empty(store.Get(other)!.Paraphrases);
        Assert.Equal([id, other], store.ActiveFacts().Select(f => f.Id));

        AssertSame(factors, store.Factors(id));
        Assert.Equal(keys.Select(k => k.Layer), store.Keys(id).Select(k => k.Layer));
        AssertKeys(keys.Select(k => k.K), store.Keys(id).Select(k => k.K));
        var layer1 = store.ConstraintKeys(1);
        Assert.Equal(2, layer1.Count);
        AssertKeys([keys[0].K], [layer1[0]]);
        AssertKeys([keys[1].K, keys[2].K], store.ConstraintKeys(3));
        Assert.Empty(store.ConstraintKeys(2));

        var all = store.AllActiveFactors();
        Assert.Equal([1, 3], all.Select(l => l.Layer));
        Assert.Equal([id, other], all[0].Facts.Select(f => f.FactId));
        Assert.Equal([0.5f, 1f], all[0].Facts.Select(f => f.Scale));
        AssertClose(factors[1].A, all[0].Facts[0].A, Factor);
        AssertClose(factors[0].B, all[1].Facts.Single().B, Factor);
    }

    [Fact]
    public void Reopening_gives_the_same_data_and_the_promised_layout()
    {
        long id;
        StoredFact before;
        LayerFactor[] factors = Factors(1, 3);
        var at = DateTimeOffset.UtcNow;
        using (var store = Open())
        {
            id = store.AddFact(Fact("Bob", "plays the", "oboe"), factors, Keys(1, 3));
            store.SetScale(id, 0.1f);
            store.SetStage(id, 2);
            store.RecordRecall(id, raw: true, chat: false, at);
            store.RecordRecall(id, raw: false, chat: null, at.AddMinutes(1));
            before = store.Get(id)!;
            Assert.Equal("wal", store.Pragma("journal_mode"));
            Assert.Equal(2L, store.Pragma("synchronous")); // FULL
            Assert.Equal(1L, store.Pragma("foreign_keys"));
        }
        Assert.True(File.Exists(DatabasePath));
        Assert.True(Directory.Exists(Path.Combine(directory, Sha[..16], "adapters")));

        using var reopened = Open();
        Assert.Equal(Path.Combine(directory, Sha[..16], "adapters"), reopened.AdapterDirectory);
        var after = reopened.Get(id)!;
        AssertSame(before, after);
        Assert.Equal((2, 0.1f, false), (after.Stage, after.Scale, after.Recalled));
        Assert.Equal(at.AddMinutes(1), after.LastRecall);
        Assert.Equal([new RecallRecord(at, true, false), new RecallRecord(at.AddMinutes(1), false, null)], after.RecallHistory);
        Assert.Equal(new MemoryFact(id, "Bob", "plays the", "oboe", 2, 0.1f, at.AddMinutes(1), false, false), after.ToMemoryFact());
        AssertSame(factors, reopened.Factors(id));
        Assert.Equal(2, reopened.AllActiveFactors().Count);
    }

    [Fact]
    public void Another_models_memory_is_refused()
    {
        using (Open()) { }
        // Same folder (first 16 hex digits), different model.
        string other = Sha[..16] + new string('f', 48);
        var e = Assert.Throws<SleepingLlmException>(() => Open(other));
        output.WriteLine(e.Message);
        Assert.Contains($"belongs to the model with sha256 {Sha}, not {other}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        // The right model still opens it; the sha256 is compared without case.
        using var again = Open(Sha.ToUpperInvariant());
        Assert.Equal(Sha, again.ModelSha256);
    }

    [Fact]
    public void A_garbage_file_is_refused_with_one_line()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        File.WriteAllBytes(DatabasePath, [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 37 + 11))]);
        var e = Assert.Throws<SleepingLlmException>(() => Open());
        output.WriteLine(e.Message);
        Assert.Contains(DatabasePath, e.Message);
        Assert.Contains("not a usable memory database", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
    }

    [Fact]
    public void A_damaged_database_is_refused()
    {
        using (var store = Open())
            for (int i = 0; i < 40; i++) store.AddFact(Fact($"subject {i}", "is", "x"), Factors(1, 3), Keys(1, 3));
        // Closing the last connection checkpoints the WAL into the file; now scribble over its pages after the first.
        Assert.False(File.Exists(DatabasePath + "-wal"));
        var bytes = File.ReadAllBytes(DatabasePath);
        Assert.True(bytes.Length > 3 * 4096);
        for (int i = 4096; i < bytes.Length; i++) bytes[i] = (byte)(i * 7919 >> 3);
        File.WriteAllBytes(DatabasePath, bytes);
        var e = Assert.Throws<SleepingLlmException>(() => Open());
        output.WriteLine(e.Message);
        Assert.Contains(DatabasePath, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_database_of_another_application_is_refused()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        using (var foreign = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            foreign.Open();
            using var command = foreign.CreateCommand();
            command.CommandText = "CREATE TABLE facts(x); INSERT INTO facts VALUES (1);";
            command.ExecuteNonQuery();
        }
        var e = Assert.Throws<SleepingLlmException>(() => Open());
        output.WriteLine(e.Message);
        Assert.Contains("another application", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Forget_removes_the_factors_and_keys()
    {
        using var store = Open();
        long keep = store.AddFact(Fact("A", "likes", "tea"), Factors(1, 3), Keys(1, 3));
        long gone = store.AddFact(Fact("B", "likes", "coffee"), Factors(1, 3), Keys(1, 3));

        Assert.True(store.Forget(gone));
        Assert.Equal(FactStatus.Forgotten, store.Get(gone)!.Status);
        Assert.Empty(store.Factors(gone));
        Assert.Empty(store.Keys(gone));
        Assert.Equal([keep], store.ActiveFacts().Select(f => f.Id));
        Assert.All(store.AllActiveFactors(), l => Assert.Equal([keep], l.Facts.Select(f => f.FactId)));
        Assert.Single(store.ConstraintKeys(1));
        AssertKeys([store.Keys(keep)[1].K], [store.ConstraintKeys(3).Single()]);

        Assert.False(store.Forget(gone));
        Assert.False(store.Forget(12345));
        Assert.Throws<SleepingLlmException>(() => store.SetScale(gone, 0.5f));
        Assert.Throws<SleepingLlmException>(() => store.RecordRecall(gone, true, true, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Replace_retires_the_old_fact_and_adds_the_new_one_together()
    {
        using var store = Open();
        long old = store.AddFact(Fact("Carol", "works at", "Acme"), Factors(1, 3), Keys(1, 3));
        var found = Assert.Single(store.Find("  carol ", "WORKS AT"));
        Assert.Equal(old, found.Id);
        Assert.Empty(store.Find("Carol", "lives in"));

        var newFactors = Factors(1, 3);
        long updated = store.Replace(old, Fact("Carol", "works at", "Globex"), newFactors, Keys(1, 3));
        Assert.NotEqual(old, updated);
        Assert.Equal(FactStatus.Replaced, store.Get(old)!.Status);
        Assert.Empty(store.Factors(old));
        Assert.Empty(store.Keys(old));
        Assert.Equal("Globex", Assert.Single(store.Find("CAROL", "works at")).Object);
        AssertSame(newFactors, store.Factors(updated));
        Assert.Single(store.ConstraintKeys(1));

        // Replacing what is not active changes nothing.
        Assert.Throws<SleepingLlmException>(() => store.Replace(old, Fact("Carol", "works at", "Initech"), Factors(1), Keys(1)));
        Assert.Equal([updated], store.ActiveFacts().Select(f => f.Id));
        Assert.Equal(2L, RowCount(store, "facts"));
    }

    [Fact]
    public void Unicode_subjects_are_found_without_case()
    {
        using var store = Open();
        long id = store.AddFact(new NewFact("Émile Zola", "was born in", "Paris", "Émile Zola was born in"), Factors(1), Keys(1));
        Assert.Equal(id, Assert.Single(store.Find("ÉMILE ZOLA", "Was Born In")).Id);
    }

    [Theory]
    [InlineData("fact")]
    [InlineData("factors")]
    [InlineData("keys")]
    public void A_failure_inside_remember_leaves_no_partial_fact(string point)
    {
        using var store = Open();
        long first = store.AddFact(Fact("D", "owns a", "cat"), Factors(1, 3), Keys(1, 3));
        store.FaultPoint = p => { if (p == point) throw new IOException("killed"); };
        Assert.Throws<IOException>(() => store.AddFact(Fact("E", "owns a", "dog"), Factors(1, 3), Keys(1, 3)));
        Assert.Throws<IOException>(() => store.Replace(first, Fact("D", "owns a", "bird"), Factors(1, 3), Keys(1, 3)));
        store.FaultPoint = null;

        Assert.Equal([first], store.ActiveFacts().Select(f => f.Id));
        Assert.Null(store.Get(first + 1));
        Assert.Equal(2, store.Factors(first).Count);
        Assert.All(store.AllActiveFactors(), l => Assert.Equal([first], l.Facts.Select(f => f.FactId)));
        Assert.Single(store.ConstraintKeys(1));
        Assert.Equal(0L, RowCount(store, "factors WHERE fact_id <> " + first) + RowCount(store, "keys WHERE fact_id <> " + first));

        // The store goes on working.
        long next = store.AddFact(Fact("E", "owns a", "dog"), Factors(1, 3), Keys(1, 3));
        Assert.Equal(2, store.ActiveFacts().Count);
        Assert.Equal(2, store.Factors(next).Count);
    }

    [Fact]
    public void A_full_disk_during_a_write_is_one_line_and_changes_nothing()
    {
        using var store = Open();
        long first = store.AddFact(Fact("D", "owns a", "cat"), Factors(1, 3), Keys(1, 3));
        // What SQLite raises when the disk fills up part-way through the transaction.
        store.FaultPoint = p => { if (p == "factors") throw new SqliteException("SQLite Error 13: 'database or disk is full'.", 13); };
        var e = Assert.Throws<SleepingLlmException>(() => store.AddFact(Fact("E", "owns a", "dog"), Factors(1, 3), Keys(1, 3)));
        store.FaultPoint = null;
        output.WriteLine(e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("the disk is full: the fact \"E owns a dog\" was not saved", e.Message);
        Assert.Contains("nothing changed", e.Message);
        Assert.Equal([first], store.ActiveFacts().Select(f => f.Id));
        Assert.Equal(0L, RowCount(store, "factors WHERE fact_id <> " + first));
    }

    [Fact]
    public void A_database_another_process_holds_is_busy_in_one_line_and_changes_nothing()
    {
        using var store = Open();
        long id = store.AddFact(Fact("D", "owns a", "cat"), Factors(1), Keys(1));
        using (var other = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            other.Open();
            using (var lockAll = other.CreateCommand())
            {
                lockAll.CommandText = "BEGIN EXCLUSIVE";
                lockAll.ExecuteNonQuery();
            }
            var e = Assert.Throws<SleepingLlmException>(() => store.Forget(id));
            output.WriteLine(e.Message);
            Assert.DoesNotContain('\n', e.Message);
            Assert.Contains("is busy (another SleepingLlm is writing it): forgetting #" + id + " was not saved", e.Message);
        }
        Assert.Equal([id], store.ActiveFacts().Select(f => f.Id));
        Assert.True(store.Forget(id)); // free again
    }

    [Fact]
    public void A_copy_of_the_files_taken_mid_remember_holds_no_partial_fact()
    {
        // What a kill -9 (or power loss) leaves on disk: the database and its WAL as they are mid-transaction.
        string crashed = Path.Combine(directory, "crashed");
        using (var store = Open())
        {
            store.AddFact(Fact("F", "reads", "Tolstoy"), Factors(1, 3), Keys(1, 3));
            store.FaultPoint = p =>
            {
                if (p != "keys") return;
                string target = Path.Combine(crashed, Sha[..16]);
                Directory.CreateDirectory(target);
                foreach (var suffix in new[] { "", "-wal" })
                    if (File.Exists(DatabasePath + suffix))
                        File.Copy(DatabasePath + suffix, Path.Combine(target, MemoryStore.DatabaseFileName + suffix));
            };
            // A fact bigger than the page cache, so that its pages reach the WAL before the commit.
            var big = Enumerable.Range(100, 512).Select(l => new LayerFactor(l, Noise(4096), Noise(1024))).ToArray();
            store.AddFact(Fact("G", "reads", "Proust"), big, []);
            Assert.Equal(2, store.ActiveFacts().Count);
        }

        long wal = new FileInfo(Path.Combine(crashed, Sha[..16], MemoryStore.DatabaseFileName + "-wal")).Length;
        Assert.True(wal > 1 << 20, $"the uncommitted fact should have reached the copied WAL ({wal} bytes)");
        using var recovered = MemoryStore.Open(crashed, Sha, "test-model");
        Assert.Equal(["F"], recovered.ActiveFacts().Select(f => f.Subject));
        Assert.Equal([1, 3], recovered.AllActiveFactors().Select(l => l.Layer));
    }

    [Fact]
    public void Shapes_that_do_not_match_the_layer_are_refused_before_anything_is_written()
    {
        using var store = Open();
        store.AddFact(Fact("H", "is", "tall"), Factors(1), Keys(1));
        Assert.Throws<ArgumentException>(() =>
            store.AddFact(Fact("I", "is", "short"), [new LayerFactor(1, Noise(Nff + 1), Noise(Nembd))], []));
        Assert.Throws<ArgumentException>(() =>
            store.AddFact(Fact("I", "is", "short"), [new LayerFactor(3, Noise(Nff), Noise(Nembd))], [new LayerKey(3, Noise(Nff - 1))]));
        Assert.Throws<ArgumentException>(() =>
            store.AddFact(Fact("I", "is", "short"), [new LayerFactor(2, [float.NaN], [1f])], []));
        Assert.Throws<ArgumentException>(() =>
            store.AddFact(Fact("I", "is", "short"), [new LayerFactor(2, Noise(Nff), Noise(Nembd)), new LayerFactor(2, Noise(Nff - 1), Noise(Nembd))], []));
        Assert.Single(store.ActiveFacts());
    }

    [Fact]
    public void A_fact_may_have_several_columns_at_a_layer_and_gets_them_back_in_order()
    {
        using var store = Open();
        LayerFactor[] columns = [new(1, Noise(Nff), Noise(Nembd)), new(1, Noise(Nff), Noise(Nembd)), new(2, Noise(Nff), Noise(Nembd))];
        long id = store.AddFact(Fact("J", "is", "kind"), columns, [new LayerKey(1, Noise(Nff)), new LayerKey(1, Noise(Nff))]);
        var back = store.Factors(id);
        Assert.Equal(columns.Select(c => c.Layer), back.Select(c => c.Layer));
        foreach (var (c, b) in columns.Zip(back)) AssertClose(c.A, b.A, Factor);
        var layer1 = store.AllActiveFactors().Single(l => l.Layer == 1);
        Assert.Equal([0, 1], layer1.Facts.Select(f => f.Column));
        Assert.Equal(2, store.Keys(id).Count);
    }

    static long RowCount(MemoryStore store, string tableAndWhere)
    {
        using var connection = new SqliteConnection($"Data Source={store.DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM " + tableAndWhere;
        return (long)command.ExecuteScalar()!;
    }
}
