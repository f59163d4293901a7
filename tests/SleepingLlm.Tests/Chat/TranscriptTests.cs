using SleepingLlm.Chat;

namespace SleepingLlm.Tests.Chat;

public sealed class TranscriptTests
{
    /// <summary>A transcript of <paramref name="count"/> one-line notes: 2·count − 1 lines with the blanks between.</summary>
    static Transcript Notes(int count)
    {
        var transcript = new Transcript();
        for (int i = 0; i < count; i++) transcript.Add(Speaker.Note, $"note {i}");
        return transcript;
    }

    static string[] Texts(TranscriptWindow window) => window.Lines.Select(l => l.Text).ToArray();

    [Fact]
    public void The_view_follows_the_end()
    {
        var transcript = Notes(10);
        var window = transcript.View(40, 5);
        Assert.Equal(["· note 8", "", "· note 9"], Texts(window)[^3..]);
        Assert.Equal(14, window.Above);
        Assert.Equal(0, window.Below);
    }

    [Fact]
    public void PageUp_and_PageDown_scroll_by_a_page_keeping_one_line()
    {
        var transcript = Notes(10); // 19 lines
        transcript.View(40, 5);
        transcript.PageUp();
        var window = transcript.View(40, 5);
        Assert.Equal(10, window.Above); // 14 − (5 − 1)
        Assert.Equal(4, window.Below);
        transcript.PageUp();
        transcript.PageUp();
        transcript.PageUp();
        transcript.PageUp();
        Assert.Equal(0, transcript.View(40, 5).Above);
        transcript.PageDown();
        Assert.Equal(4, transcript.View(40, 5).Above);
        for (int i = 0; i < 4; i++) transcript.PageDown();
        Assert.False(transcript.IsScrolledBack);
        Assert.Equal(0, transcript.View(40, 5).Below);
    }

    [Fact]
    public void A_scrolled_back_view_stays_put_while_a_reply_streams()
    {
        var transcript = Notes(10);
        transcript.View(40, 5);
        transcript.PageUp();
        var before = Texts(transcript.View(40, 5));
        var reply = transcript.Add(Speaker.Assistant, "");
        for (int i = 0; i < 20; i++) reply.Append($"word{i} ");
        Assert.Equal(before, Texts(transcript.View(40, 5)));
        transcript.ScrollToEnd();
        Assert.Contains("word19", string.Join(' ', Texts(transcript.View(40, 5))));
    }

    [Fact]
    public void Lines_wrap_at_words_and_mark_who_spoke()
    {
        var transcript = new Transcript();
        transcript.Add(Speaker.User, "What is the capital of France?");
        var reply = transcript.Add(Speaker.Assistant, " The capital of France is Paris.");
        reply.Footer = "7 tokens";
        Assert.Equal(
        [
            new TranscriptLine(LineKind.User, "> What is the"),
            new TranscriptLine(LineKind.User, "  capital of"),
            new TranscriptLine(LineKind.User, "  France?"),
            new TranscriptLine(LineKind.Blank, ""),
            new TranscriptLine(LineKind.Assistant, "The capital of"),
            new TranscriptLine(LineKind.Assistant, "France is Paris."),
            new TranscriptLine(LineKind.Footer, "7 tokens"),
        ], transcript.Lines(16));
    }

    [Theory]
    [InlineData("a b c", 3, new[] { "a b", "c" })]
    [InlineData("abcdefgh", 3, new[] { "abc", "def", "gh" })]
    [InlineData("one\n\ntwo", 10, new[] { "one", "", "two" })]
    [InlineData("  indented code", 20, new[] { "  indented code" })]
    [InlineData("tab\there", 20, new[] { "tab    here" })]
    [InlineData("日本語テキスト", 6, new[] { "日本語", "テキス", "ト" })]
    public void Wrap_counts_terminal_cells(string text, int width, string[] expected)
    {
        Assert.Equal(expected, TextWrap.Wrap(text, width));
    }
}
