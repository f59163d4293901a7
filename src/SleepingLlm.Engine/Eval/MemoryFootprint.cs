using Microsoft.Data.Sqlite;

namespace SleepingLlm.Eval;

/// <summary>What a memory takes on disk, as a user's backup would see it.</summary>
public static class MemoryFootprint
{
    /// <summary>
    /// Bytes of the database and its write-ahead log after a checkpoint. The checkpoint moves committed
    /// pages into the database first, so a WAL that has grown to hold pages twice is not counted twice;
    /// a reader holding the WAL would leave it as it is, and then it is counted, as it would take disk.
    /// </summary>
    public static long DatabaseBytes(string databasePath)
    {
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder
               { DataSource = databasePath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString()))
        {
            connection.Open();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            checkpoint.ExecuteNonQuery();
        }
        return Size(databasePath) + Size(databasePath + "-wal");
    }

    static long Size(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
}
