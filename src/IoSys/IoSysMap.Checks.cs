using System.Runtime.CompilerServices;

namespace IoSys;

// The public face of the one check and planner, for tools and simulations that must decide before they act
// (the CLI's range and width checks, a simulated device's refusals): the same code the accessors run.
public partial class IoSysMap
{
    /// <summary>
    /// Checks a bulk transfer of <paramref name="length"/> bytes at <paramref name="offset"/> without making it: that the
    /// range lies within the map, that aligned accesses of <paramref name="widths"/> that the region accepts cover it
    /// (I/O memory and backends; a system-memory copy with every width is one vectorized copy), and for a write that
    /// the map is writable. The same checks, in the same order, as <see cref="ReadBytes(long, Span{byte}, AccessWidths)"/>,
    /// <see cref="WriteBytes(long, ReadOnlySpan{byte}, AccessWidths)"/> and <see cref="Fill(long, long, byte, AccessWidths)"/>.
    /// </summary>
    /// <param name="offset">Start, in bytes from the start of the map.</param>
    /// <param name="length">Length in bytes (0 or more).</param>
    /// <param name="widths">The widths the transfer may use.</param>
    /// <param name="write">Whether the transfer writes to the map.</param>
    /// <exception cref="IoAccessException">The transfer would be refused; the same exception the transfer would throw
    /// (for a coverage failure, <see cref="IoAccessException.Offset"/> is the first offset nothing covers).</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public void CheckRange([IoOffset(LengthParameter = nameof(length))] long offset, long length, AccessWidths widths, bool write)
    {
        if (!TryCheckRange(offset, length, widths, write, out IoAccessError error, out long failedAt))
        {
            AccessErrors.Throw(BulkException(error, offset, length, failedAt, write ? "write" : "read", widths));
        }
    }

    /// <summary>The non-throwing form of <see cref="CheckRange"/>.</summary>
    /// <param name="offset">Start, in bytes from the start of the map.</param>
    /// <param name="length">Length in bytes.</param>
    /// <param name="widths">The widths the transfer may use.</param>
    /// <param name="write">Whether the transfer writes to the map.</param>
    /// <param name="error">Why it would be refused, or <see cref="IoAccessError.None"/>.</param>
    /// <param name="failedAt">For <see cref="IoAccessError.WidthRefused"/>, the first offset no accepted access covers; else <paramref name="offset"/>.</param>
    /// <returns>True if the transfer would be made.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryCheckRange([IoOffset(LengthParameter = nameof(length))] long offset, long length, AccessWidths widths, bool write, out IoAccessError error, out long failedAt)
    {
        ThrowIfDisposed();
        error = PlanTransferError(offset, length, write, widths, out failedAt);
        return error == IoAccessError.None;
    }

    /// <summary>
    /// The accesses a bulk transfer of <paramref name="length"/> bytes at <paramref name="offset"/> makes, in order: each
    /// chunk is one aligned access of the widest of <paramref name="widths"/> that the region accepts there and that
    /// fits. On a system-memory map with every width the transfer is one vectorized copy instead, and the plan is empty
    /// with <see cref="IoTransferPlan.IsMemoryCopy"/> set.
    /// </summary>
    /// <param name="offset">Start, in bytes from the start of the map.</param>
    /// <param name="length">Length in bytes.</param>
    /// <param name="widths">The widths the transfer may use.</param>
    /// <returns>The plan; enumerate it with <c>foreach</c> (no allocation).</returns>
    /// <exception cref="IoAccessException">The range is outside the map, or cannot be covered.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public IoTransferPlan PlanTransfer([IoOffset(LengthParameter = nameof(length))] long offset, long length, AccessWidths widths = AccessWidths.All)
    {
        CheckRange(offset, length, widths, write: false);
        return new IoTransferPlan(this, offset, length, widths, UsesMemoryCopy(widths));
    }

    /// <summary>
    /// Checks a bulk transfer as <see cref="TryCheckRange"/> does and, when it would be made, returns its plan as
    /// <see cref="PlanTransfer"/> does: one check for tools that check, then carry out the plan (the range is walked
    /// once, not once to check and again to plan).
    /// </summary>
    /// <param name="offset">Start, in bytes from the start of the map.</param>
    /// <param name="length">Length in bytes (0 or more).</param>
    /// <param name="widths">The widths the transfer may use.</param>
    /// <param name="write">Whether the transfer writes to the map (a read-only map refuses it).</param>
    /// <param name="plan">The plan, or the default (empty) plan when refused.</param>
    /// <param name="error">Why it would be refused, or <see cref="IoAccessError.None"/>.</param>
    /// <param name="failedAt">For <see cref="IoAccessError.WidthRefused"/>, the first offset no accepted access covers; else <paramref name="offset"/>.</param>
    /// <returns>True if the transfer would be made.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    /// <example>
    /// <code>
    /// if (!map.TryPlanTransfer(0x100, 0x40, AccessWidths.Bits32, write: false, out IoTransferPlan plan, out IoAccessError error, out long at))
    ///     throw map.CreateAccessException(error, at, 4, write: false);
    /// foreach (IoTransferChunk access in plan) Console.WriteLine($"{access.Width} bytes at 0x{access.Offset:x}");
    /// </code>
    /// </example>
    public bool TryPlanTransfer([IoOffset(LengthParameter = nameof(length))] long offset, long length, AccessWidths widths, bool write,
        out IoTransferPlan plan, out IoAccessError error, out long failedAt)
    {
        plan = TryCheckRange(offset, length, widths, write, out error, out failedAt)
            ? new IoTransferPlan(this, offset, length, widths, UsesMemoryCopy(widths))
            : default;
        return error == IoAccessError.None;
    }

