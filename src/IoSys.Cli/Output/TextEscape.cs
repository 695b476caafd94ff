using System.Globalization;
using System.Text;

namespace IoSys.Cli.Output;

/// <summary>
/// Escapes text that echoes user input or names from the system (paths, targets, device names) before it is
/// printed, so that a hostile name cannot move the cursor, clear the screen, retitle the terminal or hide text.
/// </summary>
internal static class TextEscape
{
    /// <summary>
    /// <paramref name="text"/> with control characters (C0, DEL, C1), bidirectional overrides and lone surrogates
    /// written as <c>\n</c>, <c>\t</c>, <c>\xNN</c> or <c>\u{NNNN}</c>; a backslash is left as it is.
    /// </summary>
    public static string Escape(string? text)
    {
        if (text is null)
        {
            return "";
        }

        int first = 0;
        while (first < text.Length && !NeedsEscape(text, first))
        {
            first++;
        }

        if (first == text.Length)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
                continue;
            }

            if (!NeedsEscape(text, i))
            {
                builder.Append(c);
                continue;
            }

            _ = c switch
            {
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                < '\u0100' => builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)),
                _ => builder.Append("\\u{").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)).Append('}'),
            };
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(string text, int i)
    {
        char c = text[i];
        return c < ' ' || c is >= '\u007f' and <= '\u009f'
            || c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' or '\u200e' or '\u200f' or '\u061c'
            || (char.IsHighSurrogate(c) && (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])))
            || (char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(text[i - 1])));
    }
}
