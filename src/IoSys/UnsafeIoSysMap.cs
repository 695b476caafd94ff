namespace IoSys;

/// <summary>
/// The raw layer (the Rust <c>RawIoSysMap</c>'s role): one access of exactly the asked width at an offset, with
/// <b>no</b> bounds, alignment, width or read-only check. For callers that validated their offsets themselves,
/// and for demonstrating what the checks prevent. An out-of-range offset here can crash the process (SIGSEGV or
/// SIGBUS cannot be caught in .NET); an unaligned one faults on arm64 device memory and splices two registers on
/// x86-64. Offsets are still offsets from the start of the map: there is no way to pass an address.
/// </summary>
public static class UnsafeIoSysMap
{
    /// <summary>Reads one <typeparamref name="T"/> (1, 2, 4 or 8 bytes) at <paramref name="offset"/>, unchecked.</summary>
    /// <typeparam name="T">A 1-, 2-, 4- or 8-byte unmanaged type.</typeparam>
    /// <param name="map">The map.</param>
    /// <param name="offset">Offset in bytes from the start of the map. Not checked.</param>
    /// <returns>The value read.</returns>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not 1, 2, 4 or 8 bytes.</exception>
    public static unsafe T Read<T>(IoSysMap map, [IoOffset] long offset)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(map);
        RequireSingleAccess<T>();
        return map.ReadUnchecked<T>(offset, unaligned: false);
    }

    /// <summary>Writes one <typeparamref name="T"/> (1, 2, 4 or 8 bytes) at <paramref name="offset"/>, unchecked.</summary>
    /// <typeparam name="T">A 1-, 2-, 4- or 8-byte unmanaged type.</typeparam>
    /// <param name="map">The map.</param>
    /// <param name="offset">Offset in bytes from the start of the map. Not checked.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not 1, 2, 4 or 8 bytes.</exception>
    public static unsafe void Write<T>(IoSysMap map, [IoOffset] long offset, T value)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(map);
        RequireSingleAccess<T>();
        map.WriteUnchecked(offset, value, unaligned: false);
    }

    /// <summary>Unchecked 1-byte read: see <see cref="Read{T}(IoSysMap, long)"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="offset">Offset in bytes. Not checked.</param>
    /// <returns>The value read.</returns>
    public static byte Read8(IoSysMap map, [IoOffset(1)] long offset) => Read<byte>(map, offset);

    /// <summary>Unchecked 2-byte read: see <see cref="Read{T}(IoSysMap, long)"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="offset">Offset in bytes. Not checked.</param>
    /// <returns>The value read.</returns>
    public static ushort Read16(IoSysMap map, [IoOffset(2)] long offset) => Read<ushort>(map, offset);

    /// <summary>Unchecked 4-byte read: see <see cref="Read{T}(IoSysMap, long)"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="offset">Offset in bytes. Not checked.</param>
    /// <returns>The value read.</returns>
    public static uint Read32(IoSysMap map, [IoOffset(4)] long offset) => Read<uint>(map, offset);

    /// <summary>Unchecked 8-byte read: see <see cref="Read{T}(IoSysMap, long)"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="offset">Offset in bytes. Not checked.</param>
    /// <returns>The value read.</returns>
    public static ulong Read64(IoSysMap map, [IoOffset(8)] long offset) => Read<ulong>(map, offset);

    /// <summary>Unchecked 1-byte write: see <see cref="Write{T}(IoSysMap, long, T)"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="offset">Offset in bytes. Not checked.</param>
    /// <param name="value">The value.</param>
    public static void Write8(IoSysMap map, [IoOffset(1)] long offset, byte value) => Write(map, offset, value);

    /// <summary>Unchecked 2-byte write: see <see cref="Write{T}(IoSysMap, long, T)"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="offset">Offset in bytes. Not checked.</param>
    /// <param name="value">The value.</param>
    public static void Write16(IoSysMap map, [IoOffset(2)] long offset, ushort value) => Write(map, offset, value);

    /// <summary>Unchecked 4-byte write: see <see cref="Write{T}(IoSysMap, long, T)"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="offset">Offset in bytes. Not checked.</param>
    /// <param name="value">The value.</param>
    public static void Write32(IoSysMap map, [IoOffset(4)] long offset, uint value) => Write(map, offset, value);

    /// <summary>Unchecked 8-byte write: see <see cref="Write{T}(IoSysMap, long, T)"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="offset">Offset in bytes. Not checked.</param>
    /// <param name="value">The value.</param>
    public static void Write64(IoSysMap map, [IoOffset(8)] long offset, ulong value) => Write(map, offset, value);

    private static unsafe void RequireSingleAccess<T>()
        where T : unmanaged
    {
        if (sizeof(T) is not (1 or 2 or 4 or 8))
        {
            throw new ArgumentException($"A raw access is 1, 2, 4 or 8 bytes; {typeof(T).Name} is {sizeof(T)} bytes.", nameof(T));
        }
    }
}
