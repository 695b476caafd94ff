using System.Runtime.CompilerServices;

namespace IoSys;

/// <summary>
/// A typed, indexed view of <see cref="Count"/> consecutive registers or descriptors of <typeparamref name="T"/> in a
/// map (made by <see cref="IoSysMap.AsArray{T}(long, int)"/> or <see cref="IoSysMapLease.AsArray{T}(long, int)"/>):
/// the base's range, alignment and accepted width are checked once when the view is made, so each element access is
/// one unsigned compare of the index and one access of exactly sizeof(T) bytes.
/// </summary>
/// <typeparam name="T">A 1-, 2-, 4- or 8-byte unmanaged type.</typeparam>
/// <remarks>
/// The indexer is ordered (the kernel's <c>readX</c>/<c>writeX</c>); <see cref="ReadRelaxed"/> and
/// <see cref="WriteRelaxed"/> are the relaxed forms. A view takes no reference on the memory of its own: made from a
/// lease, it is meant for use while the lease is open, and the lease keeps the memory; made from a map, it checks
/// that the map is not disposed when it is made. If the owner is disposed while a view is still in use, the view's
/// accesses reach the retired memory (anonymous memory in place of the device, see <see cref="IoMemoryRegion"/>),
/// never freed memory and never the device; take views from a lease where that can happen.
/// </remarks>
public readonly unsafe ref struct IoArrayView<T>
    where T : unmanaged
{
    private readonly IoSysMap? _map;
    private readonly nint _base;      // Address of element 0 when the fast path is open, else 0.
    private readonly long _offset;    // Offset of element 0 in the map, in bytes.
    private readonly uint _count;     // Elements.
    private readonly uint _readFast;  // _count when reads take the fast path, else 0 (backends, unaligned system memory).
    private readonly uint _writeFast; // As _readFast, and 0 on read-only maps.
    private readonly bool _ioMemory;
    private readonly bool _leased;

    internal IoArrayView(IoSysMap map, long offset, int count, nint baseAddress, bool writable, bool ioMemory, bool leased)
    {
        _map = map;
        _offset = offset;
        _count = (uint)count;
        _base = baseAddress;
        _readFast = baseAddress != 0 ? (uint)count : 0;
        _writeFast = baseAddress != 0 && writable ? (uint)count : 0;
        _ioMemory = ioMemory;
        _leased = leased;
    }

    /// <summary>The number of elements.</summary>
    public int Count => (int)_count;

    /// <summary>Offset of element 0 from the start of the map, in bytes.</summary>
    public long Offset => _offset;

    /// <summary>The element at <paramref name="index"/>: one ordered access of sizeof(T) bytes.</summary>
    /// <param name="index">Element index, 0 to <see cref="Count"/> - 1.</param>
    /// <returns>The value read.</returns>
    /// <exception cref="IoAccessException">The index is outside the view (names the element's offset), or the map is read-only (set).</exception>
    /// <exception cref="ObjectDisposedException">The view is empty because its lease ended, or the map was disposed (slow path only).</exception>
    public T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Get(index, relaxed: false);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set => Set(index, value, relaxed: false);
    }

    /// <summary>Reads the element at <paramref name="index"/> with a relaxed access (the kernel's <c>readX_relaxed</c>).</summary>
    /// <param name="index">Element index, 0 to <see cref="Count"/> - 1.</param>
    /// <returns>The value read.</returns>
    /// <exception cref="IoAccessException">The index is outside the view.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T ReadRelaxed(int index) => Get(index, relaxed: true);

    /// <summary>Writes the element at <paramref name="index"/> with a relaxed access (the kernel's <c>writeX_relaxed</c>).</summary>
    /// <param name="index">Element index, 0 to <see cref="Count"/> - 1.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="IoAccessException">The index is outside the view, or the map is read-only.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteRelaxed(int index, T value) => Set(index, value, relaxed: true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private T Get(int index, bool relaxed)
    {
        if ((uint)index < _readFast)
        {
            // SAFETY: AccessState's invariant for the range [_offset, _offset + Count * sizeof(T)), checked when the view
            // was made (in range, element 0 aligned, width accepted throughout); index < Count keeps the access inside.
            T value = AccessState.LoadElement<T>(_base, (uint)index, relaxed, _ioMemory);
            GC.KeepAlive(_map);
            return value;
        }

        return GetSlow(_map, _offset, _count, index, relaxed, _leased);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Set(int index, T value, bool relaxed)
    {
        if ((uint)index < _writeFast)
        {
            // SAFETY: as in Get; _writeFast is 0 on read-only maps.
            AccessState.StoreElement(_base, (uint)index, value, relaxed, _ioMemory);
            GC.KeepAlive(_map);
            return;
        }

        SetSlow(_map, _offset, _count, index, value, relaxed, _leased);
    }

    // The slow paths: static, given the fields by value, and never inlined, so that no call takes the view's address
    // (an address-exposed view lives on the stack and every access reloads its fields from there) and the loop that
    // indexes the view keeps its registers (inlined, the throw and the map's slow path spilled the index and the loop
    // counter to the stack: Tier-1 x86-64 of IoSys_AsArray_Read32).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T GetSlow(IoSysMap? map, long offset, uint count, int index, bool relaxed, bool leased) =>
        IoSysMap.ReadSlow<T>(Checked(map, offset, count, index), offset + ((long)index * sizeof(T)), relaxed, leased);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SetSlow(IoSysMap? map, long offset, uint count, int index, T value, bool relaxed, bool leased) =>
        IoSysMap.WriteSlow(Checked(map, offset, count, index), offset + ((long)index * sizeof(T)), value, relaxed, leased);

    // The slow path's precondition: an index inside the view (the map's own checks then decide the rest).
    private static IoSysMap? Checked(IoSysMap? map, long offset, uint count, int index)
    {
        if ((uint)index >= count)
        {
            long size = map?.Size ?? 0;
            AccessErrors.Throw(new IoAccessException(IoAccessError.OutOfRange, offset + ((long)index * sizeof(T)), sizeof(T), size,
                $"Element {index} is outside the view of {count} {typeof(T).Name} elements at offset {AccessErrors.Hex(offset)} of a {AccessErrors.Hex(size)}-byte map.",
                map?.TargetName));
        }

        return map;
    }
}
