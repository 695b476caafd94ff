using System.Text;

namespace IoSys.Cli.Parsing;

/// <summary>One operation of a batch script: its 1-based line number, its text, and its words.</summary>
internal sealed record BatchLine(int Number, string Text, string[] Words);

/// <summary>
/// Reads a batch script: one operation a line, words separated by blanks, <c>'...'</c> and <c>"..."</c> quoting
/// (no escapes, no variables: nothing is expanded), <c>#</c> at the start of a word begins a comment, blank lines
/// skipped. Bounded: a line longer than <see cref="MaxLineLength"/> characters or more than
/// <see cref="MaxLines"/> lines is refused with the line number, so a device file or an endless pipe given as the
/// script cannot exhaust memory.
/// </summary>
internal static class BatchScript
{
    /// <summary>Longest line accepted, in characters.</summary>
    public const int MaxLineLength = 4096;

    /// <summary>Most lines (operations, comments and blanks) a script may have.</summary>
    public const int MaxLines = 1_000_000;

    /// <summary>Reads every operation of <paramref name="reader"/>; <paramref name="name"/> is the script's name for messages.</summary>
    public static List<BatchLine> Read(TextReader reader, string name)
    {
        var lines = new List<BatchLine>();
        var line = new StringBuilder();
        int number = 1;
        var buffer = new char[8192];
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (int i = 0; i < read; i++)
            {
                char c = buffer[i];
                if (c == '\n')
                {
                    Add(lines, number, line, name);
                    line.Clear();
                    if (++number > MaxLines)
                    {
                        throw new UsageException($"{name}: more than {MaxLines} lines; split the script");
                    }
                }
                else if (line.Length >= MaxLineLength)
                {
                    throw new UsageException($"{name}: line {number} is longer than {MaxLineLength} characters");
                }
                else
                {
                    line.Append(c);
                }
            }
        }

        Add(lines, number, line, name);
        return lines;
    }

    private static void Add(List<BatchLine> lines, int number, StringBuilder line, string name)
    {
        string text = line.ToString().TrimEnd('\r');
        string[] words = Split(text, number, name);
        if (words.Length > 0)
        {
            lines.Add(new BatchLine(number, text.Trim(), words));
        }
    }

    /// <summary>Splits one line into words; an unterminated quote is an error naming the line.</summary>
    public static string[] Split(string text, int number, string name)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is ' ' or '\t' or '\r' or '\f' or '\v')
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            if (c == '#' && !inWord)
            {
                break; // A comment, to the end of the line.
            }

            if (c is '\'' or '"')
            {
                int close = text.IndexOf(c, i + 1);
                if (close < 0)
                {
                    throw new UsageException($"{name}: line {number}: unterminated {c} quote");
                }

                word.Append(text, i + 1, close - i - 1);
                inWord = true;
                i = close;
                continue;
            }

            word.Append(c);
            inWord = true;
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return [.. words];
    }
}
