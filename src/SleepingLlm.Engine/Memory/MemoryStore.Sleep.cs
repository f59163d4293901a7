using System.Globalization;

namespace SleepingLlm.Memory;

/// <summary>What one fact became in a sleep: its consolidation stage and the scale its MEMIT edit now runs at.</summary>
public sealed record FactStage(long Id, int Stage, float Scale);

/// <summary>
/// Sleep's side of the store. A sleep changes nothing until <see cref="CommitSleep"/>, which writes the
/// new consolidated adapter and every fact's stage and scale in one transaction: a sleep killed at any
/// point leaves the memory exactly as before it, and the marker <see cref="BeginSleep"/> left says so.
/// </summary>
public sealed partial class MemoryStore
{
    const string SleepMarker = "sleep_started";

    /// <summary>The newest consolidated adapter (GGUF bytes) and how many facts it was trained on; null before the first sleep.</summary>
    public (byte[] Adapter, int Facts)? Consolidated()
    {
        lock (gate)
        {
            using var read = Command("SELECT adapter, facts FROM consolidated ORDER BY id DESC LIMIT 1", null);
            using var reader = read.ExecuteReader();
            return reader.Read() ? (reader.GetFieldValue<byte[]>(0), reader.GetInt32(1)) : null;
        }
    }

    const string AdapterHoldsRetiredKey = "adapter_holds_retired";

    /// <summary>
    /// Whether the consolidated adapter was trained on a fact that has since been forgotten or replaced: a sleep that
    /// continued from it would keep that fact, so the next one trains a new adapter on the active facts alone.
    /// </summary>
    public bool AdapterHoldsRetired
    {
        get
        {
            lock (gate) return GetMeta(AdapterHoldsRetiredKey, null) is not null;
        }
    }

    /// <summary>When a sleep started that neither committed nor rolled back (the process died in it); null: none.</summary>
    public DateTimeOffset? InterruptedSleep
    {
        get
        {
            lock (gate) return GetMeta(SleepMarker, null) is { } at ? ParseTime(at) : null;
        }
    }

    /// <summary>Marks a sleep as running (committed at once, so a crash in it is seen at the next start).</summary>
    public void BeginSleep(DateTimeOffset at) => Write("the start of a sleep", () =>
    {
        using var tx = connection.BeginTransaction();
        SetMeta(SleepMarker, FormatTime(at), tx);
        tx.Commit();
        return true;
    });

    /// <summary>A sleep that committed nothing: its audit goes into the facts' recall history and its report is kept; the marker goes.</summary>
    public void RollBackSleep(DateTimeOffset started, IReadOnlyList<(long Id, RecallRecord Audit)> audits, string reportJson) => Write("the report of a rolled-back sleep", () =>
    {
        using var tx = connection.BeginTransaction();
        foreach (var (id, audit) in audits) AppendRecall(id, audit, tx);
        InsertSleep(started, committed: false, reportJson, tx);
        tx.Commit();
        return true;
    });

