using System.Runtime.CompilerServices;

namespace IoSys;

/// <summary>
/// A lease on a known-size map (made by <see cref="IoSysMap{TSize}.Lease"/>): the checked accesses of
/// <see cref="IoSysMapLease"/>, with the bounds and alignment of a constant offset checked by the JIT against
/// <c>TSize.Size</c>. What is left at run time is one test of a register per access: whether the map accepts that
/// width everywhere (the base copied for that width is then nonzero).
/// </summary>
/// <typeparam name="TSize">The size type.</typeparam>
/// <remarks>Lifetime, checks and copying: as <see cref="IoSysMapLease"/>.</remarks>
public unsafe ref struct IoSysMapLease<TSize>
    where TSize : struct, IIoKnownSize
{
    private IoSysMap? _map;

    // Copies of the map's known-size bases (see IoSysMap): the base while the width is accepted everywhere, else 0.
    private nint _rb1, _rb2, _rb4, _rb8, _wb1, _wb2, _wb4, _wb8;

    internal IoSysMapLease(IoSysMap<TSize> map)
    {
        _map = map;
        (_rb1, _rb2, _rb4, _rb8) = (map._rb1, map._rb2, map._rb4, map._rb8);
        (_wb1, _wb2, _wb4, _wb8) = (map._wb1, map._wb2, map._wb4, map._wb8);
    }

    /// <inheritdoc cref="IoSysMapLease.Map"/>
    public readonly IoSysMap Map => _map ?? throw IoSysMapLease.Ended();

    /// <summary>Size of the map in bytes: <c>TSize.Size</c>.</summary>
    public readonly long Size => TSize.Size;

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

    /// <inheritdoc cref="IoSysMapLease.Read{T}(long)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly T Read<T>(long offset)
        where T : unmanaged
    {
        nint b = ReadBase<T>();
        if (IoSysMap<TSize>.FitsSingleAccess<T>(offset) && b != 0)
        {
            // SAFETY: FitsSingleAccess proved 0 <= offset <= TSize.Size - sizeof(T), aligned; a nonzero base means the
            // base is aligned and the width accepted everywhere, and was copied while the lease held the memory (see
            // IoSysMapLease.Read). KeepAlive keeps the map, hence its memory, reachable.
            T value = DeviceOrdering.ReadOrdered<T>((byte*)b + offset);
            GC.KeepAlive(_map);
            return value;
        }

        return IoSysMapLease.ReadSlow<T>(_map, offset);
    }

    /// <inheritdoc cref="IoSysMapLease.Write{T}(long, T)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Write<T>(long offset, T value)
        where T : unmanaged
    {
        nint b = WriteBase<T>();
        if (IoSysMap<TSize>.FitsSingleAccess<T>(offset) && b != 0)
        {
            // SAFETY: as in Read<T>; write bases are zero for read-only maps.
            DeviceOrdering.WriteOrdered((byte*)b + offset, value);
            GC.KeepAlive(_map);
            return;
        }

        IoSysMapLease.WriteSlow(_map, offset, value);
    }

    /// <inheritdoc cref="IoSysMapLease.Dispose"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dispose()
    {
        IoSysMap? map = _map;
        this = default;
        map?.EndLease();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly nint ReadBase<T>()
        where T : unmanaged => sizeof(T) switch { 1 => _rb1, 2 => _rb2, 4 => _rb4, _ => _rb8 };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly nint WriteBase<T>()
        where T : unmanaged => sizeof(T) switch { 1 => _wb1, 2 => _wb2, 4 => _wb4, _ => _wb8 };
}
