using Microsoft.Data.Sqlite;
using SleepingLlm.Memory;

namespace SleepingLlm.Eval;

/// <summary>
/// The memories a modes evaluation compares, each in a folder of its own under a work folder: the
/// written memory (MEMIT) cut down to its first n facts for the weights, and the same facts as text
/// alone for prompt and rag, which need no edit. Engine thread only.
/// </summary>
public static class ModesMemory
{
    /// <summary>
    /// Copies the memory of the model <paramref name="sha256"/> in <paramref name="directory"/> (as <c>chat --memory</c>
    /// names it) into <paramref name="target"/>, through SQLite's backup so that a WAL still open elsewhere is included.
    /// </summary>
    /// <exception cref="SleepingLlmException">there is no memory of this model there.</exception>
    public static void Copy(string directory, string sha256, string target)
    {
        string source = Path.Combine(directory, sha256[..16], MemoryStore.DatabaseFileName);
        if (!File.Exists(source))
            throw new SleepingLlmException($"{directory} holds no memory of this model (no {sha256[..16]}/{MemoryStore.DatabaseFileName})");
        string destination = Path.Combine(target, sha256[..16], MemoryStore.DatabaseFileName);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        using var from = Open(source, SqliteOpenMode.ReadOnly);
        using var to = Open(destination, SqliteOpenMode.ReadWriteCreate);
        from.BackupDatabase(to);
    }

    /// <summary>
    /// Checks that the memory's active facts begin with <paramref name="facts"/> (same subjects and objects, in
    /// order), so that its weights are those of these facts, then forgets every later one.
    /// </summary>
    public static void KeepFirst(MemoryStore store, IReadOnlyList<FactRecord> facts)
    {
        var active = store.ActiveFacts();
        if (active.Count < facts.Count)
            throw new SleepingLlmException($"the memory holds {active.Count} facts, fewer than the {facts.Count} to evaluate");
        for (int i = 0; i < facts.Count; i++)
            if (active[i].Subject != facts[i].Subject || active[i].Object != facts[i].Object)
                throw new SleepingLlmException($"the memory's fact {i + 1} is \"{active[i].Subject} → {active[i].Object}\", " +
                    $"the facts file's is \"{facts[i].Subject} → {facts[i].Object}\": the memory must hold the file's first facts in order");
        foreach (var later in active.Skip(facts.Count)) store.Forget(later.Id);
    }

    /// <summary>
    /// Whether the first <paramref name="count"/> facts share a subject with a later one: one subject's facts are
    /// solved together, so such a cut does not hold exactly the weights that writing <paramref name="count"/> facts gives.
    /// </summary>
    public static bool SplitsASubject(IReadOnlyList<FactRecord> facts, int count) =>
        facts.Take(count).Any(f => facts.Skip(count).Any(l => string.Equals(l.Subject, f.Subject, StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// Deletes the rows of forgotten and replaced facts from a scratch copy, so that a memory cut to its first facts
    /// takes on disk what one holding only them would (a user's memory keeps them, as its history).
    /// </summary>
    public static void DropRetired(string databasePath)
    {
        using var connection = Open(databasePath, SqliteOpenMode.ReadWrite);
        using var delete = connection.CreateCommand();
        delete.CommandText = "PRAGMA foreign_keys = ON; DELETE FROM facts WHERE status <> 'active'";
        delete.ExecuteNonQuery();
    }

    /// <summary>Stores the facts as text only (no factors or keys): all that prompt and rag serve.</summary>
    public static void AddText(MemoryStore store, IEnumerable<FactRecord> facts)
    {
        foreach (var f in facts)
            store.AddFact(new NewFact(f.Subject, f.Relation, f.Object, f.Prompt, f.Question, f.Paraphrases), [], []);
    }

    /// <summary>
    /// The database's size once compacted (VACUUM INTO a scratch file): what a memory holding just these facts
    /// takes, without the free pages forgetting leaves behind.
    /// </summary>
    public static long CompactedBytes(string databasePath)
    {
        string scratch = databasePath + ".compact";
        File.Delete(scratch);
        try
        {
            using (var connection = Open(databasePath, SqliteOpenMode.ReadOnly))
            using (var vacuum = connection.CreateCommand())
            {
                vacuum.CommandText = "VACUUM INTO $path";
                vacuum.Parameters.AddWithValue("$path", scratch);
                vacuum.ExecuteNonQuery();
            }
            return new FileInfo(scratch).Length;
        }
        finally
        {
            File.Delete(scratch);
        }
    }

    static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
