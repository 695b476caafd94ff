namespace IoSys;

/// <summary>Why an access was refused before it reached memory.</summary>
public enum IoAccessError
{
    /// <summary>The access is allowed.</summary>
    None = 0,

    /// <summary>Some byte of the access lies outside the map (or the offset is negative, or offset + length overflows).</summary>
    OutOfRange,

    /// <summary>The offset is not a multiple of the access width (the address is not naturally aligned).</summary>
    Misaligned,

    /// <summary>The region does not accept accesses of this width at this offset.</summary>
    WidthRefused,

    /// <summary>The map is read-only and the access is a write.</summary>
    ReadOnly,
}

/// <summary>
/// An access was refused before it touched memory: nothing was read or written. The message names the
/// offset, the access length (the width, for typed accesses) and the map's size, all in bytes.
/// </summary>
public sealed class IoAccessException : ArgumentException
{
    /// <summary>Creates an exception for a refused access.</summary>
    /// <param name="error">Why the access was refused.</param>
    /// <param name="offset">Offset of the access, in bytes from the start of the map.</param>
    /// <param name="length">Bytes the access moves (its width, for typed accesses).</param>
    /// <param name="mapSize">Size of the map in bytes.</param>
    /// <param name="message">The message.</param>
    public IoAccessException(IoAccessError error, long offset, long length, long mapSize, string message)
        : base(message, nameof(offset))
    {
        Reason = message;
        Error = error;
        Offset = offset;
        Length = length;
        MapSize = mapSize;
    }

    /// <summary>Why the access was refused.</summary>
    public IoAccessError Error { get; }

    /// <summary>Offset of the refused access, in bytes from the start of the map.</summary>
    public long Offset { get; }

    /// <summary>Bytes the refused access would have moved: its width for typed accesses, its length for bulk ones.</summary>
    public long Length { get; }

    /// <summary>Size of the map, in bytes.</summary>
    public long MapSize { get; }

    /// <summary>
    /// The message without the <c>(Parameter 'offset')</c> suffix that <see cref="ArgumentException"/> appends,
    /// for one-line error reports.
    /// </summary>
    public string Reason { get; }
}

/// <summary>
/// A poll (<see cref="IoSysMap.Poll{T}(long, Func{T, bool}, TimeSpan, TimeSpan, CancellationToken)"/>) ran out of time
/// before its condition held. Names the offset and the last value read.
/// </summary>
public sealed class IoPollTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="offset">Offset polled, in bytes.</param>
    /// <param name="width">Width of each read, in bytes.</param>
    /// <param name="lastValue">The last value read, zero-extended to 64 bits.</param>
    /// <param name="timeout">How long the poll waited.</param>
    public IoPollTimeoutException(long offset, int width, ulong lastValue, TimeSpan timeout)
        : base($"Polling the {width}-byte value at offset 0x{offset:x} timed out after {timeout.TotalMilliseconds:0.###} ms; " +
               $"the last value read was 0x{lastValue.ToString("x" + (width * 2), System.Globalization.CultureInfo.InvariantCulture)}.")
    {
        Offset = offset;
        Width = width;
        LastValue = lastValue;
        Timeout = timeout;
    }

    /// <summary>Offset polled, in bytes from the start of the map.</summary>
    public long Offset { get; }

    /// <summary>Width of each read, in bytes.</summary>
    public int Width { get; }

    /// <summary>The last value read, zero-extended to 64 bits.</summary>
    public ulong LastValue { get; }

    /// <summary>How long the poll waited.</summary>
    public TimeSpan Timeout { get; }
}
