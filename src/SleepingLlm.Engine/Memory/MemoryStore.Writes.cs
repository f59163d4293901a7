using Microsoft.Data.Sqlite;

namespace SleepingLlm.Memory;

/// <summary>Writes: each one transaction.</summary>
public sealed partial class MemoryStore
{
    readonly List<long> written = [];

    /// <summary>The facts this store object added (new or replacing), oldest first: the session's writes, for /undo.</summary>
    public IReadOnlyList<long> WrittenThisSession
    {
        get
        {
            lock (gate) return [.. written];
        }
    }

    /// <summary>Stores a fact with its factors and constraint keys in one transaction; returns its id.</summary>
    /// <param name="absorbs">Active facts whose edit the new one's now carries (a subject's facts solved together):
    /// their factors and keys go in the same transaction; they stay active.</param>
    public long AddFact(NewFact fact, IReadOnlyList<LayerFactor> factors, IReadOnlyList<LayerKey> keys, IReadOnlyCollection<long>? absorbs = null)
    {
        Validate(fact, factors, keys);
        return Write($"the fact \"{fact.Subject} {fact.Relation} {fact.Object}\"", () =>
        {
            using var tx = connection.BeginTransaction();
            foreach (long absorbed in absorbs ?? []) DropEdit(absorbed, tx);
            long id = Insert(fact, factors, keys, tx);
            tx.Commit();
            written.Add(id);
            return id;
        });
    }

    /// <summary>
    /// Forgets an active fact: marks it 'forgotten' and deletes its factors and keys (one transaction), so
    /// the next adapter lacks its edit exactly. False when no active fact has this id.
    /// </summary>
    public bool Forget(long id) => Write($"forgetting #{id}", () =>
    {
        using var tx = connection.BeginTransaction();
        if (!Retire(id, "forgotten", tx)) return false;
        tx.Commit();
        return true;
    });

    /// <summary>
    /// An update: marks the active fact <paramref name="oldId"/> 'replaced' (deleting its factors and keys)
    /// and stores the new one, in one transaction; returns the new id.
    /// </summary>
    /// <exception cref="SleepingLlmException">no active fact has <paramref name="oldId"/>.</exception>
    public long Replace(long oldId, NewFact fact, IReadOnlyList<LayerFactor> factors, IReadOnlyList<LayerKey> keys,
        IReadOnlyCollection<long>? absorbs = null)
    {
        Validate(fact, factors, keys);
        return Write($"the fact \"{fact.Subject} {fact.Relation} {fact.Object}\"", () =>
        {
            using var tx = connection.BeginTransaction();
            if (!Retire(oldId, "replaced", tx)) throw NotActive(oldId);
            foreach (long absorbed in absorbs ?? []) DropEdit(absorbed, tx);
            long id = Insert(fact, factors, keys, tx);
            tx.Commit();
            written.Add(id);
            return id;
        });
    }

    /// <summary>
    /// Pins or unpins an active fact: sleep's Prune never dissolves the edit of a pinned fact's subject, so it stays
    /// in the weights whatever the edit budget. False when no active fact has this id.
    /// </summary>
    public bool Pin(long id, bool pinned) => Write($"{(pinned ? "pinning" : "unpinning")} #{id}", () =>
    {
        using var update = Command("UPDATE facts SET pinned = $v WHERE id = $id AND status = 'active'", null);
        update.Parameters.AddWithValue("$v", pinned ? 1 : 0);
        update.Parameters.AddWithValue("$id", id);
        return update.ExecuteNonQuery() > 0;
    });

    /// <summary>The scale an active fact's edit is applied with (finite).</summary>
    public void SetScale(long id, float scale)
    {
        if (!float.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "the scale must be finite");
        UpdateActive(id, "UPDATE facts SET scale = $v WHERE id = $id AND status = 'active'", (double)scale);
    }

    /// <summary>An active fact's consolidation stage (≥ 0).</summary>
    public void SetStage(long id, int stage)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stage);
        UpdateActive(id, "UPDATE facts SET stage = $v WHERE id = $id AND status = 'active'", stage);
    }

    /// <summary>
    /// Records a recall audit of an active fact: appended to its history; last_recall = <paramref name="at"/>,
    /// recalled = <paramref name="raw"/> (the raw-prompt recall MEMIT edits are held to).
    /// </summary>
    /// <param name="chat">Whether the chat question gave the object; null when it has none.</param>
    public void RecordRecall(long id, bool raw, bool? chat, DateTimeOffset at) => Write($"the recall audit of #{id}", () =>
    {
        using var tx = connection.BeginTransaction();
        if (!AppendRecall(id, new RecallRecord(at, raw, chat), tx)) throw NotActive(id);
        tx.Commit();
        return true;
    });

    /// <summary>Appends one audit to an active fact's history inside <paramref name="tx"/>; false when it is not active.</summary>
    bool AppendRecall(long id, RecallRecord record, SqliteTransaction tx)
    {
        using var read = Command("SELECT recall_history FROM facts WHERE id = $id AND status = 'active'", tx);
        read.Parameters.AddWithValue("$id", id);
        if (read.ExecuteScalar() is not string json) return false;
        var history = ParseHistory(json, id).Append(record).ToList();
        using var write = Command(
            "UPDATE facts SET last_recall = $at, recalled = $recalled, recall_history = $history WHERE id = $id", tx);
        write.Parameters.AddWithValue("$at", FormatTime(record.At));
        write.Parameters.AddWithValue("$recalled", record.Raw ? 1 : 0);
        write.Parameters.AddWithValue("$history", HistoryJson(history));
        write.Parameters.AddWithValue("$id", id);
        write.ExecuteNonQuery();
        return true;
    }

    void UpdateActive(long id, string sql, object value) => Write($"memory #{id}", () =>
    {
        using var update = Command(sql, null);
        update.Parameters.AddWithValue("$v", value);
        update.Parameters.AddWithValue("$id", id);
        if (update.ExecuteNonQuery() == 0) throw NotActive(id);
        return true;
    });

    /// <summary>
    /// One write under the store's lock. SQLite's own failures (a full disk, another process holding the
    /// database) become one line that says nothing was saved: the transaction was rolled back whole.
    /// </summary>
    T Write<T>(string what, Func<T> body)
    {
        lock (gate)
        {
            try { return body(); }
            catch (SqliteException e)
            {
                string path = System.IO.Path.Combine(Folder, DatabaseFileName);
                throw new SleepingLlmException(OneLine(e.SqliteErrorCode switch
                {
                    13 => $"the disk is full: {what} was not saved to {path}; nothing changed. Free some space and try again",
                    5 or 6 => $"the memory {path} is busy (another SleepingLlm is writing it): {what} was not saved; nothing changed. Try again",
                    8 => $"the memory {path} is read-only: {what} was not saved",
                    10 => $"the disk could not be written ({e.Message}): {what} was not saved to {path}; nothing changed",
                    _ => $"{what} was not saved to {path} ({e.Message}); nothing changed",
                }), e);
            }
        }
    }
}