    /// <summary>
    /// A typed view of <paramref name="count"/> elements of <typeparamref name="T"/> starting at <paramref name="offset"/>
    /// (an array of registers or descriptors). The range, the alignment of element 0 and the width throughout are
    /// checked here, once; each element access is then one unsigned compare and one access.
    /// </summary>
    /// <typeparam name="T">A 1-, 2-, 4- or 8-byte unmanaged type.</typeparam>
    /// <param name="offset">Offset in bytes of element 0 from the start of the map; a multiple of sizeof(T).</param>
    /// <param name="count">Number of elements (0 or more).</param>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not 1, 2, 4 or 8 bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="IoAccessException">The elements do not fit in the map, element 0 is misaligned, or the region refuses sizeof(T)-byte accesses somewhere in the range.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public IoArrayView<T> AsArray<T>([IoOffset] long offset, int count)
        where T : unmanaged
    {
        ThrowIfDisposed();
        return MakeArrayView<T>(offset, count, leased: false);
    }

    internal IoArrayView<T> AsArrayLeased<T>(long offset, int count)
        where T : unmanaged => MakeArrayView<T>(offset, count, leased: true);

    private IoArrayView<T> MakeArrayView<T>(long offset, int count, bool leased)
        where T : unmanaged
    {
        int width = Unsafe.SizeOf<T>();
        if (!AccessState.IsSingleAccess<T>())
        {
            throw new ArgumentException($"An array view holds 1-, 2-, 4- or 8-byte elements; {typeof(T).Name} is {width} bytes.", nameof(T));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(count);
        long length = (long)count * width;
        if (!_state.InRange(offset, length))
        {
            AccessErrors.Throw(AccessErrors.Range(this, offset, length, $"view of {count} {typeof(T).Name} elements"));
        }

        bool aligned = ((AlignmentBase + offset) & (width - 1)) == 0;
        if (count > 0 && !(aligned && _state.ReadSlotsOpen(width)))
        {
            // Open read slots of this width already prove the width accepted throughout the map (AccessState's
            // invariant), so only a map without them pays for the rules query.
            IoAccessError error = !aligned && (_state.Flags & AccessFlags.AllowUnaligned) == 0 ? IoAccessError.Misaligned
                : !_state.Rules.Throughout(offset, length).Allows(width) ? IoAccessError.WidthRefused
                : IoAccessError.None;
            if (error != IoAccessError.None)
            {
                AccessErrors.Throw(AccessException(error, offset, width, "view element"));
            }
        }

        nint baseAddress = _state.Base != 0 && aligned ? _state.Base + (nint)offset : 0;
        return new IoArrayView<T>(this, offset, count, baseAddress, !_state.IsReadOnly, _state.IsIoMemory, leased);
    }
}

/// <summary>One access of a bulk transfer: its offset in bytes from the start of the map and its width in bytes.</summary>
/// <param name="Offset">Offset in bytes from the start of the map.</param>
/// <param name="Width">Width in bytes: 1, 2, 4 or 8.</param>
public readonly record struct IoTransferChunk(long Offset, int Width);

/// <summary>
/// The accesses of a bulk transfer (<see cref="IoSysMap.PlanTransfer"/>), enumerated lazily in order without
/// allocating. Empty, with <see cref="IsMemoryCopy"/> set, when the transfer is one vectorized copy.
/// </summary>
public readonly struct IoTransferPlan
{
    private readonly IoSysMap? _map;
    private readonly AccessWidths _widths;

    internal IoTransferPlan(IoSysMap map, long offset, long length, AccessWidths widths, bool isMemoryCopy)
    {
        _map = map;
        Offset = offset;
        Length = length;
        _widths = widths;
        IsMemoryCopy = isMemoryCopy;
    }

    /// <summary>Start of the transfer, in bytes from the start of the map.</summary>
    public long Offset { get; }

    /// <summary>Length of the transfer in bytes.</summary>
    public long Length { get; }

    /// <summary>Whether the transfer is one vectorized copy (system memory, every width) rather than single accesses.</summary>
    public bool IsMemoryCopy { get; }

    /// <summary>
    /// The widths the plan was made with: pass them to <see cref="IoSysMap.ReadBytes(long, Span{byte}, AccessWidths)"/> or
    /// <see cref="IoSysMap.WriteBytes(long, ReadOnlySpan{byte}, AccessWidths)"/> to make the planned accesses. A part of the
    /// range that starts and ends between two chunks of the plan is transferred with exactly those chunks.
    /// </summary>
    public AccessWidths Widths => _widths;

    /// <summary>Enumerates the chunks.</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(_map, IsMemoryCopy ? Offset : Offset, IsMemoryCopy ? 0 : Length, _widths);

    /// <summary>Walks the chunks of a plan.</summary>
    public struct Enumerator
    {
        private readonly IoSysMap? _map;
        private readonly long _end;
        private readonly AccessWidths _widths;
        private long _next;

        internal Enumerator(IoSysMap? map, long offset, long length, AccessWidths widths)
        {
            _map = map;
            _next = offset;
            _end = offset + length;
            _widths = widths;
        }

        /// <summary>The current chunk.</summary>
        public IoTransferChunk Current { get; private set; }

        /// <summary>Moves to the next chunk.</summary>
        /// <returns>False at the end.</returns>
        public bool MoveNext()
        {
            if (_map is null || _next >= _end)
            {
                return false;
            }

            int width = _map.NextChunkWidth(_next, _end - _next, _widths);
            if (width == 0)
            {
                return false; // Only if the map's rules changed since the plan was checked: they cannot (immutable).
            }

            Current = new IoTransferChunk(_next, width);
            _next += width;
            return true;
        }
    }
}
