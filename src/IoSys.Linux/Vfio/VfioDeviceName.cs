using System.Globalization;

namespace IoSys.Linux.Vfio;

/// <summary>
/// The names a VFIO device is opened by: a PCI address (<c>0000:00:02.0</c>, or <c>00:02.0</c> in domain 0) or a
/// <c>vendor:device</c> id in hex (<c>1234:11e8</c>). Case-insensitive; surrounding spaces are ignored.
/// </summary>
/// <example>
/// <code>
/// string name = VfioDeviceName.Normalize("00:02.0"); // "0000:00:02.0"
/// bool byId = VfioDeviceName.IsId("1234:11e8");        // true
/// </code>
/// </example>
public static class VfioDeviceName
{
    /// <summary>Whether <paramref name="text"/> is a PCI address: <c>[dddd:]bb:ss.f</c> in hex, slot 00-1f, function 0-7.</summary>
    /// <param name="text">The text.</param>
    /// <returns>True for an address.</returns>
    public static bool IsAddress(string? text)
    {
        string s = text?.Trim() ?? "";
        if (s.Length == 7)
        {
            s = "0000:" + s;
        }

        return s.Length == 12 && s[4] == ':' && s[7] == ':' && s[10] == '.' &&
            Hex(s.AsSpan(0, 4), out _) && Hex(s.AsSpan(5, 2), out _) && Hex(s.AsSpan(8, 2), out ushort slot) && slot <= 0x1f &&
            s[11] is >= '0' and <= '7';
    }

    /// <summary>Whether <paramref name="text"/> is a <c>vvvv:dddd</c> id: exactly four hex digits each.</summary>
    /// <param name="text">The text.</param>
    /// <returns>True for an id.</returns>
    public static bool IsId(string? text) => TryParseId(text, out _, out _);

    /// <summary>The vendor and device of a <c>vvvv:dddd</c> id.</summary>
    /// <param name="text">The text.</param>
    /// <param name="vendor">The vendor id.</param>
    /// <param name="device">The device id.</param>
    /// <returns>True for an id.</returns>
    public static bool TryParseId(string? text, out ushort vendor, out ushort device)
    {
        vendor = device = 0;
        string s = text?.Trim() ?? "";
        return s.Length == 9 && s[4] == ':' && Hex(s.AsSpan(0, 4), out vendor) && Hex(s.AsSpan(5, 4), out device);
    }

    /// <summary>The name in canonical form: lower case, an address with its domain.</summary>
    /// <param name="text">An address or an id.</param>
    /// <returns>The canonical name.</returns>
    /// <exception cref="ArgumentException">Neither an address nor an id (the message shows both forms).</exception>
    public static string Normalize(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        string s = text.Trim().ToLowerInvariant();
        if (IsId(s))
        {
            return s;
        }

        if (IsAddress(s))
        {
            return s.Length == 7 ? "0000:" + s : s;
        }

        throw new ArgumentException(
            $"'{text}' is not a VFIO device name: use a PCI address such as 0000:00:02.0 (or 00:02.0), or a vendor:device id such as 1234:11e8 that matches one device.",
            nameof(text));
    }

    private static bool Hex(ReadOnlySpan<char> digits, out ushort value) =>
        ushort.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
}