    /// <summary>
    /// The sleep's result, all or nothing: the consolidated adapter (null keeps the current one), each listed
    /// active fact's stage and scale, the edits Refresh solved again in place of their groups' old ones, the audit in
    /// each fact's recall history, and the report; the marker goes in the same transaction.
    /// </summary>
    /// <exception cref="SleepingLlmException">a listed fact is no longer active (forgotten during the sleep): nothing is written.</exception>
    public void CommitSleep(DateTimeOffset started, byte[]? adapter, int adapterFacts, IReadOnlyList<FactStage> stages,
        IReadOnlyList<(long Id, RecallRecord Audit)> audits, string reportJson, IReadOnlyList<Sleep.RefreshedEdit>? refreshed = null) =>
        Write("the sleep's result", () =>
        {
            using var tx = connection.BeginTransaction();
            foreach (var (id, audit) in audits) AppendRecall(id, audit, tx);
            if (adapter is not null)
            {
                using var insert = Command("INSERT INTO consolidated(created, facts, adapter) VALUES ($at, $facts, $adapter)", tx);
                insert.Parameters.AddWithValue("$at", FormatTime(DateTimeOffset.UtcNow));
                insert.Parameters.AddWithValue("$facts", adapterFacts);
                insert.Parameters.AddWithValue("$adapter", adapter);
                insert.ExecuteNonQuery();
                // Only the newest is ever loaded: older ones would only grow the file.
                Execute("DELETE FROM consolidated WHERE id < (SELECT MAX(id) FROM consolidated)", tx);
                // A sleep continues from the last adapter only while it holds no retired fact, so a new one never does.
                using var clear = Command("DELETE FROM meta WHERE key = $key", tx);
                clear.Parameters.AddWithValue("$key", AdapterHoldsRetiredKey);
                clear.ExecuteNonQuery();
            }
            using (var update = Command("UPDATE facts SET stage = $stage, scale = $scale WHERE id = $id AND status = 'active'", tx))
            {
                var stage = update.Parameters.Add("$stage", Microsoft.Data.Sqlite.SqliteType.Integer);
                var scale = update.Parameters.Add("$scale", Microsoft.Data.Sqlite.SqliteType.Real);
                var id = update.Parameters.Add("$id", Microsoft.Data.Sqlite.SqliteType.Integer);
                foreach (var fact in stages)
                {
                    if (!float.IsFinite(fact.Scale) || fact.Stage < 0) throw new ArgumentException($"memory #{fact.Id}: stage {fact.Stage}, scale {fact.Scale}");
                    (stage.Value, scale.Value, id.Value) = (fact.Stage, (double)fact.Scale, fact.Id);
                    if (update.ExecuteNonQuery() == 0) throw NotActive(fact.Id);
                }
            }
            foreach (var edit in refreshed ?? [])
            {
                if (!edit.Members.Contains(edit.Carrier)) throw new ArgumentException($"memory #{edit.Carrier} carries a refreshed edit but is not among its facts");
                foreach (long member in edit.Members)
                {
                    if (!IsActive(member, tx)) throw NotActive(member);
                    DropEdit(member, tx);
                }
                foreach (var factor in edit.Factors)
                {
                    CheckValues(factor.A, $"layer {factor.Layer} factor a", nameof(refreshed));
                    CheckValues(factor.B, $"layer {factor.Layer} factor b", nameof(refreshed));
                }
                CheckShapes(edit.Factors, edit.Keys, tx);
                InsertEdit(edit.Carrier, edit.Factors, edit.Keys, tx);
            }
            FaultPoint?.Invoke("sleep");
            InsertSleep(started, committed: true, reportJson, tx);
            tx.Commit();
            return true;
        });

    void InsertSleep(DateTimeOffset started, bool committed, string reportJson, Microsoft.Data.Sqlite.SqliteTransaction tx)
    {
        using var insert = Command("INSERT INTO sleeps(started, finished, committed, report) VALUES ($s, $f, $c, $r)", tx);
        insert.Parameters.AddWithValue("$s", FormatTime(started));
        insert.Parameters.AddWithValue("$f", FormatTime(DateTimeOffset.UtcNow));
        insert.Parameters.AddWithValue("$c", committed ? 1 : 0);
        insert.Parameters.AddWithValue("$r", reportJson);
        insert.ExecuteNonQuery();
        using var clear = Command("DELETE FROM meta WHERE key = $key", tx);
        clear.Parameters.AddWithValue("$key", SleepMarker);
        clear.ExecuteNonQuery();
    }

    /// <summary>How many sleeps committed and rolled back so far.</summary>
    public (int Committed, int RolledBack) SleepCounts()
    {
        lock (gate)
        {
            int committed = Convert.ToInt32(Scalar("SELECT COUNT(*) FROM sleeps WHERE committed = 1", null), CultureInfo.InvariantCulture);
            int rolled = Convert.ToInt32(Scalar("SELECT COUNT(*) FROM sleeps WHERE committed = 0", null), CultureInfo.InvariantCulture);
            return (committed, rolled);
        }
    }
}
