using System.Text;

namespace SleepingLlm.Memory;

/// <summary>
/// Full-text search over the active facts (SQLite FTS5, ranked by bm25), for the <c>rag</c> and
/// <c>hybrid</c> memory modes. The index is a table of its own kept in step with <c>facts</c> by
/// triggers, so forget and replace take a fact out of search in the same transaction and the index
/// survives restarts. It is made on first use (from the facts then active) rather than in the schema,
/// so a store without it is as valid as one with it and no schema version changes.
/// </summary>
public sealed partial class MemoryStore
{
    const string SearchTable = "facts_search";

    static readonly string[] SearchTriggers = ["facts_search_insert", "facts_search_update", "facts_search_delete"];

    // Subject, relation and the fact as a statement; not the question or paraphrases, which would hand
    // retrieval the very wording an evaluation asks with.
    const string SearchSchema = """
        CREATE VIRTUAL TABLE IF NOT EXISTS facts_search USING fts5(subject, relation, statement,
            tokenize = 'porter unicode61 remove_diacritics 2');
        CREATE TRIGGER IF NOT EXISTS facts_search_insert AFTER INSERT ON facts WHEN new.status = 'active' BEGIN
            INSERT INTO facts_search(rowid, subject, relation, statement) VALUES (new.id, new.subject, new.relation, new.prompt || ' ' || new.object);
        END;
        CREATE TRIGGER IF NOT EXISTS facts_search_update AFTER UPDATE OF subject, relation, object, prompt, status ON facts BEGIN
            DELETE FROM facts_search WHERE rowid = old.id;
            INSERT INTO facts_search(rowid, subject, relation, statement)
                SELECT new.id, new.subject, new.relation, new.prompt || ' ' || new.object WHERE new.status = 'active';
        END;
        CREATE TRIGGER IF NOT EXISTS facts_search_delete AFTER DELETE ON facts BEGIN
            DELETE FROM facts_search WHERE rowid = old.id;
        END;
        """;

    bool searchReady;

    /// <summary>
    /// The active facts that best match <paramref name="text"/>, best first, at most <paramref name="limit"/>:
    /// FTS5 bm25 over any of its words (the subject's name weighs most). Empty when no word matches.
    /// </summary>
    /// <param name="maxStage">Only facts at this consolidation stage or below (0: not yet consolidated by sleep).</param>
    public IReadOnlyList<StoredFact> Search(string text, int limit, int maxStage = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        string query = MatchQuery(text);
        if (query.Length == 0 || limit == 0) return [];
        lock (gate)
        {
            EnsureSearchIndex();
            return ReadFacts($"""
                WITH ranked AS (SELECT rowid AS fact_id, bm25(facts_search, 4.0, 1.0, 1.0) AS score FROM facts_search WHERE facts_search MATCH $query)
                SELECT {FactColumns} FROM facts JOIN ranked ON ranked.fact_id = facts.id
                WHERE status = 'active' AND stage <= $stage
                ORDER BY ranked.score, facts.id LIMIT $limit
                """, ("$query", query), ("$stage", maxStage), ("$limit", limit));
        }
    }

    /// <summary>Makes the search index now (a search makes it anyway); for measuring what it takes on disk.</summary>
    public void BuildSearchIndex()
    {
        lock (gate) EnsureSearchIndex();
    }

    /// <summary>Drops the search index and its triggers; the next search builds it again from the facts.</summary>
    public void DropSearchIndex()
    {
        lock (gate)
        {
            using var tx = connection.BeginTransaction();
            foreach (string trigger in SearchTriggers) Execute($"DROP TRIGGER IF EXISTS {trigger}", tx);
            Execute($"DROP TABLE IF EXISTS {SearchTable}", tx);
            tx.Commit();
            searchReady = false;
        }
    }

    /// <summary>
    /// Creates the index if it or one of its triggers is missing (also after a migration that rebuilt
    /// <c>facts</c> and so dropped the triggers), filling it from the active facts in the same transaction.
    /// </summary>
    void EnsureSearchIndex()
    {
        if (searchReady) return;
        using var tx = connection.BeginTransaction();
        var present = Strings($"SELECT name FROM sqlite_master WHERE name IN ('{SearchTable}', '{string.Join("', '", SearchTriggers)}')", tx);
        if (present.Count < SearchTriggers.Length + 1)
        {
            Execute(SearchSchema, tx);
            Execute($"""
                DELETE FROM {SearchTable};
                INSERT INTO {SearchTable}(rowid, subject, relation, statement)
                    SELECT id, subject, relation, prompt || ' ' || object FROM facts WHERE status = 'active';
                """, tx);
        }
        tx.Commit();
        searchReady = true;
    }

    /// <summary>
    /// Words that say nothing about which fact is meant. bm25 gives them little weight, but any match
    /// would still fill the top k, and a question about someone the memory does not know should bring
    /// no facts into the context.
    /// </summary>
    static readonly HashSet<string> StopWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "with", "by", "from", "as", "about",
        "is", "are", "was", "were", "be", "been", "do", "does", "did", "has", "have", "had", "can", "could", "would", "will",
        "what", "which", "who", "whom", "whose", "where", "when", "why", "how", "that", "this", "these", "those",
        "i", "you", "he", "she", "it", "we", "they", "me", "my", "your", "his", "her", "its", "our", "their", "s",
        "tell", "know", "please", "most", "any", "some",
    };

    /// <summary>
    /// Any of the message's words but stop words, each quoted, so that no user text is read as FTS5
    /// syntax (a stray quote, AND, NEAR, a column filter).
    /// </summary>
    internal static string MatchQuery(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (char c in text + " ")
        {
            if (char.IsLetterOrDigit(c)) { word.Append(c); continue; }
            if (word.Length > 0 && !StopWords.Contains(word.ToString()) && !words.Contains(word.ToString(), StringComparer.OrdinalIgnoreCase))
                words.Add(word.ToString());
            word.Clear();
        }
        return string.Join(" OR ", words.Select(w => $"\"{w}\""));
    }
}
