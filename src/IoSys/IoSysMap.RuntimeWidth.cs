using System.Globalization;

namespace IoSys;

public partial class IoSysMap
{
    /// <summary>
    /// Reads one value of <paramref name="width"/> bytes at <paramref name="offset"/>, for callers that choose the width
    /// at run time (tools, tracers, simulated buses): exactly one access of that width, as
    /// <see cref="Read8"/>..<see cref="Read64"/> make, with the same checks.
    /// </summary>
    /// <param name="offset">Offset in bytes from the start of the map; a multiple of <paramref name="width"/>.</param>
    /// <param name="width">The access width in bytes: 1, 2, 4 or 8.</param>
    /// <returns>The value read, zero-extended.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is not 1, 2, 4 or 8.</exception>
    /// <exception cref="IoAccessException">Out of range, misaligned, or the region refuses that width there.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public ulong Read([IoOffset(WidthParameter = "width")] long offset, int width) => width switch
    {
        sizeof(byte) => Read8(offset),
        sizeof(ushort) => Read16(offset),
        sizeof(uint) => Read32(offset),
        sizeof(ulong) => Read64(offset),
        _ => throw BadWidth(width),
    };

    /// <summary>
    /// Writes one value of <paramref name="width"/> bytes at <paramref name="offset"/>: exactly one access of that
    /// width, with the checks of <see cref="Write8"/>..<see cref="Write64"/>. A value that does not fit the width is
    /// refused rather than truncated, so a wrong width cannot silently write a different value.
    /// </summary>
    /// <param name="offset">Offset in bytes from the start of the map; a multiple of <paramref name="width"/>.</param>
    /// <param name="width">The access width in bytes: 1, 2, 4 or 8.</param>
    /// <param name="value">The value; at most <paramref name="width"/> bytes wide.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is not 1, 2, 4 or 8, or <paramref name="value"/> does not fit it.</exception>
    /// <exception cref="IoAccessException">Out of range, misaligned, read-only, or the region refuses that width there.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public void Write([IoOffset(WidthParameter = "width")] long offset, int width, ulong value)
    {
        if (width is not (sizeof(byte) or sizeof(ushort) or sizeof(uint) or sizeof(ulong)))
        {
            throw BadWidth(width);
        }

        if (width < sizeof(ulong) && value >> (width * 8) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, string.Create(CultureInfo.InvariantCulture,
                $"The value 0x{value:x} does not fit a {width}-byte access at offset {Hex(offset)}."));
        }

        switch (width)
        {
            case sizeof(byte): Write8(offset, (byte)value); break;
            case sizeof(ushort): Write16(offset, (ushort)value); break;
            case sizeof(uint): Write32(offset, (uint)value); break;
            default: Write64(offset, value); break;
        }
    }

    private static ArgumentOutOfRangeException BadWidth(int width) =>
        new(nameof(width), width, "The access width must be 1, 2, 4 or 8 bytes.");
}
