namespace IoSys.Linux.Vfio;

/// <summary>
/// A range of device (I/O virtual) addresses, both ends inclusive, as the kernel's <c>struct vfio_iova_range</c>
/// reports the windows an IOMMU can translate.
/// </summary>
/// <param name="First">The first address in the range.</param>
/// <param name="Last">The last address in the range (inclusive), at least <paramref name="First"/>.</param>
/// <example>
/// <code>
/// foreach (IovaRange r in device.Iommu.IovaRanges)
///     Console.WriteLine($"{r.First:x}..{r.Last:x} ({r.Length} bytes)");
/// </code>
/// </example>
public readonly record struct IovaRange(ulong First, ulong Last)
{
    /// <summary>The number of addresses in the range; saturates at <see cref="ulong.MaxValue"/> for the full 64-bit space.</summary>
    public ulong Length => Last - First == ulong.MaxValue ? ulong.MaxValue : Last - First + 1;

    /// <summary>Whether <c>[address, address + size)</c> lies within this range.</summary>
    /// <param name="address">Start of the span.</param>
    /// <param name="size">Its size in bytes; 0 is never contained.</param>
    /// <returns>True when the whole span is inside.</returns>
    public bool Contains(ulong address, ulong size) =>
        size != 0 && address >= First && address <= Last && size - 1 <= Last - address;

    /// <inheritdoc/>
    public override string ToString() => $"0x{First:x}..0x{Last:x}";
}

/// <summary>
/// First-fit allocation of aligned spans from a set of ranges: the IOVA allocator (ranges from VFIO_IOMMU_GET_INFO,
/// clipped to the device's DMA mask) and the DMA pool's sub-allocator (one range: the pool's bytes) are this one class.
/// Not thread-safe: callers lock.
/// </summary>
internal sealed class RangeAllocator
{
    // Free spans, sorted by start, never adjacent (merged on free), inclusive ends.
    private readonly List<IovaRange> _free = [];
    private readonly Dictionary<ulong, ulong> _allocated = [];
    private readonly IovaRange[] _ranges;

    /// <summary>Spans from <paramref name="ranges"/> within <c>[lowest, highest]</c>.</summary>
    /// <exception cref="ArgumentException">No address is left after clipping, or the ranges overlap.</exception>
    public RangeAllocator(IEnumerable<IovaRange> ranges, ulong lowest = 0, ulong highest = ulong.MaxValue)
    {
        var clipped = new List<IovaRange>();
        foreach (IovaRange r in ranges.OrderBy(r => r.First))
        {
            if (r.Last < r.First)
            {
                throw new ArgumentException($"The range {r} ends before it starts.", nameof(ranges));
            }

            ulong first = Math.Max(r.First, lowest), last = Math.Min(r.Last, highest);
            if (first > last)
            {
                continue;
            }

            if (clipped.Count > 0 && clipped[^1].Last >= first)
            {
                throw new ArgumentException($"The ranges {clipped[^1]} and {r} overlap.", nameof(ranges));
            }

            clipped.Add(new IovaRange(first, last));
        }

        if (clipped.Count == 0)
        {
            throw new ArgumentException(
                $"No address of the ranges [{string.Join(", ", ranges)}] lies within 0x{lowest:x}..0x{highest:x}.", nameof(ranges));
        }

        _ranges = [.. clipped];
        _free.AddRange(clipped);
    }

    /// <summary>The ranges allocations come from (after clipping).</summary>
    public IReadOnlyList<IovaRange> Ranges => _ranges;

    /// <summary>The number of live allocations.</summary>
    public int Count => _allocated.Count;

    /// <summary>Bytes not allocated (saturating).</summary>
    public ulong FreeBytes
    {
        get
        {
            ulong total = 0;
            foreach (IovaRange r in _free)
            {
                total = r.Length > ulong.MaxValue - total ? ulong.MaxValue : total + r.Length;
            }

            return total;
        }
    }

    /// <summary>
    /// Allocates <paramref name="size"/> bytes aligned to <paramref name="alignment"/> (a power of two), ending at or
    /// below <paramref name="highest"/> (a device's DMA mask); false when no free span fits.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Size is 0, or alignment is not a power of two.</exception>
    public bool TryAllocate(ulong size, ulong alignment, out ulong start, ulong highest = ulong.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfZero(size);
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "The alignment must be a power of two.");
        }

        for (int i = 0; i < _free.Count; i++)
        {
            IovaRange span = _free[i];
            if (span.First > highest)
            {
                break; // Sorted: every later span is above the limit too.
            }

            ulong usableLast = Math.Min(span.Last, highest);
            ulong mask = alignment - 1;
            if (span.First > ulong.MaxValue - mask)
            {
                continue; // Aligning up would wrap.
            }

            ulong aligned = (span.First + mask) & ~mask;
            if (aligned > usableLast || size - 1 > usableLast - aligned)
            {
                continue;
            }

            ulong last = aligned + (size - 1);
            _free.RemoveAt(i);
            int at = i;
            if (aligned > span.First)
            {
                _free.Insert(at++, new IovaRange(span.First, aligned - 1));
            }

            if (last < span.Last)
            {
                _free.Insert(at, new IovaRange(last + 1, span.Last));
            }

            _allocated.Add(aligned, size);
            start = aligned;
            return true;
        }

        start = 0;
        return false;
    }

    /// <summary>Allocates or throws an error that names the size, the alignment and what is free.</summary>
    /// <exception cref="InvalidOperationException">No free span fits.</exception>
    public ulong Allocate(ulong size, ulong alignment, string what, ulong highest = ulong.MaxValue)
    {
        if (TryAllocate(size, alignment, out ulong start, highest))
        {
            return start;
        }

        ulong largest = _free.Count == 0 ? 0 : _free.Max(r => r.Length);
        throw new InvalidOperationException(
            $"Cannot allocate {size} bytes (0x{size:x}) of {what} aligned to 0x{alignment:x} below 0x{highest:x}: exhausted. {_allocated.Count} allocations are live, " +
            $"{FreeBytes} bytes are free in {_free.Count} spans (largest {largest} bytes) of [{string.Join(", ", _ranges)}]; dispose buffers you no longer need.");
    }

    /// <summary>Frees the allocation that starts at <paramref name="start"/>.</summary>
    /// <exception cref="InvalidOperationException">Nothing was allocated there (a double free).</exception>
    public void Free(ulong start)
    {
        if (!_allocated.Remove(start, out ulong size))
        {
            throw new InvalidOperationException($"Nothing is allocated at 0x{start:x}: a double free, or an address this allocator never gave out.");
        }

        var span = new IovaRange(start, start + (size - 1));
        int i = 0;
        while (i < _free.Count && _free[i].First < start)
        {
            i++;
        }

        // Merge with neighbours that touch (two original ranges that touch are both valid, so merging them is harmless).
        if (i > 0 && _free[i - 1].Last != ulong.MaxValue && _free[i - 1].Last + 1 == span.First)
        {
            span = new IovaRange(_free[i - 1].First, span.Last);
            _free.RemoveAt(--i);
        }

        if (i < _free.Count && span.Last != ulong.MaxValue && span.Last + 1 == _free[i].First)
        {
            span = new IovaRange(span.First, _free[i].Last);
            _free.RemoveAt(i);
        }

        _free.Insert(i, span);
    }
}
