using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SleepingLlm.Memory;

/// <summary>The memory database's schema: creation, checks on open, and migration from older schemas.</summary>
public sealed partial class MemoryStore
{
    static readonly string[] Tables = ["meta", "facts", "factors", "keys", "consolidated", "sleeps"];

    /// <summary>Schema 3's tables: what sleep consolidated (a GGUF LoRA adapter) and each sleep's report.</summary>
    const string SleepTables = """
        CREATE TABLE IF NOT EXISTS consolidated(
            id      INTEGER PRIMARY KEY,
            created TEXT NOT NULL,
            facts   INTEGER NOT NULL,
            adapter BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS sleeps(
            id        INTEGER PRIMARY KEY,
            started   TEXT NOT NULL,
            finished  TEXT NOT NULL,
            committed INTEGER NOT NULL,
            report    TEXT NOT NULL);
        """;

    const string Schema = """
        CREATE TABLE meta(
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL);
        CREATE TABLE facts(
            id             INTEGER PRIMARY KEY,
            subject        TEXT NOT NULL,
            relation       TEXT NOT NULL,
            object         TEXT NOT NULL,
            prompt         TEXT NOT NULL,
            question       TEXT NULL,
            paraphrases    TEXT NOT NULL DEFAULT '[]',
            created        TEXT NOT NULL,
            status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'forgotten', 'replaced')),
            stage          INTEGER NOT NULL DEFAULT 0,
            scale          REAL NOT NULL DEFAULT 1.0,
            last_recall    TEXT NULL,
            recalled       INTEGER NULL,
            recall_history TEXT NOT NULL DEFAULT '[]',
            pinned         INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX facts_status ON facts(status);
        CREATE TABLE factors(
            fact_id INTEGER NOT NULL REFERENCES facts(id) ON DELETE CASCADE,
            layer   INTEGER NOT NULL,
            col     INTEGER NOT NULL DEFAULT 0,
            a       BLOB NOT NULL,
            b       BLOB NOT NULL,
            PRIMARY KEY (fact_id, layer, col));
        CREATE INDEX factors_layer ON factors(layer);
        CREATE TABLE keys(
            fact_id INTEGER NOT NULL REFERENCES facts(id) ON DELETE CASCADE,
            layer   INTEGER NOT NULL,
            k       BLOB NOT NULL);
        CREATE INDEX keys_fact ON keys(fact_id, layer);
        CREATE INDEX keys_layer ON keys(layer);
        """ + SleepTables;

    void Initialise()
    {
        // A file that is not SQLite fails here (SQLITE_NOTADB), a damaged one reports its problems.
        var problems = Strings("PRAGMA quick_check", null);
        if (problems is not ["ok"])
            throw Refuse($"is corrupt (quick_check: {problems.FirstOrDefault() ?? "no answer"}" +
                (problems.Count > 1 ? $", and {problems.Count - 1} more problems)" : ")"));
        string mode = Convert.ToString(Scalar("PRAGMA journal_mode=WAL", null), CultureInfo.InvariantCulture) ?? "";
        if (!mode.Equals("wal", StringComparison.OrdinalIgnoreCase))
            throw Refuse($"cannot use write-ahead logging (journal mode stays '{mode}')");
        Execute("PRAGMA synchronous=FULL", null);
        Execute("PRAGMA foreign_keys=ON", null);

        using var tx = connection.BeginTransaction();
        long applicationId = Convert.ToInt64(Scalar("PRAGMA application_id", tx), CultureInfo.InvariantCulture);
        long version = Convert.ToInt64(Scalar("PRAGMA user_version", tx), CultureInfo.InvariantCulture);
        var tables = Strings("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", tx);
        if (applicationId == 0 && tables.Count == 0)
        {
            Execute(Schema, tx);
            // Constants, not input: PRAGMAs take no parameters.
            Execute($"PRAGMA application_id = {ApplicationId}", tx);
            Execute($"PRAGMA user_version = {SchemaVersion}", tx);
            SetMeta("schema_version", SchemaVersion.ToString(CultureInfo.InvariantCulture), tx);
            SetMeta("model_sha256", ModelSha256, tx);
            SetMeta("model_name", ModelName, tx);
            SetMeta("created", FormatTime(DateTimeOffset.UtcNow), tx);
        }
        else if (applicationId != ApplicationId)
            throw Refuse("is a SQLite database of another application, not a SleepingLlm memory");
        else if (version > SchemaVersion)
            throw Refuse($"has memory schema {version}, newer than this SleepingLlm's {SchemaVersion}");
        else if (version < 1)
            throw Refuse($"has an unknown memory schema ({version})");
        else
        {
            if (version == 1) Migrate1To2(tx);
            if (version <= 2)
            {
                Migrate2To3(tx);
                tables = [.. tables, "consolidated", "sleeps"];
            }
            var missing = Tables.Except(tables, StringComparer.Ordinal).ToList();
            if (missing.Count > 0) throw Refuse($"lacks the table(s) {string.Join(", ", missing)}");
            if (version <= 3) Migrate3To4(tx);
            string? recorded = GetMeta("model_sha256", tx);
            if (recorded is null) throw Refuse("records no model sha256");
            if (!recorded.Equals(ModelSha256, StringComparison.OrdinalIgnoreCase))
                throw Refuse($"belongs to the model with sha256 {recorded}, not {ModelSha256} ({ModelName})");
            if (GetMeta("model_name", tx) != ModelName) SetMeta("model_name", ModelName, tx);
        }
        tx.Commit();
    }

    /// <summary>Schema 1 had one factor column per fact and layer; 2 allows several (the raw key's and the chat keys').</summary>
    void Migrate1To2(SqliteTransaction tx)
    {
        Execute("""
            CREATE TABLE factors2(
                fact_id INTEGER NOT NULL REFERENCES facts(id) ON DELETE CASCADE,
                layer   INTEGER NOT NULL,
                col     INTEGER NOT NULL DEFAULT 0,
                a       BLOB NOT NULL,
                b       BLOB NOT NULL,
                PRIMARY KEY (fact_id, layer, col));
            INSERT INTO factors2(fact_id, layer, col, a, b) SELECT fact_id, layer, 0, a, b FROM factors;
            DROP TABLE factors;
            ALTER TABLE factors2 RENAME TO factors;
            CREATE INDEX factors_layer ON factors(layer);
            """, tx);
        // Schema 1 kept bare little-endian float32; 2 tags every vector with its format.
        foreach (var (table, columns) in new[] { ("factors", new[] { "a", "b" }), ("keys", new[] { "k" }) })
            foreach (string column in columns)
                Execute($"UPDATE {table} SET {column} = unhex('01' || hex({column}))", tx);
        Execute("PRAGMA user_version = 2", tx);
        SetMeta("schema_version", "2", tx);
    }

    /// <summary>Schema 3 added what sleep consolidated and each sleep's report.</summary>
    void Migrate2To3(SqliteTransaction tx)
    {
        Execute(SleepTables, tx);
        Execute("PRAGMA user_version = 3", tx);
        SetMeta("schema_version", "3", tx);
    }

    /// <summary>Schema 4 lets the user pin a fact, so that sleep's Prune never dissolves its edit; no fact was pinned before.</summary>
    void Migrate3To4(SqliteTransaction tx)
    {
        Execute("ALTER TABLE facts ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0", tx);
        Execute("PRAGMA user_version = 4", tx);
        SetMeta("schema_version", "4", tx);
    }

    SleepingLlmException Refuse(string reason) => new(OneLine($"memory database {DatabasePath} {reason}"));
}
