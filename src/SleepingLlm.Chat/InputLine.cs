namespace SleepingLlm.Chat;

/// <summary>
/// The text being typed, readline-style: a cursor, editing keys, several lines, and the history of
/// what was sent (Up/Down walk it when the cursor is on the first or last line).
/// </summary>
sealed class InputLine
{
    readonly List<string> history = [];
    int historyIndex; // history.Count while editing the draft
    string draft = "";

    public string Text { get; private set; } = "";

    /// <summary>Index into <see cref="Text"/>; Text.Length is after the last character.</summary>
    public int Cursor { get; private set; }

    public bool IsEmpty => Text.Length == 0;
    public IReadOnlyList<string> History => history;

    /// <summary>The cursor as (line, column) in the logical lines of <see cref="Text"/>.</summary>
    public (int Line, int Column) CursorPosition
    {
        get
        {
            int line = 0, lineStart = 0;
            for (int i = 0; i < Cursor; i++)
                if (Text[i] == '\n') { line++; lineStart = i + 1; }
            return (line, Cursor - lineStart);
        }
    }

    /// <summary>Applies an editing key; false when the key is not one (the app handles it).</summary>
    public bool Handle(ConsoleKeyInfo key)
    {
        bool control = key.Modifiers.HasFlag(ConsoleModifiers.Control);
        bool alt = key.Modifiers.HasFlag(ConsoleModifiers.Alt);
        switch (key.Key)
        {
            // Enter alone sends (the app's job); with a modifier it breaks the line. Terminals report
            // Ctrl+J as Ctrl+Enter, and Shift+Enter only where they can tell it apart.
            case ConsoleKey.Enter when key.Modifiers != 0: NewLine(); return true;
            case ConsoleKey.Backspace when control || alt: DeleteWordBefore(); return true;
            case ConsoleKey.Backspace: Backspace(); return true;
            case ConsoleKey.Delete: Delete(); return true;
            case ConsoleKey.LeftArrow: Left(); return true;
            case ConsoleKey.RightArrow: Right(); return true;
            case ConsoleKey.Home: Home(); return true;
            case ConsoleKey.End: End(); return true;
            case ConsoleKey.UpArrow: Up(); return true;
            case ConsoleKey.DownArrow: Down(); return true;
        }
        if (control && !alt)
        {
            switch (key.Key)
            {
                case ConsoleKey.A: Home(); return true;
                case ConsoleKey.E: End(); return true;
                case ConsoleKey.B: Left(); return true;
                case ConsoleKey.F: Right(); return true;
                case ConsoleKey.U: DeleteToLineStart(); return true;
                case ConsoleKey.K: DeleteToLineEnd(); return true;
                case ConsoleKey.W: DeleteWordBefore(); return true;
            }
            return false;
        }
        if (key.KeyChar >= ' ' && key.KeyChar != '\x7f' && !(alt && !control))
        {
            Insert(key.KeyChar.ToString());
            return true;
        }
        return false;
    }

    public void Insert(string text)
    {
        Text = Text.Insert(Cursor, text);
        Cursor += text.Length;
    }

    public void NewLine() => Insert("\n");

    /// <summary>
    /// llama.cpp's way to type several lines: a backslash at the end of the text turns Enter into a
    /// line break. True when it did.
    /// </summary>
    public bool ContinueLine()
    {
        if (Cursor != Text.Length || !Text.EndsWith('\\')) return false;
        Text = Text[..^1] + "\n";
        return true;
    }

    public void Backspace()
    {
        if (Cursor == 0) return;
        Text = Text.Remove(Cursor - 1, 1);
        Cursor--;
    }

    public void Delete()
    {
        if (Cursor < Text.Length) Text = Text.Remove(Cursor, 1);
    }

    public void Left() => Cursor = Math.Max(0, Cursor - 1);
    public void Right() => Cursor = Math.Min(Text.Length, Cursor + 1);
    public void Home() => Cursor = LineStart(Cursor);
    public void End() => Cursor = LineEnd(Cursor);

    public void DeleteToLineStart()
    {
        int start = LineStart(Cursor);
        Text = Text.Remove(start, Cursor - start);
        Cursor = start;
    }

    public void DeleteToLineEnd() => Text = Text.Remove(Cursor, LineEnd(Cursor) - Cursor);

    /// <summary>Ctrl+W: the word before the cursor and the spaces after it.</summary>
    public void DeleteWordBefore()
    {
        int start = Cursor;
        while (start > 0 && Text[start - 1] == ' ') start--;
        while (start > 0 && Text[start - 1] is not (' ' or '\n')) start--;
        Text = Text.Remove(start, Cursor - start);
        Cursor = start;
    }

    /// <summary>Up a line inside a multi-line entry, else back through the history.</summary>
    public void Up()
    {
        int start = LineStart(Cursor);
        if (start == 0) { HistoryBack(); return; }
        int column = Cursor - start;
        int previousStart = LineStart(start - 1);
        Cursor = Math.Min(previousStart + column, start - 1);
    }

    /// <summary>Down a line inside a multi-line entry, else forward through the history.</summary>
    public void Down()
    {
        int end = LineEnd(Cursor);
        if (end == Text.Length) { HistoryForward(); return; }
        int column = Cursor - LineStart(Cursor);
        Cursor = Math.Min(end + 1 + column, LineEnd(end + 1));
    }

    /// <summary>Takes the text to send: it joins the history (not twice in a row) and the line empties.</summary>
    public string Submit()
    {
        string text = Text;
        if (!string.IsNullOrWhiteSpace(text) && (history.Count == 0 || history[^1] != text)) history.Add(text);
        historyIndex = history.Count;
        draft = "";
        Set("");
        return text;
    }

    public void Clear()
    {
        historyIndex = history.Count;
        Set("");
    }

    void HistoryBack()
    {
        if (historyIndex == 0) return;
        if (historyIndex == history.Count) draft = Text;
        Set(history[--historyIndex]);
    }

    void HistoryForward()
    {
        if (historyIndex == history.Count) return;
        historyIndex++;
        Set(historyIndex == history.Count ? draft : history[historyIndex]);
    }

    void Set(string text)
    {
        Text = text;
        Cursor = text.Length;
    }

    int LineStart(int index) => index == 0 ? 0 : Text.LastIndexOf('\n', index - 1) + 1;

    int LineEnd(int index)
    {
        int end = Text.IndexOf('\n', index);
        return end < 0 ? Text.Length : end;
    }
}
