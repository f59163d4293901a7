using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace SleepingLlm.Memory;

/// <summary>
/// The memory of one base model: its facts, each fact's rank-1 factors and constraint keys per edit
/// layer, stages, scales and recall history, in one SQLite file (<c>&lt;directory&gt;/&lt;sha256[..16]&gt;/memory.db</c>,
/// WAL, synchronous=FULL, foreign keys on). Every change is one transaction, so a process killed in
/// the middle leaves a fact wholly there or wholly absent. One connection, guarded by a lock.
/// </summary>
public sealed partial class MemoryStore : IDisposable
{
    /// <summary>The schema this code writes and reads (PRAGMA user_version).</summary>
    public const int SchemaVersion = 4;

    /// <summary>PRAGMA application_id of a memory database: "SLLM".</summary>
    public const int ApplicationId = 0x534C4C4D;

    public const string DatabaseFileName = "memory.db";

    const string FactColumns =
        "id, subject, relation, object, prompt, question, paraphrases, created, status, stage, scale, last_recall, recalled, recall_history, pinned";

    readonly SqliteConnection connection;
    readonly Lock gate = new();

    /// <summary>Test hook: called inside the write transaction after each part of a fact is written ("fact", "factors", "keys").</summary>
    internal Action<string>? FaultPoint { get; set; }

    MemoryStore(SqliteConnection connection, string folder, string sha256, string modelName)
    {
        this.connection = connection;
        Folder = folder;
        DatabasePath = System.IO.Path.Combine(folder, DatabaseFileName);
        AdapterDirectory = System.IO.Path.Combine(folder, "adapters");
        ModelSha256 = sha256;
        ModelName = modelName;
    }

    /// <summary>Where memories live unless told otherwise: the user's local data folder + sleepingllm/memory.</summary>
    public static string DefaultDirectory => UserData.Sub("memory");

    /// <summary>This model's folder: <c>&lt;directory&gt;/&lt;sha256[..16]&gt;</c>.</summary>
    public string Folder { get; }

    public string DatabasePath { get; }

    /// <summary>The folder for the adapter files built from this memory.</summary>
    public string AdapterDirectory { get; }

    /// <summary>The base model's sha256, lower-case hex.</summary>
    public string ModelSha256 { get; }

    public string ModelName { get; }

