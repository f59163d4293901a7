using System.Text;

namespace SleepingLlm.Gguf;

/// <summary>
/// A file that is not GGUF or is malformed: names the field that is wrong and the byte offset where
/// it was read, so a user (or a bug report) can tell a truncated download from a bad writer.
/// </summary>
public sealed class GgufFormatException : SleepingLlmException
{
    /// <summary>Which field is wrong, e.g. "header.magic", "tensor[12].name", "kv[3] 'general.name' value".</summary>
    public string Field { get; }

    /// <summary>Byte offset in the file where the field starts; -1 for a required key that is missing.</summary>
    public long Offset { get; }

    private GgufFormatException(string message, string field, long offset) : base(message)
    {
        Field = field;
        Offset = offset;
    }

    internal static GgufFormatException Invalid(string source, string field, long offset, string problem) =>
        new(OneLine($"not a valid GGUF file '{source}': {field} at offset {offset}: {problem}"), field, offset);

    internal static GgufFormatException MissingKey(string source, string key) =>
        new(OneLine($"not a valid GGUF file '{source}': required key {Quote(key)} is missing"), $"kv {Quote(key)}", -1);

    /// <summary>The file does not start with "GGUF": some other file, not a damaged GGUF.</summary>
    internal static GgufFormatException NotGguf(string source, string problem) =>
        new(OneLine($"not a GGUF file '{source}': {problem}"), "header.magic", 0);

    /// <summary>
    /// Quotes text taken from the file (keys, names) for a message: control characters escaped and
    /// long text cut, because a corrupt file can hold megabytes of anything in a key.
    /// </summary>
    internal static string Quote(string text)
    {
        const int MaxChars = 80;
        var sb = new StringBuilder("'");
        foreach (var c in text.Length > MaxChars ? text[..MaxChars] : text)
        {
            if (char.IsControl(c) || char.IsSurrogate(c)) sb.Append($"\\u{(int)c:x4}");
            else sb.Append(c);
        }
        if (text.Length > MaxChars) sb.Append("...");
        return sb.Append('\'').ToString();
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
