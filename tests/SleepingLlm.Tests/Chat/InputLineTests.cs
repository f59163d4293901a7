using SleepingLlm.Chat;

namespace SleepingLlm.Tests.Chat;

public sealed class InputLineTests
{
    static ConsoleKeyInfo Key(ConsoleKey key, char c = '\0', bool shift = false, bool alt = false, bool control = false) =>
        new(c, key, shift, alt, control);

    static InputLine Typed(string text)
    {
        var input = new InputLine();
        foreach (char c in text) Assert.True(input.Handle(Key(ConsoleKey.None, c)));
        return input;
    }

    [Fact]
    public void Typing_inserts_at_the_cursor()
    {
        var input = Typed("helo");
        input.Handle(Key(ConsoleKey.LeftArrow));
        input.Handle(Key(ConsoleKey.None, 'l'));
        Assert.Equal("hello", input.Text);
        Assert.Equal(4, input.Cursor);
    }

    [Fact]
    public void Backspace_delete_and_line_ends_edit_like_readline()
    {
        var input = Typed("hello world");
        input.Handle(Key(ConsoleKey.Backspace));
        Assert.Equal("hello worl", input.Text);
        input.Handle(Key(ConsoleKey.A, '\x01', control: true));
        Assert.Equal(0, input.Cursor);
        input.Handle(Key(ConsoleKey.Delete));
        Assert.Equal("ello worl", input.Text);
        input.Handle(Key(ConsoleKey.End));
        input.Handle(Key(ConsoleKey.W, '\x17', control: true));
        Assert.Equal("ello ", input.Text);
        input.Handle(Key(ConsoleKey.U, '\x15', control: true));
        Assert.Equal("", input.Text);
    }

    [Fact]
    public void Ctrl_K_deletes_to_the_end_of_the_line_only()
    {
        var input = Typed("one two");
        input.NewLine();
        input.Insert("three");
        input.Up();
        input.Handle(Key(ConsoleKey.Home));
        input.Handle(Key(ConsoleKey.RightArrow));
        input.Handle(Key(ConsoleKey.RightArrow));
        input.Handle(Key(ConsoleKey.RightArrow));
        input.Handle(Key(ConsoleKey.K, '\x0b', control: true));
        Assert.Equal("one\nthree", input.Text);
    }

    [Theory]
    [InlineData(false, true, false)] // Alt+Enter
    [InlineData(true, false, false)] // Shift+Enter, where the terminal tells it apart
    [InlineData(false, false, true)] // Ctrl+J, which terminals report as Ctrl+Enter
    public void Enter_with_a_modifier_breaks_the_line(bool shift, bool alt, bool control)
    {
        var input = Typed("first");
        Assert.True(input.Handle(Key(ConsoleKey.Enter, '\r', shift, alt, control)));
        input.Insert("second");
        Assert.Equal("first\nsecond", input.Text);
        Assert.Equal((1, 6), input.CursorPosition);
    }

    [Fact]
    public void Plain_Enter_is_left_to_the_app_to_send()
    {
        Assert.False(Typed("hi").Handle(Key(ConsoleKey.Enter, '\r')));
    }

    [Fact]
    public void A_trailing_backslash_turns_Enter_into_a_line_break()
    {
        var input = Typed(@"first\");
        Assert.True(input.ContinueLine());
        Assert.Equal("first\n", input.Text);
        Assert.False(input.ContinueLine());
    }

    [Fact]
    public void Up_and_Down_move_between_lines_keeping_the_column()
    {
        var input = Typed("abcdef");
        input.NewLine();
        input.Insert("xy");
        input.Up();
        Assert.Equal((0, 2), input.CursorPosition);
        input.Handle(Key(ConsoleKey.End));
        input.Down();
        Assert.Equal((1, 2), input.CursorPosition); // clamped to the shorter line
    }

    [Fact]
    public void History_walks_back_and_forward_and_keeps_the_draft()
    {
        var input = new InputLine();
        input.Insert("first");
        Assert.Equal("first", input.Submit());
        input.Insert("second");
        input.Submit();
        input.Insert("second"); // the same twice in a row is kept once
        input.Submit();
        input.Insert("draft");

        input.Up();
        Assert.Equal("second", input.Text);
        input.Up();
        Assert.Equal("first", input.Text);
        input.Up();
        Assert.Equal("first", input.Text);
        input.Down();
        input.Down();
        Assert.Equal("draft", input.Text);
        Assert.Equal(["first", "second"], input.History);
    }

    [Fact]
    public void Up_in_a_recalled_multi_line_entry_moves_up_before_going_further_back()
    {
        var input = new InputLine();
        input.Insert("older");
        input.Submit();
        input.Insert("one\ntwo");
        input.Submit();

        input.Up();
        Assert.Equal("one\ntwo", input.Text);
        input.Up();
        Assert.Equal("one\ntwo", input.Text);
        Assert.Equal(0, input.CursorPosition.Line);
        input.Up();
        Assert.Equal("older", input.Text);
    }

    [Fact]
    public void Submit_empties_the_line_and_blank_lines_stay_out_of_the_history()
    {
        var input = Typed("   ");
        input.Submit();
        Assert.True(input.IsEmpty);
        Assert.Empty(input.History);
    }

    [Fact]
    public void Control_and_Alt_keys_are_not_typed()
    {
        var input = new InputLine();
        Assert.False(input.Handle(Key(ConsoleKey.S, '\x13', control: true)));
        Assert.False(input.Handle(Key(ConsoleKey.X, 'x', alt: true)));
        Assert.True(input.IsEmpty);
    }
}
