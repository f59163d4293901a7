using System.Text;
using SleepingLlm.Inference;

namespace SleepingLlm.Tests.Inference;

public sealed class TokenTextTests
{
    [Theory]
    [InlineData("plain ascii")]
    [InlineData("café crème")]
    [InlineData("北京是中国的首都")]
    [InlineData("emoji 🙂👍🏽 and more")]
    public void Text_split_into_single_bytes_comes_out_whole(string text)
    {
        var stream = new TokenText();
        var output = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            string piece = stream.Push([b]);
            Assert.DoesNotContain('\uFFFD', piece);
            Assert.False(piece.Length > 0 && char.IsHighSurrogate(piece[^1]), "a surrogate pair was split");
            output.Append(piece);
        }
        output.Append(stream.Flush());
        Assert.Equal(text, output.ToString());
    }

    [Fact]
    public void A_character_is_held_back_until_its_last_byte_arrives()
    {
        var stream = new TokenText();
        byte[] euro = Encoding.UTF8.GetBytes("€"); // three bytes
        Assert.Equal("", stream.Push(euro.AsSpan(0, 2)));
        Assert.Equal("€", stream.Push(euro.AsSpan(2)));
    }

    [Fact]
    public void An_unfinished_character_at_the_end_becomes_a_replacement_character()
    {
        var stream = new TokenText();
        Assert.Equal("a", stream.Push([(byte)'a', 0xE2, 0x82]));
        Assert.Equal("\uFFFD", stream.Flush());
    }
}
