using System.Numerics;

namespace IoSys;

/// <summary>
/// A set of access widths. Each flag's value is the width in bytes, so <c>(int)flag</c> is the number
/// of bytes one access of that width moves.
/// </summary>
[Flags]
public enum AccessWidths
{
    /// <summary>No width: every access is refused.</summary>
    None = 0,

    /// <summary>1-byte (8-bit) accesses.</summary>
    Bits8 = 1,

    /// <summary>2-byte (16-bit) accesses.</summary>
    Bits16 = 2,

    /// <summary>4-byte (32-bit) accesses.</summary>
    Bits32 = 4,

    /// <summary>8-byte (64-bit) accesses.</summary>
    Bits64 = 8,

    /// <summary>Every width: 1, 2, 4 and 8 bytes.</summary>
    All = Bits8 | Bits16 | Bits32 | Bits64,
}

/// <summary>Helpers for <see cref="AccessWidths"/>.</summary>
public static class AccessWidthsExtensions
{
    /// <summary>Whether <paramref name="widths"/> contains the width of <paramref name="bytes"/> bytes (1, 2, 4 or 8).</summary>
    /// <param name="widths">The set of widths.</param>
    /// <param name="bytes">An access width in bytes.</param>
    /// <returns>True if an access of <paramref name="bytes"/> bytes is in the set; false for any other number.</returns>
    public static bool Allows(this AccessWidths widths, int bytes) =>
        bytes is 1 or 2 or 4 or 8 && ((int)widths & bytes) != 0;

    /// <summary>The widest width in the set, in bytes, or 0 for <see cref="AccessWidths.None"/>.</summary>
    /// <param name="widths">The set of widths.</param>
    /// <returns>8, 4, 2, 1 or 0.</returns>
    public static int Widest(this AccessWidths widths)
    {
        int bits = (int)(widths & AccessWidths.All);
        return bits == 0 ? 0 : 1 << (31 - BitOperations.LeadingZeroCount((uint)bits));
    }

    /// <summary>Converts a width in bytes (1, 2, 4 or 8) to its flag.</summary>
    /// <param name="bytes">An access width in bytes.</param>
    /// <returns>The single flag for that width.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is not 1, 2, 4 or 8.</exception>
    public static AccessWidths FromBytes(int bytes) => bytes is 1 or 2 or 4 or 8
        ? (AccessWidths)bytes
        : throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "An access width is 1, 2, 4 or 8 bytes.");

    /// <summary>Describes the set in words, e.g. <c>"4- or 8-byte"</c>, for error messages.</summary>
    /// <param name="widths">The set of widths.</param>
    /// <returns>A short description such as <c>"1-, 2-, 4- or 8-byte"</c> or <c>"no"</c>.</returns>
    public static string Describe(this AccessWidths widths)
    {
        var parts = new List<string>(4);
        foreach (int bytes in (ReadOnlySpan<int>)[1, 2, 4, 8])
        {
            if (widths.Allows(bytes))
            {
                parts.Add(bytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return parts.Count switch
        {
            0 => "no",
            1 => parts[0] + "-byte",
            _ => string.Join("-, ", parts[..^1]) + "- or " + parts[^1] + "-byte",
        };
    }
}
