using System.Globalization;
using IoSys.Cli.Parsing;

namespace IoSys.Cli.Output;

/// <summary>How values are printed.</summary>
internal enum ValueFormat
{
    /// <summary><c>0x</c> and hex digits zero-padded to the width, e.g. <c>0x010000ed</c>.</summary>
    Hex,

    /// <summary>Unsigned decimal.</summary>
    Dec,

    /// <summary><c>0b</c> and binary digits zero-padded to the width.</summary>
    Bin,
}

/// <summary>Formats values of a given width.</summary>
internal static class ValueFormatter
{
    /// <summary>Parses <c>hex</c>, <c>dec</c> or <c>bin</c>.</summary>
    public static ValueFormat ParseFormat(string text) => text.ToLowerInvariant() switch
    {
        "hex" or "x" => ValueFormat.Hex,
        "dec" or "d" or "decimal" => ValueFormat.Dec,
        "bin" or "b" or "binary" => ValueFormat.Bin,
        _ => throw new UsageException($"format '{text}' is not hex, dec or bin"),
    };

    /// <summary>Formats <paramref name="value"/> as a value of <paramref name="widthBytes"/> bytes.</summary>
    public static string Format(ulong value, int widthBytes, ValueFormat format) => format switch
    {
        ValueFormat.Dec => value.ToString(CultureInfo.InvariantCulture),
        ValueFormat.Bin => "0b" + Convert.ToString((long)value, 2).PadLeft(widthBytes * 8, '0'),
        _ => Hex(value, widthBytes),
    };

    /// <summary><c>0x</c> and hex digits zero-padded to <paramref name="widthBytes"/> bytes.</summary>
    public static string Hex(ulong value, int widthBytes) =>
        "0x" + value.ToString("x" + (widthBytes * 2).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>An offset for messages: <c>0x</c> and at least one hex digit.</summary>
    public static string Offset(long offset) => "0x" + offset.ToString("x", CultureInfo.InvariantCulture);
}
