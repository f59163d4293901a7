using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SleepingLlm.Conversation;

/// <summary>A turn as the transcript file holds it, with the facts recorded for it.</summary>
public sealed record TranscriptTurn(int Index, string Role, string Text, DateTimeOffset Time, IReadOnlyList<TurnFact> Facts);

/// <summary>A transcript read back: its turns in order and the summaries made of them.</summary>
public sealed record SavedTranscript(string? Model, IReadOnlyList<TranscriptTurn> Turns, IReadOnlyList<HistorySummary> Summaries);

/// <summary>
/// A chat session's transcript: <c>transcripts/&lt;start time&gt;-&lt;id&gt;.jsonl</c>, one JSON object a
/// line, appended and flushed to disk line by line, so a crash loses at most the line being written
/// (and <see cref="Read"/> skips such a torn line). Lines: <c>session</c> (the model), <c>turn</c>
/// (index, role, the original text, time, facts), <c>summary</c> (the turns it covers), <c>facts</c>
/// (facts extracted from a turn after it was written) and <c>reset</c>. The file is created with the
/// first line, so a chat that says nothing leaves none. Engine thread only.
/// </summary>
public sealed class TranscriptLog(string directory, string model) : IDisposable
{
    public const string FolderName = "transcripts";

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    Stream? file;
    bool torn;

    /// <summary>Opens the file for the first line; tests substitute a stream that fails part-way through a write.</summary>
    internal Func<string, Stream> Open { get; init; } = path => new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);

    /// <summary>The file this session writes (it exists once something was said).</summary>
    public string Path { get; } = System.IO.Path.Combine(directory,
        $"{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..4])}.jsonl");

    public void Turn(ConversationTurn turn) =>
        Append(new Line("turn", Turn: turn.Index, Role: turn.Role, Text: turn.Text, Time: turn.Time, Facts: turn.Facts));

    public void Summary(HistorySummary summary) =>
        Append(new Line("summary", FirstTurn: summary.FirstTurn, LastTurn: summary.LastTurn, Text: summary.Text, Time: summary.Time));

    public void Facts(int turnIndex, IReadOnlyList<TurnFact> facts) =>
        Append(new Line("facts", Turn: turnIndex, Facts: facts, Time: DateTimeOffset.UtcNow));

    public void Reset() => Append(new Line("reset", Time: DateTimeOffset.UtcNow));

    void Append(Line line)
    {
        if (file is null)
        {
            Directory.CreateDirectory(directory);
            file = Open(Path);
            Write(new Line("session", Model: model, Time: DateTimeOffset.UtcNow));
        }
        Write(line);
    }

    void Write(Line line)
    {
        // After a write that failed part-way (a full disk), the torn line is ended first, so the next
        // line starts on a line of its own and is read back whole.
        byte[] bytes = Encoding.UTF8.GetBytes((torn ? "\n" : "") + JsonSerializer.Serialize(line, Json) + "\n");
        torn = true;
        file!.Write(bytes);
        if (file is FileStream disk) disk.Flush(flushToDisk: true);
        else file.Flush();
        torn = false;
    }

    /// <summary>Reads a transcript back; a line that does not parse (torn by a crash) is skipped.</summary>
    public static SavedTranscript Read(string path)
    {
        string? model = null;
        var turns = new List<TranscriptTurn>();
        var summaries = new List<HistorySummary>();
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite), Encoding.UTF8);
        while (reader.ReadLine() is { } text)
        {
            Line? line;
            try { line = JsonSerializer.Deserialize<Line>(text, Json); }
            catch (JsonException) { continue; }
            var time = line?.Time ?? DateTimeOffset.MinValue;
            switch (line)
            {
                case { Type: "session" }: model = line.Model; break;
                case { Type: "turn", Turn: int index, Role: { } role, Text: { } said }:
                    turns.Add(new TranscriptTurn(index, role, said, time, line.Facts ?? []));
                    break;
                case { Type: "summary", FirstTurn: int first, LastTurn: int last, Text: { } summary }:
                    summaries.Add(new HistorySummary(first, last, summary, time));
                    break;
                case { Type: "facts", Turn: int index, Facts: { } facts }:
                    int at = turns.FindLastIndex(t => t.Index == index);
                    if (at >= 0) turns[at] = turns[at] with { Facts = facts };
                    break;
            }
        }
        return new SavedTranscript(model, turns, summaries);
    }

    public void Dispose() => file?.Dispose();

    sealed record Line(string Type, int? Turn = null, string? Role = null, string? Text = null, DateTimeOffset? Time = null,
        IReadOnlyList<TurnFact>? Facts = null, int? FirstTurn = null, int? LastTurn = null, string? Model = null);
}
