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
[FixedWidthAccessors("leased map", "The lease has ended.")]
public ref partial struct IoSysMapLease
{
    private IoSysMap? _map;

    // A copy of the map's access state (see AccessState), taken while the lease holds the memory.
    private readonly AccessState _state;

    internal IoSysMapLease(IoSysMap map)
    {
        _map = map;
        _state = map._state;
    }

    /// <summary>The leased map.</summary>
    /// <exception cref="ObjectDisposedException">The lease has ended.</exception>
    public readonly IoSysMap Map => _map ?? throw Ended();

    /// <summary>Size of the map in bytes.</summary>
    /// <exception cref="ObjectDisposedException">The lease has ended.</exception>
    public readonly long Size => Map.Size;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly T ReadCore<T>(long offset, bool relaxed)
        where T : unmanaged => _state.Read<T>(offset, relaxed, _map, leased: true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void WriteCore<T>(long offset, T value, bool relaxed)
        where T : unmanaged => _state.Write(offset, value, relaxed, _map, leased: true);

    internal static ObjectDisposedException Ended() =>
        new(nameof(IoSysMapLease), "The lease has ended: take a new one with IoSysMap.Lease().");
}
