using System.Text;

namespace SleepingLlm.Inference;

/// <summary>
/// Turns token bytes into text without splitting a character: a token may end in the middle of a
/// UTF-8 sequence (byte-level BPE does this for emoji and CJK), so its bytes wait for the rest.
/// </summary>
public sealed class TokenText
{
    readonly Decoder decoder = Encoding.UTF8.GetDecoder();
    char[] chars = new char[64];

    /// <summary>The whole characters completed by these bytes (possibly none).</summary>
    public string Push(ReadOnlySpan<byte> bytes) => Decode(bytes, flush: false);

    /// <summary>What is left at the end: an unfinished character becomes U+FFFD instead of vanishing.</summary>
    public string Flush() => Decode([], flush: true);

    string Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        int needed = decoder.GetCharCount(bytes, flush);
        if (chars.Length < needed) chars = new char[needed];
        int n = decoder.GetChars(bytes, chars, flush);
        return new string(chars, 0, n);
    }
}
