namespace IoSys.Linux.Vfio;

/// <summary>
/// Makes DMA buffers for one IOMMU: picks the IOVA (from the IOMMU's ranges, below the DMA mask, aligned to the
/// page size), allocates and maps the memory, and takes the IOVA back when the buffer is unmapped. Independent of
/// the backend (<see cref="IVfioIommu"/>), so it is tested with a recording IOMMU.
/// </summary>
internal sealed class VfioDmaAllocator
{
    /// <summary>The page of IOVA 0 is never handed out: a device given a null address faults instead of reaching a buffer.</summary>
    public const ulong LowestIova = 0x1000;

    private readonly IVfioIommu _iommu;
    private readonly RangeAllocator _iovas;
    private readonly string _owner;
    private readonly object _lock = new();

    public VfioDmaAllocator(IVfioIommu iommu, string owner)
    {
        _iommu = iommu;
        _owner = owner;
        _iovas = new RangeAllocator(iommu.IovaRanges, LowestIova);
    }

    /// <summary>Live IOMMU mappings made here.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _iovas.Count;
            }
        }
    }

    public VfioDmaBuffer Allocate(long size, VfioDmaDirection direction, bool hugePages, int bits)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (direction is not (VfioDmaDirection.Bidirectional or VfioDmaDirection.ToDevice or VfioDmaDirection.FromDevice))
        {
            throw new ArgumentOutOfRangeException(nameof(direction), direction, "Unknown DMA direction.");
        }

        if (bits is < 12 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "A DMA address width is 12 to 64 bits.");
        }

        // The IOMMU's smallest page (lowest set bit of its page sizes), at least 4 KiB; 2 MiB for hugepages so the
        // IOMMU can map each with one 2 MiB entry.
        ulong smallest = _iommu.PageSizes & (~_iommu.PageSizes + 1);
        ulong alignment = hugePages ? Math.Max(DmaMemoryRegion.HugePageSize, smallest) : Math.Max(4096UL, smallest);
        if ((ulong)size > (ulong.MaxValue >> 2))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "The DMA buffer is too large.");
        }

        ulong mapped = ((ulong)size + alignment - 1) & ~(alignment - 1);
        ulong highest = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        ulong iova;
        lock (_lock)
        {
            iova = _iovas.Allocate(mapped, alignment, $"IOVA space for {_owner}", highest);
        }

        DmaMemoryRegion region = DmaMemoryRegion.Create(_iommu, size, mapped, iova, direction, hugePages, Free);
        IoSysMap map;
        try
        {
            map = IoSysMap.Create(region, IoMapOptions.SystemMemory);
        }
        catch
        {
            region.Abandon();
            throw;
        }

        return new VfioDmaBuffer(region, map);
    }

    private void Free(ulong iova)
    {
        lock (_lock)
        {
            _iovas.Free(iova);
        }
    }
}
