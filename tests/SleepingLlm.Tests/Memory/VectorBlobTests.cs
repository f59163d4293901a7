using Microsoft.Data.Sqlite;
using SleepingLlm.Memory;

namespace SleepingLlm.Tests.Memory;

/// <summary>The store's vector encodings, and the migration of schema-1 memories (bare float32, one column).</summary>
public sealed class VectorBlobTests
{
    readonly Random random = new(5);

    float[] Noise(int n, double scale) => [.. Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale))];

    [Theory]
    [InlineData(VectorBlob.Float32, 0.0, 4)]
    [InlineData(VectorBlob.ScaledHalf, 5e-4, 2)]
    [InlineData(VectorBlob.ScaledInt8, 4.0 / 1000, 1)]
    public void Each_format_keeps_values_within_its_precision_at_any_magnitude(byte format, double relative, int bytesPerValue)
    {
        foreach (double magnitude in new[] { 1e-6, 1.0, 3e4 })
        {
            float[] values = Noise(1536, magnitude);
            byte[] blob = VectorBlob.Encode(values, format);
            Assert.Equal(format == VectorBlob.Float32 ? 1 + 4 * values.Length : 5 + bytesPerValue * values.Length, blob.Length);
            float[] back = VectorBlob.Decode(blob)!;
            double max = values.Max(Math.Abs);
            Assert.True(values.Zip(back).All(p => Math.Abs(p.First - p.Second) <= relative * max), $"format {format} at {magnitude}");
        }
        Assert.Equal([0f, 0f], VectorBlob.Decode(VectorBlob.Encode([0f, 0f], format))!);
    }

    [Fact]
    public void Damaged_blobs_are_recognised()
    {
        Assert.Null(VectorBlob.Decode([]));
        Assert.Null(VectorBlob.Decode([9, 1, 2, 3, 4]));
        Assert.Null(VectorBlob.Decode([VectorBlob.Float32, 1, 2, 3]));
        Assert.Null(VectorBlob.Decode([VectorBlob.ScaledHalf, 1, 2]));
    }

    [Fact]
    public void A_schema_1_memory_is_migrated_and_keeps_its_factors_and_keys()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"sleepingllm-v1-{Guid.NewGuid():N}");
        const string sha = "ab23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        try
        {
            float[] a = Noise(12, 0.01), b = Noise(5, 1), k = Noise(12, 2);
            long id;
            using (var store = MemoryStore.Open(directory, sha, "m"))
                id = store.AddFact(new NewFact("Ada", "drives", "Tesla", "Ada drives a"), [new LayerFactor(3, a, b)], [new LayerKey(3, k)]);

            // Rewrite it as schema 1 stored it: one factor row per fact and layer, bare float32 blobs.
            string path = Path.Combine(directory, sha[..16], MemoryStore.DatabaseFileName);
            using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = """
                    DROP TABLE factors;
                    CREATE TABLE factors(fact_id INTEGER NOT NULL REFERENCES facts(id) ON DELETE CASCADE, layer INTEGER NOT NULL,
                        a BLOB NOT NULL, b BLOB NOT NULL, PRIMARY KEY (fact_id, layer));
                    CREATE INDEX factors_layer ON factors(layer);
                    INSERT INTO factors VALUES ($id, 3, $a, $b);
                    UPDATE keys SET k = $k;
                    ALTER TABLE facts DROP COLUMN pinned;
                    PRAGMA user_version = 1;
                    """;
                command.Parameters.AddWithValue("$id", id);
                command.Parameters.AddWithValue("$a", Bare(a));
                command.Parameters.AddWithValue("$b", Bare(b));
                command.Parameters.AddWithValue("$k", Bare(k));
                command.ExecuteNonQuery();
            }

            using (var store = MemoryStore.Open(directory, sha, "m"))
            {
                var factor = Assert.Single(store.Factors(id));
                Assert.Equal(3, factor.Layer);
                Assert.Equal(a, factor.A);
                Assert.Equal(b, factor.B);
                Assert.Equal(k, Assert.Single(store.Keys(id)).K);
                // Written after the migration: a second column and the compact formats.
                store.AddFact(new NewFact("Bo", "drives", "Fiat", "Bo drives a"), [new LayerFactor(3, a, b), new LayerFactor(3, b.Concat(a).Take(12).ToArray(), b)], []);
                Assert.Equal([0, 0, 1], store.AllActiveFactors().Single().Facts.Select(f => f.Column));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }

        static byte[] Bare(float[] values) => [.. values.SelectMany(BitConverter.GetBytes)];
    }
}