    /// <summary>
    /// Opens (creating if absent) the memory of the model with this sha256 under <paramref name="directory"/>.
    /// </summary>
    /// <exception cref="SleepingLlmException">the file is not a SQLite database, is corrupt, belongs to another
    /// application or schema, or was recorded for another model.</exception>
    public static MemoryStore Open(string directory, string modelSha256, string modelName)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(modelName);
        string sha = NormaliseSha256(modelSha256);
        string folder = System.IO.Path.Combine(System.IO.Path.GetFullPath(directory), sha[..16]);
        try
        {
            Directory.CreateDirectory(System.IO.Path.Combine(folder, "adapters"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SleepingLlmException(OneLine($"cannot create the memory folder {folder}: {e.Message}"), e);
        }

        string path = System.IO.Path.Combine(folder, DatabaseFileName);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            ForeignKeys = true,
            // SQLite retries a locked database this long before a write fails as busy.
            DefaultTimeout = 5,
        }.ToString());
        try
        {
            connection.Open();
            var store = new MemoryStore(connection, folder, sha, modelName);
            store.Initialise();
            return store;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6) // SQLITE_BUSY, SQLITE_LOCKED
        {
            connection.Dispose();
            throw new SleepingLlmException(OneLine($"memory database {path} is locked by another process ({e.Message})"), e);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new SleepingLlmException(
                OneLine($"{path} is not a usable memory database ({e.Message}); move it away to start an empty memory"), e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    // ---------------------------------------------------------------- internals

    long Insert(NewFact fact, IReadOnlyList<LayerFactor> factors, IReadOnlyList<LayerKey> keys, SqliteTransaction tx)
    {
        CheckShapes(factors, keys, tx);
        long id;
        using (var insert = Command("""
            INSERT INTO facts(subject, relation, object, prompt, question, paraphrases, created, status, stage, scale, recall_history)
            VALUES ($subject, $relation, $object, $prompt, $question, $paraphrases, $created, 'active', $stage, $scale, '[]')
            RETURNING id
            """, tx))
        {
            insert.Parameters.AddWithValue("$subject", fact.Subject);
            insert.Parameters.AddWithValue("$relation", fact.Relation);
            insert.Parameters.AddWithValue("$object", fact.Object);
            insert.Parameters.AddWithValue("$prompt", fact.Prompt);
            insert.Parameters.AddWithValue("$question", (object?)fact.Question ?? DBNull.Value);
            insert.Parameters.AddWithValue("$paraphrases", StringsJson(fact.Paraphrases ?? []));
            insert.Parameters.AddWithValue("$created", FormatTime(fact.Created ?? DateTimeOffset.UtcNow));
            insert.Parameters.AddWithValue("$stage", fact.Stage);
            insert.Parameters.AddWithValue("$scale", (double)fact.Scale);
            id = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        FaultPoint?.Invoke("fact");

        InsertEdit(id, factors, keys, tx);
        return id;
    }

    /// <summary>A fact's factors (its columns numbered per layer) and constraint keys.</summary>
    void InsertEdit(long id, IReadOnlyList<LayerFactor> factors, IReadOnlyList<LayerKey> keys, SqliteTransaction tx)
    {
        using (var insert = Command("INSERT INTO factors(fact_id, layer, col, a, b) VALUES ($id, $layer, $col, $a, $b)", tx))
        {
            var layer = insert.Parameters.Add("$layer", SqliteType.Integer);
            var column = insert.Parameters.Add("$col", SqliteType.Integer);
            var columns = new Dictionary<int, int>();
            var a = insert.Parameters.Add("$a", SqliteType.Blob);
            var b = insert.Parameters.Add("$b", SqliteType.Blob);
            insert.Parameters.AddWithValue("$id", id);
            foreach (var factor in factors)
            {
                layer.Value = factor.Layer;
                column.Value = columns[factor.Layer] = columns.GetValueOrDefault(factor.Layer, -1) + 1;
                a.Value = VectorBlob.Encode(factor.A, VectorBlob.ScaledHalf);
                b.Value = VectorBlob.Encode(factor.B, VectorBlob.ScaledHalf);
                insert.ExecuteNonQuery();
            }
        }
        FaultPoint?.Invoke("factors");

        using (var insert = Command("INSERT INTO keys(fact_id, layer, k) VALUES ($id, $layer, $k)", tx))
        {
            var layer = insert.Parameters.Add("$layer", SqliteType.Integer);
            var k = insert.Parameters.Add("$k", SqliteType.Blob);
            insert.Parameters.AddWithValue("$id", id);
            foreach (var key in keys)
            {
                layer.Value = key.Layer;
                k.Value = VectorBlob.Encode(key.K, VectorBlob.ScaledInt8);
                insert.ExecuteNonQuery();
            }
        }
        FaultPoint?.Invoke("keys");
    }

    /// <summary>Factors and keys must have the shapes the layer's existing ones have (one model, one n_ff and n_embd).</summary>
    void CheckShapes(IReadOnlyList<LayerFactor> factors, IReadOnlyList<LayerKey> keys, SqliteTransaction tx)
    {
        using var factorShape = Command("SELECT a, b FROM factors WHERE layer = $layer LIMIT 1", tx);
        var layerParameter = factorShape.Parameters.Add("$layer", SqliteType.Integer);
        foreach (var factor in factors)
        {
            layerParameter.Value = factor.Layer;
            using var reader = factorShape.ExecuteReader();
            if (!reader.Read()) continue;
            long a = VectorBlob.Count(reader.GetFieldValue<byte[]>(0)), b = VectorBlob.Count(reader.GetFieldValue<byte[]>(1));
            if (a != factor.A.Length || b != factor.B.Length)
                throw new ArgumentException(
                    $"layer {factor.Layer}: factors of {factor.A.Length}/{factor.B.Length} values, the stored ones have {a}/{b}");
        }

        using var keyShape = Command("SELECT k FROM keys WHERE layer = $layer LIMIT 1", tx);
        layerParameter = keyShape.Parameters.Add("$layer", SqliteType.Integer);
        foreach (var key in keys)
        {
            layerParameter.Value = key.Layer;
            if (keyShape.ExecuteScalar() is byte[] stored && VectorBlob.Count(stored) is var count && count != key.K.Length)
                throw new ArgumentException($"layer {key.Layer}: a key of {key.K.Length} values, the stored ones have {count}");
        }
    }

    bool Retire(long id, string status, SqliteTransaction tx)
    {
        // Consolidated, or in the weights when the newest adapter was trained: that adapter learnt it, so the next
        // sleep must train a new one without it (AdapterHoldsRetired).
        using (var learnt = Command("SELECT 1 FROM facts WHERE id = $id AND status = 'active' AND " +
                                    "(stage > 0 OR created <= (SELECT MAX(created) FROM consolidated))", tx))
        {
            learnt.Parameters.AddWithValue("$id", id);
            if (learnt.ExecuteScalar() is not null) SetMeta(AdapterHoldsRetiredKey, "1", tx);
        }
        using (var update = Command("UPDATE facts SET status = $status WHERE id = $id AND status = 'active'", tx))
        {
            update.Parameters.AddWithValue("$status", status);
            update.Parameters.AddWithValue("$id", id);
            if (update.ExecuteNonQuery() == 0) return false;
        }
        DropEdit(id, tx);
        return true;
    }

    bool IsActive(long id, SqliteTransaction tx)
    {
        using var read = Command("SELECT 1 FROM facts WHERE id = $id AND status = 'active'", tx);
        read.Parameters.AddWithValue("$id", id);
        return read.ExecuteScalar() is not null;
    }

    void DropEdit(long id, SqliteTransaction tx)
    {
        using var delete = Command("DELETE FROM factors WHERE fact_id = $id; DELETE FROM keys WHERE fact_id = $id;", tx);
        delete.Parameters.AddWithValue("$id", id);
        delete.ExecuteNonQuery();
    }

    static SleepingLlmException NotActive(long id) => new($"memory #{id} is not an active memory");

    static void Validate(NewFact fact, IReadOnlyList<LayerFactor> factors, IReadOnlyList<LayerKey> keys)
    {
        ArgumentNullException.ThrowIfNull(fact);
        ArgumentNullException.ThrowIfNull(factors);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentException.ThrowIfNullOrWhiteSpace(fact.Subject, nameof(fact));
        ArgumentException.ThrowIfNullOrWhiteSpace(fact.Relation, nameof(fact));
        ArgumentException.ThrowIfNullOrWhiteSpace(fact.Object, nameof(fact));
        ArgumentException.ThrowIfNullOrWhiteSpace(fact.Prompt, nameof(fact));
        if (fact.Stage < 0) throw new ArgumentException("a fact's stage is at least 0", nameof(fact));
        if (!float.IsFinite(fact.Scale)) throw new ArgumentException("a fact's scale must be finite", nameof(fact));
        if (fact.Paraphrases?.Any(p => p is null) == true) throw new ArgumentException("a paraphrase is null", nameof(fact));

        foreach (var factor in factors)
        {
            ArgumentNullException.ThrowIfNull(factor, nameof(factors));
            if (factor.Layer < 0) throw new ArgumentException($"layer {factor.Layer} is negative", nameof(factors));
            if (factors.FirstOrDefault(f => f.Layer == factor.Layer) is { } first && (first.A.Length != factor.A.Length || first.B.Length != factor.B.Length))
                throw new ArgumentException($"layer {factor.Layer}: columns of different shapes", nameof(factors));
            CheckValues(factor.A, $"layer {factor.Layer} factor a", nameof(factors));
            CheckValues(factor.B, $"layer {factor.Layer} factor b", nameof(factors));
        }
        foreach (var key in keys)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(keys));
            if (key.Layer < 0) throw new ArgumentException($"layer {key.Layer}: negative", nameof(keys));
            CheckValues(key.K, $"layer {key.Layer} key", nameof(keys));
            if (factors.FirstOrDefault(f => f.Layer == key.Layer) is { } factor && factor.A.Length != key.K.Length)
                throw new ArgumentException(
                    $"layer {key.Layer}: a key of {key.K.Length} values for a factor a of {factor.A.Length}", nameof(keys));
        }
    }

    static void CheckValues(float[]? values, string what, string parameter)
    {
        if (values is null || values.Length == 0) throw new ArgumentException($"{what} is empty", parameter);
        foreach (float v in values)
            if (!float.IsFinite(v)) throw new ArgumentException($"{what} holds {v}", parameter);
    }

    SqliteCommand Command(string sql, SqliteTransaction? tx)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return command;
    }

