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
/// offset, the access length (the width, for typed accesses) and the map's size, all in bytes, and, when the map was
/// given one (<see cref="IoMapOptions.Description"/>), what the map is over (<see cref="Target"/>), as a prefix.
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
        : this(error, offset, length, mapSize, message, target: null)
    {
    }

    /// <summary>Creates an exception for a refused access to a described map.</summary>
    /// <param name="error">Why the access was refused.</param>
    /// <param name="offset">Offset of the access, in bytes from the start of the map.</param>
    /// <param name="length">Bytes the access moves (its width, for typed accesses).</param>
    /// <param name="mapSize">Size of the map in bytes.</param>
    /// <param name="message">The message, without the target.</param>
    /// <param name="target">What the map is over (a path, a device and region), or null; when set, the message starts with
    /// <c>target: </c>.</param>
    /// <example>
    /// <code>
    /// var e = new IoAccessException(IoAccessError.OutOfRange, 0x100, 4, 0x100, "The read is outside the map.", "uio0 map 1");
    /// // e.Reason == "uio0 map 1: The read is outside the map."
    /// </code>
    /// </example>
    public IoAccessException(IoAccessError error, long offset, long length, long mapSize, string message, string? target)
        : base(WithTarget(message, target), nameof(offset))
    {
        Reason = WithTarget(message, target);
        Error = error;
        Offset = offset;
        Length = length;
        MapSize = mapSize;
        Target = target;
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
    /// What the refused map is over, from <see cref="IoMapOptions.Description"/> (with the window's start for a window,
    /// e.g. <c>/dev/shm/x (window at 0x100)</c>), or null when the map was given no description.
    /// </summary>
    /// <example>
    /// <code>
    /// try { map.Read32(map.Size); }
    /// catch (IoAccessException e) { Console.Error.WriteLine($"{e.Target ?? "a map"}: offset 0x{e.Offset:x} refused"); }
    /// </code>
    /// </example>
    public string? Target { get; }

    /// <summary>
    /// The message without the <c>(Parameter 'offset')</c> suffix that <see cref="ArgumentException"/> appends,
    /// for one-line error reports.
    /// </summary>
    public string Reason { get; }

    private static string WithTarget(string message, string? target) =>
        string.IsNullOrEmpty(target) ? message : $"{target}: {message}";
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
