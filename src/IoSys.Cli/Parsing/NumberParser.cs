using System.Globalization;

namespace IoSys.Cli.Parsing;

/// <summary>
/// Parses the numbers users type: hex (<c>0x</c>), binary (<c>0b</c>) or decimal, with optional <c>_</c>
/// separators, and for offsets and lengths a <c>K</c>/<c>M</c>/<c>G</c> suffix (powers of 1024).
/// Every failure is a <see cref="UsageException"/> naming what was being parsed and the text.
/// </summary>
internal static class NumberParser
{
    /// <summary>Parses an unsigned value of at most 64 bits (no size suffix).</summary>
    public static ulong ParseValue(string text, string what) => Parse(text, what, allowSuffix: false);

    /// <summary>Parses a value and checks it fits <paramref name="widthBits"/> bits.</summary>
    public static ulong ParseValue(string text, string what, int widthBits)
    {
        ulong value = Parse(text, what, allowSuffix: false);
        if (widthBits < 64 && value >> widthBits != 0)
        {
            throw new UsageException(
                $"{what} {text} does not fit in {widthBits} bits (the largest {widthBits}-bit value is 0x{(1UL << widthBits) - 1:x}); use a wider --width");
        }

        return value;
    }

    /// <summary>Parses an offset (suffixes allowed): a non-negative <see cref="long"/>.</summary>
    public static long ParseOffset(string text, string what = "offset") => ToLong(Parse(text, what, allowSuffix: true), text, what);

    /// <summary>Parses a length (suffixes allowed): a non-negative <see cref="long"/>.</summary>
    public static long ParseLength(string text, string what = "length") => ToLong(Parse(text, what, allowSuffix: true), text, what);

    /// <summary>Parses an access width in bits: 8, 16, 32 or 64. Returns the width in bytes.</summary>
    public static int ParseWidthBits(string text)
    {
        string t = text.Trim();
        if (t.EndsWith("bit", StringComparison.OrdinalIgnoreCase))
        {
            t = t[..^3];
        }

        return t switch
        {
            "8" => 1,
            "16" => 2,
            "32" => 4,
            "64" => 8,
            _ => throw new UsageException($"width '{text}' is not 8, 16, 32 or 64 (bits)"),
        };
    }

    /// <summary>
    /// Parses a duration: a number with <c>ms</c>, <c>s</c> or <c>m</c>, or a bare number of seconds
    /// (as <c>sleep</c> and <c>timeout</c> take it). Fractions allowed (<c>1.5s</c>).
    /// </summary>
    public static TimeSpan ParseDuration(string text, string what)
    {
        string t = text.Trim();
        double scaleMs = 1000;
        if (t.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            scaleMs = 1;
            t = t[..^2];
        }
        else if (t.EndsWith("us", StringComparison.OrdinalIgnoreCase))
        {
            scaleMs = 0.001;
            t = t[..^2];
        }
        else if (t.EndsWith('s') || t.EndsWith('S'))
        {
            t = t[..^1];
        }
        else if (t.EndsWith('m') || t.EndsWith('M'))
        {
            scaleMs = 60_000;
            t = t[..^1];
        }

        if (!double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n) ||
            double.IsNaN(n) || double.IsInfinity(n) || n * scaleMs > TimeSpan.FromDays(1).TotalMilliseconds)
        {
            throw new UsageException($"{what} '{text}' is not a duration (e.g. 500ms, 2s, 1.5s, 1m; a bare number is seconds, at most a day)");
        }

        return TimeSpan.FromMilliseconds(n * scaleMs);
    }

    private static long ToLong(ulong value, string text, string what) => value <= long.MaxValue
        ? (long)value
        : throw new UsageException($"{what} {text} is too large (at most 0x{long.MaxValue:x})");

    private static ulong Parse(string text, string what, bool allowSuffix)
    {
        ReadOnlySpan<char> s = text.AsSpan().Trim();
        if (s.Length > 0 && s[0] == '-')
        {
            throw new UsageException($"{what} '{text}' is negative: offsets, lengths and values are unsigned");
        }

        if (s.Length > 0 && s[0] == '+')
        {
            s = s[1..];
        }

        int shift = 0;
        if (allowSuffix && s.Length > 1)
        {
            char last = char.ToUpperInvariant(s[^1]);
            // "KiB"/"MiB" spellings too.
            if (s.Length > 3 && s[^2..].Equals("iB", StringComparison.Ordinal))
            {
                last = char.ToUpperInvariant(s[^3]);
                s = s[..^2];
            }

            shift = last switch { 'K' => 10, 'M' => 20, 'G' => 30, _ => 0 };
            if (shift != 0)
            {
                s = s[..^1];
            }
        }

        int radix = 10;
        if (s.Length > 2 && s[0] == '0' && (s[1] is 'x' or 'X'))
        {
            radix = 16;
            s = s[2..];
        }
        else if (s.Length > 2 && s[0] == '0' && (s[1] is 'b' or 'B'))
        {
            radix = 2;
            s = s[2..];
        }

        if (s.Length == 0 || s[0] == '_' || s[^1] == '_')
        {
            throw Bad(text, what, allowSuffix);
        }

        ulong value = 0;
        foreach (char c in s)
        {
            if (c == '_')
            {
                continue;
            }

            int digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix)
            {
                throw Bad(text, what, allowSuffix);
            }

            // value * radix + digit overflows iff value > (Max - digit) / radix.
            if (value > (ulong.MaxValue - (ulong)digit) / (ulong)radix)
            {
                throw new UsageException($"{what} {text} does not fit in 64 bits");
            }

            value = (value * (ulong)radix) + (ulong)digit;
        }

        if (shift != 0)
        {
            if (value > ulong.MaxValue >> shift)
            {
                throw new UsageException($"{what} {text} does not fit in 64 bits");
            }

            value <<= shift;
        }

        return value;
    }

    private static UsageException Bad(string text, string what, bool allowSuffix) => new(
        $"{what} '{text}' is not a number (use 0x for hex, 0b for binary, or decimal" +
        (allowSuffix ? "; K, M and G multiply by 1024)" : ")"));
}
