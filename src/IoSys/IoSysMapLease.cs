using System.Numerics;
using System.Runtime.CompilerServices;

namespace IoSys;

/// <summary>
/// A map held open for a batch of accesses (made by <see cref="IoSysMap.Lease"/>): the same checked typed reads
/// and writes as the map, with the map's state copied into the lease once, so that a loop of accesses keeps it in
/// registers. Each access is then one check against a register and one volatile access, with no load from the map.
/// Use it with <c>using</c>: <c>using IoSysMapLease regs = map.Lease();</c>.
/// </summary>
/// <remarks>
/// <para><b>Checks.</b> Every access is checked as on the map: bounds, alignment, the widths the region accepts,
/// and read-only. A failed check throws <see cref="IoAccessException"/> naming the offset, width and size, and
/// nothing is read or written.</para>
/// <para><b>Lifetime.</b> A lease takes a reference on the map's memory, as a borrow does in Rust. While any lease
/// on the memory is open, disposing the owning map still makes the map and its windows refuse access at once, but
/// the memory itself (a device mapping, a file) is retired only when the last lease ends; until then the lease's
/// accesses keep reaching it. So a lease never sees memory change under it. After <see cref="Dispose"/>, the
/// lease's accesses throw <see cref="ObjectDisposedException"/>.</para>
/// <para><b>Do not copy a lease.</b> It is a <c>ref struct</c>, so it cannot outlive the method that made it or
/// be shared with another thread; but a copy made by assignment ends the same lease again when it is disposed.
/// That may retire the memory under another open lease: its accesses then reach the retired memory (anonymous
/// memory in place of a device, see <see cref="IoMemoryRegion"/>), never freed memory and never the device.
/// A lease that is never disposed keeps the device until the memory is finalized (the IoSys analyzer reports one:
/// IOSYS010).</para>
/// </remarks>
public unsafe ref struct IoSysMapLease
{
    private IoSysMap? _map;

    // Copies of the map's hot-path state (see IoSysMap): the slots of each width and kind, and the base.
    private ulong _r1, _r2, _r4, _r8, _w1, _w2, _w4, _w8;
    private readonly nint _base;

    internal IoSysMapLease(IoSysMap map)
    {
        _map = map;
        _base = map._base;
        (_r1, _r2, _r4, _r8) = (map._r1, map._r2, map._r4, map._r8);
        (_w1, _w2, _w4, _w8) = (map._w1, map._w2, map._w4, map._w8);
    }

    /// <summary>The leased map.</summary>
    /// <exception cref="ObjectDisposedException">The lease has ended.</exception>
    public readonly IoSysMap Map => _map ?? throw Ended();

    /// <summary>Size of the map in bytes.</summary>
    /// <exception cref="ObjectDisposedException">The lease has ended.</exception>
    public readonly long Size => Map.Size;

    /// <inheritdoc cref="IoSysMap.Read8(long)" path="/*[not(self::exception)]"/>
    /// <exception cref="IoAccessException">The access is refused: out of range, misaligned, or a width the region refuses there.</exception>
    /// <exception cref="ObjectDisposedException">The lease has ended.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly byte Read8(long offset) => Read<byte>(offset);

    /// <inheritdoc cref="IoSysMap.Read16(long)" path="/*[not(self::exception)]"/>
    /// <exception cref="IoAccessException">The access is refused: out of range, misaligned, or a width the region refuses there.</exception>
    /// <exception cref="ObjectDisposedException">The lease has ended.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ushort Read16(long offset) => Read<ushort>(offset);

    /// <inheritdoc cref="IoSysMap.Read32(long)" path="/*[not(self::exception)]"/>
    /// <exception cref="IoAccessException">The access is refused: out of range, misaligned, or a width the region refuses there.</exception>
    /// <exception cref="ObjectDisposedException">The lease has ended.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly uint Read32(long offset) => Read<uint>(offset);

    /// <inheritdoc cref="IoSysMap.Read64(long)" path="/*[not(self::exception)]"/>
    /// <exception cref="IoAccessException">The access is refused: out of range, misaligned, or a width the region refuses there.</exception>
    /// <exception cref="ObjectDisposedException">The lease has ended.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ulong Read64(long offset) => Read<ulong>(offset);

    /// <inheritdoc cref="IoSysMap.Write8(long, byte)" path="/*[not(self::exception)]"/>
    /// <exception cref="IoAccessException">The access is refused: out of range, misaligned, a width the region refuses there, or a read-only map. Nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The lease has ended.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Write8(long offset, byte value) => Write(offset, value);

    /// <inheritdoc cref="IoSysMap.Write16(long, ushort)" path="/*[not(self::exception)]"/>
    /// <exception cref="IoAccessException">The access is refused: out of range, misaligned, a width the region refuses there, or a read-only map. Nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The lease has ended.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Write16(long offset, ushort value) => Write(offset, value);

    /// <inheritdoc cref="IoSysMap.Write32(long, uint)" path="/*[not(self::exception)]"/>
    /// <exception cref="IoAccessException">The access is refused: out of range, misaligned, a width the region refuses there, or a read-only map. Nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The lease has ended.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Write32(long offset, uint value) => Write(offset, value);

    /// <inheritdoc cref="IoSysMap.Write64(long, ulong)" path="/*[not(self::exception)]"/>
    /// <exception cref="IoAccessException">The access is refused: out of range, misaligned, a width the region refuses there, or a read-only map. Nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The lease has ended.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Write64(long offset, ulong value) => Write(offset, value);

    /// <summary>
    /// Reads a <typeparamref name="T"/> at <paramref name="offset"/>, as <see cref="IoSysMap.Read{T}(long)"/>: one
    /// access for a 1-, 2-, 4- or 8-byte type, a bulk copy in accepted aligned accesses for any other size.
    /// </summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <returns>The value read.</returns>
    /// <exception cref="IoAccessException">Out of range, misaligned, or a refused width.</exception>
    /// <exception cref="ObjectDisposedException">The lease has ended.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T Read<T>(long offset)
        where T : unmanaged
    {
        if (IoSysMap.IsSingleAccess<T>() && BitOperations.RotateRight((ulong)offset, IoSysMap.Log2Width<T>()) < ReadSlots<T>())
        {
            // SAFETY: the slots were copied from the map while the lease held a reference on its memory, so the
            // memory is not retired, let alone freed, before Dispose; the check proved 0 <= offset <= Size - sizeof(T),
            // aligned, with the width accepted everywhere. KeepAlive keeps the map, hence its memory, reachable.
            T value = DeviceOrdering.ReadOrdered<T>((byte*)_base + offset);
            GC.KeepAlive(_map);
            return value;
        }

        return ReadSlow<T>(_map, offset);
    }

    /// <summary>
    /// Writes a <typeparamref name="T"/> at <paramref name="offset"/>, as <see cref="IoSysMap.Write{T}(long, T)"/>.
    /// </summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="IoAccessException">Out of range, misaligned, refused width, or read-only map. Nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The lease has ended.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Write<T>(long offset, T value)
        where T : unmanaged
    {
        if (IoSysMap.IsSingleAccess<T>() && BitOperations.RotateRight((ulong)offset, IoSysMap.Log2Width<T>()) < WriteSlots<T>())
        {
            // SAFETY: as in Read<T>; write slots are zero for read-only maps.
            DeviceOrdering.WriteOrdered((byte*)_base + offset, value);
            GC.KeepAlive(_map);
            return;
        }

        WriteSlow(_map, offset, value);
    }

    /// <summary>Ends the lease: its accesses throw from now on, and a deferred retirement of the memory runs if this was the last lease. Idempotent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dispose()
    {
        IoSysMap? map = _map;
        this = default;
        map?.EndLease();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ulong ReadSlots<T>()
        where T : unmanaged => sizeof(T) switch { 1 => _r1, 2 => _r2, 4 => _r4, _ => _r8 };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ulong WriteSlots<T>()
        where T : unmanaged => sizeof(T) switch { 1 => _w1, 2 => _w2, 4 => _w4, _ => _w8 };

    // Everything the slots do not cover (refused or mixed widths, unaligned system memory, backends, composite
    // types, errors) goes through the map's own checks, without its disposal check: the lease holds the memory.
    // Static, so that no call takes the lease's address: an address-exposed lease lives on the stack, and each
    // volatile access then reloads its fields from there (bench: ConstantOffsetBenchmarks, RuntimeOffsetBenchmarks).
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static T ReadSlow<T>(IoSysMap? map, long offset)
        where T : unmanaged => (map ?? throw Ended()).ReadLeased<T>(offset);

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void WriteSlow<T>(IoSysMap? map, long offset, T value)
        where T : unmanaged => (map ?? throw Ended()).WriteLeased(offset, value);

    internal static ObjectDisposedException Ended() =>
        new(nameof(IoSysMapLease), "The lease has ended: take a new one with IoSysMap.Lease().");
}
