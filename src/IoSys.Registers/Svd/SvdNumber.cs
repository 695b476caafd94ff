using System;

namespace IoSys.Registers.Descriptions.Svd;

/// <summary>
/// Numbers in the forms CMSIS-SVD uses: decimal (<c>42</c>), hexadecimal (<c>0x2A</c>), binary (<c>#101010</c>, and
/// <c>0b101010</c> as some vendor files write it), an optional leading <c>+</c>, and an optional scale suffix
/// <c>k</c>/<c>M</c>/<c>G</c>/<c>T</c> (powers of 1024) on sizes and addresses. Enumerated values may use <c>x</c>
/// for don't-care binary digits (<c>#1x0</c>).
/// </summary>
public static class SvdNumber
{
    /// <summary>Parses a number (no don't-care digits).</summary>
    /// <param name="text">The text; surrounding white space is ignored.</param>
    /// <param name="value">The value, or 0 on failure.</param>
    /// <returns>False when the text is empty, malformed or above <see cref="ulong.MaxValue"/>.</returns>
    public static bool TryParse(string? text, out ulong value)
    {
        if (TryParsePattern(text, allowDontCare: false, allowScale: true, out value, out _))
        {
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>Parses an enumerated value, where binary digits may be <c>x</c> (don't care).</summary>
    /// <param name="text">The text; surrounding white space is ignored.</param>
    /// <param name="value">The value with don't-care bits zero.</param>
    /// <param name="careMask">Ones where the value's bits matter; all ones without <c>x</c> digits.</param>
    /// <returns>False when the text is empty, malformed or too large.</returns>
    public static bool TryParseEnumeratedValue(string? text, out ulong value, out ulong careMask) =>
        TryParsePattern(text, allowDontCare: true, allowScale: false, out value, out careMask);

    private static bool TryParsePattern(string? text, bool allowDontCare, bool allowScale, out ulong value, out ulong careMask)
    {
        value = 0;
        careMask = ulong.MaxValue;
        if (text is null)
        {
            return false;
        }

        string s = text.Trim();
        if (s.Length > 0 && s[0] == '+')
        {
            s = s.Substring(1);
        }

        int shift = 0;
        if (allowScale && s.Length > 1)
        {
            switch (s[s.Length - 1])
            {
                case 'k' or 'K': shift = 10; break;
                case 'm' or 'M': shift = 20; break;
                case 'g' or 'G': shift = 30; break;
                case 't' or 'T': shift = 40; break;
            }

            if (shift != 0)
            {
                s = s.Substring(0, s.Length - 1);
            }
        }

        int radix = 10;
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            radix = 16;
            s = s.Substring(2);
        }
        else if (s.StartsWith("#", StringComparison.Ordinal))
        {
            radix = 2;
            s = s.Substring(1);
        }
        else if (s.StartsWith("0b", StringComparison.OrdinalIgnoreCase) && s.Length > 2)
        {
            radix = 2;
            s = s.Substring(2);
        }

        if (s.Length == 0)
        {
            return false;
        }

        ulong v = 0;
        ulong dontCare = 0;
        foreach (char c in s)
        {
            int digit = DigitValue(c);
            bool isDontCare = radix == 2 && allowDontCare && (c == 'x' || c == 'X');
            if (!isDontCare && (digit < 0 || digit >= radix))
            {
                return false;
            }

            // Overflow: the value must fit 64 bits before the next digit is shifted in.
            if (v > (ulong.MaxValue - (ulong)Math.Max(digit, 0)) / (ulong)radix || (dontCare >> 63) != 0)
            {
                return false;
            }

            v = v * (ulong)radix + (isDontCare ? 0UL : (ulong)digit);
            dontCare = radix == 2 ? (dontCare << 1) | (isDontCare ? 1UL : 0UL) : 0;
        }

        if (shift != 0)
        {
            if ((v >> (64 - shift)) != 0)
            {
                return false;
            }

            v <<= shift;
        }

        value = v;
        careMask = ~dontCare;
        return true;
    }

    private static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
