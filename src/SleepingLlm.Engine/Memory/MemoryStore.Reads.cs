namespace SleepingLlm.Memory;

/// <summary>Reads of active facts, their factors and keys.</summary>
public sealed partial class MemoryStore
{
    /// <summary>The active facts, oldest first.</summary>
    public IReadOnlyList<StoredFact> ActiveFacts()
    {
        lock (gate) return ReadFacts($"SELECT {FactColumns} FROM facts WHERE status = 'active' ORDER BY id");
    }

    /// <summary>
    /// The active facts in the weights, oldest first: their subject's edit carries them (a subject's facts share the
    /// newest one's columns), or a sleep consolidated them. Text-only facts are served by the prompt.
    /// </summary>
    public IReadOnlyList<StoredFact> FactsInWeights()
    {
        lock (gate)
        {
            var all = ReadFacts($"SELECT {FactColumns} FROM facts WHERE status = 'active' ORDER BY id");
            var edited = new HashSet<long>();
            using (var command = Command("SELECT DISTINCT fact_id FROM factors", null))
            using (var reader = command.ExecuteReader())
                while (reader.Read()) edited.Add(reader.GetInt64(0));
            var subjects = all.Where(f => edited.Contains(f.Id)).Select(f => f.Subject).ToHashSet(StringComparer.OrdinalIgnoreCase);
            return [.. all.Where(f => subjects.Contains(f.Subject) || f.Stage > 0)];
        }
    }

    /// <summary>A fact of any status, or null.</summary>
    public StoredFact? Get(long id)
    {
        lock (gate) return ReadFacts($"SELECT {FactColumns} FROM facts WHERE id = $id", ("$id", id)).SingleOrDefault();
    }

    /// <summary>
    /// The active facts about <paramref name="subject"/> and <paramref name="relation"/>, compared without case
    /// (Unicode, surrounding spaces ignored), oldest first.
    /// </summary>
    public IReadOnlyList<StoredFact> Find(string subject, string relation)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(relation);
        // SQLite's NOCASE folds ASCII only; the active facts are few, so compare here.
        return [.. ActiveFacts().Where(f => Same(f.Subject, subject) && Same(f.Relation, relation))];

        static bool Same(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A fact's factors, by layer and column (empty once it is forgotten or replaced).</summary>
    public IReadOnlyList<LayerFactor> Factors(long factId)
    {
        lock (gate)
        {
            using var command = Command("SELECT layer, a, b FROM factors WHERE fact_id = $id ORDER BY layer, col", null);
            command.Parameters.AddWithValue("$id", factId);
            using var reader = command.ExecuteReader();
            var result = new List<LayerFactor>();
            while (reader.Read())
                result.Add(new LayerFactor(reader.GetInt32(0), FromBlob(reader, 1), FromBlob(reader, 2)));
            return result;
        }
    }

    /// <summary>A fact's constraint keys, by layer (empty once it is forgotten or replaced).</summary>
    public IReadOnlyList<LayerKey> Keys(long factId)
    {
        lock (gate)
        {
            using var command = Command("SELECT layer, k, rowid FROM keys WHERE fact_id = $id ORDER BY layer, rowid", null);
            command.Parameters.AddWithValue("$id", factId);
            using var reader = command.ExecuteReader();
            var result = new List<LayerKey>();
            while (reader.Read()) result.Add(new LayerKey(reader.GetInt32(0), FromBlob(reader, 1), reader.GetInt64(2)));
            return result;
        }
    }

    /// <summary>Every active fact's factors with its scale, grouped by layer (ascending), facts in id order.</summary>
    public IReadOnlyList<LayerFactors> AllActiveFactors()
    {
        lock (gate)
        {
            using var command = Command("""
                SELECT f.layer, f.fact_id, facts.scale, f.a, f.b, f.col
                FROM factors f JOIN facts ON facts.id = f.fact_id
                WHERE facts.status = 'active'
                ORDER BY f.layer, f.fact_id, f.col
                """, null);
            using var reader = command.ExecuteReader();
            var result = new List<LayerFactors>();
            List<FactFactor>? current = null;
            while (reader.Read())
            {
                int layer = reader.GetInt32(0);
                if (current is null || result[^1].Layer != layer)
                {
                    current = [];
                    result.Add(new LayerFactors(layer, current));
                }
                current.Add(new FactFactor(reader.GetInt64(1), (float)reader.GetDouble(2), FromBlob(reader, 3), FromBlob(reader, 4), reader.GetInt32(5)));
            }
            return result;
        }
    }

    /// <summary>The constraint keys of all active facts at <paramref name="layer"/>, in fact-id order.</summary>
    public IReadOnlyList<float[]> ConstraintKeys(int layer)
    {
        lock (gate)
        {
            using var command = Command("""
                SELECT k.k FROM keys k JOIN facts ON facts.id = k.fact_id
                WHERE k.layer = $layer AND facts.status = 'active'
                ORDER BY k.fact_id, k.rowid
                """, null);
            command.Parameters.AddWithValue("$layer", layer);
            using var reader = command.ExecuteReader();
            var result = new List<float[]>();
            while (reader.Read()) result.Add(FromBlob(reader, 0));
            return result;
        }
    }

    /// <summary>For tests: the value of a read-only PRAGMA on this store's connection (e.g. "synchronous").</summary>
    internal object? Pragma(string name)
    {
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterLower(c) || c == '_'))
            throw new ArgumentException($"not a pragma name: '{name}'", nameof(name));
        lock (gate) return Scalar($"PRAGMA {name}", null);
    }

    public void Dispose()
    {
        lock (gate) connection.Dispose();
    }
}
