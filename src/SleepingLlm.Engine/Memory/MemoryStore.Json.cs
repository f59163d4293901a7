using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SleepingLlm.Memory;

/// <summary>The JSON columns of the facts table: paraphrases and recall history.</summary>
public sealed partial class MemoryStore
{
    static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static string StringsJson(IReadOnlyList<string> items) => Json(w =>
    {
        w.WriteStartArray();
        foreach (var item in items) w.WriteStringValue(item);
        w.WriteEndArray();
    });

    static string HistoryJson(IReadOnlyList<RecallRecord> history) => Json(w =>
    {
        w.WriteStartArray();
        foreach (var record in history)
        {
            w.WriteStartObject();
            w.WriteString("at", FormatTime(record.At));
            w.WriteBoolean("raw", record.Raw);
            if (record.Chat is bool chat) w.WriteBoolean("chat", chat);
            else w.WriteNull("chat");
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions)) write(writer);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    static List<string> ParseStrings(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(e => e.GetString() ?? throw new FormatException("a null paraphrase"))];
    }

    static List<RecallRecord> ParseHistory(string json, long id)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return [.. document.RootElement.EnumerateArray().Select(e => new RecallRecord(
                ParseTime(e.GetProperty("at").GetString() ?? throw new FormatException("a recall without time")),
                e.GetProperty("raw").GetBoolean(),
                e.TryGetProperty("chat", out var chat) && chat.ValueKind != JsonValueKind.Null ? chat.GetBoolean() : null))];
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw new SleepingLlmException(OneLine($"memory #{id}: malformed recall history: {e.Message}"), e);
        }
    }
}