    void Execute(string sql, SqliteTransaction? tx)
    {
        using var command = Command(sql, tx);
        command.ExecuteNonQuery();
    }

    object? Scalar(string sql, SqliteTransaction? tx)
    {
        using var command = Command(sql, tx);
        return command.ExecuteScalar();
    }

    List<string> Strings(string sql, SqliteTransaction? tx)
    {
        using var command = Command(sql, tx);
        using var reader = command.ExecuteReader();
        var result = new List<string>();
        while (reader.Read()) result.Add(reader.IsDBNull(0) ? "" : reader.GetString(0));
        return result;
    }

    string? GetMeta(string key, SqliteTransaction? tx)
    {
        using var command = Command("SELECT value FROM meta WHERE key = $key", tx);
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as string;
    }

    void SetMeta(string key, string value, SqliteTransaction tx)
    {
        using var command = Command("INSERT INTO meta(key, value) VALUES ($key, $value) ON CONFLICT(key) DO UPDATE SET value = excluded.value", tx);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    List<StoredFact> ReadFacts(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(sql, null);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        using var reader = command.ExecuteReader();
        var result = new List<StoredFact>();
        while (reader.Read())
        {
            long id = reader.GetInt64(0);
            try
            {
                result.Add(new StoredFact(
                    Id: id,
                    Subject: reader.GetString(1),
                    Relation: reader.GetString(2),
                    Object: reader.GetString(3),
                    Prompt: reader.GetString(4),
                    Question: reader.IsDBNull(5) ? null : reader.GetString(5),
                    Paraphrases: ParseStrings(reader.GetString(6)),
                    Created: ParseTime(reader.GetString(7)),
                    Status: ParseStatus(reader.GetString(8)),
                    Stage: reader.GetInt32(9),
                    Scale: (float)reader.GetDouble(10),
                    LastRecall: reader.IsDBNull(11) ? null : ParseTime(reader.GetString(11)),
                    Recalled: reader.IsDBNull(12) ? null : reader.GetInt64(12) != 0,
                    RecallHistory: ParseHistory(reader.GetString(13), id),
                    Pinned: reader.GetInt64(14) != 0));
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
            {
                throw new SleepingLlmException(OneLine($"memory #{id} in {DatabasePath} is malformed: {e.Message}"), e);
            }
        }
        return result;
    }

    static FactStatus ParseStatus(string status) => status switch
    {
        "active" => FactStatus.Active,
        "forgotten" => FactStatus.Forgotten,
        "replaced" => FactStatus.Replaced,
        _ => throw new FormatException($"unknown status '{status}'"),
    };

    /// <summary>ISO-8601 in UTC with 100 ns precision (round-trips a DateTimeOffset's instant exactly).</summary>
    static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    float[] FromBlob(SqliteDataReader reader, int column) =>
        VectorBlob.Decode(reader.GetFieldValue<byte[]>(column))
        ?? throw new SleepingLlmException($"memory database {DatabasePath}: a stored vector is damaged (unknown format or length)");

    static string NormaliseSha256(string sha256)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        string sha = sha256.Trim().ToLowerInvariant();
        if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit))
            throw new ArgumentException($"not a sha256 (64 hex digits): '{sha256}'", nameof(sha256));
        return sha;
    }

    static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
