namespace IoSys.Linux.Vfio;

/// <summary>Which way a DMA buffer's data moves; sets the IOMMU permissions of its mapping.</summary>
public enum VfioDmaDirection
{
    /// <summary>The device reads and writes the buffer (IOMMU READ | WRITE).</summary>
    Bidirectional = 0,

    /// <summary>The device only reads the buffer (IOMMU READ): a device write to it faults in the IOMMU.</summary>
    ToDevice = 1,

    /// <summary>The device only writes the buffer (IOMMU WRITE).</summary>
    FromDevice = 2,
}

/// <summary>
/// System memory a device reaches by DMA through the IOMMU: an <see cref="IoSysMap"/> with system-memory semantics
/// for the CPU side, and <see cref="DeviceAddress"/> (the IOVA) for the device side. The IOMMU lets the device
/// reach these bytes and nothing else of the process.
/// </summary>
/// <remarks>
/// <para>The memory is anonymous shared memory (so a <c>fork</c> never moves the CPU's pages away from the pinned
/// ones), populated up front, in 4 KiB pages or 2 MiB hugepages. The kernel pins it while mapped; the pinned bytes
/// count against <c>RLIMIT_MEMLOCK</c>.</para>
/// <para><see cref="Dispose"/> unmaps the buffer from the IOMMU first (after it returns, a DMA to
/// <see cref="DeviceAddress"/> faults in the IOMMU and changes nothing), then retires the map, which gives the pages
/// back to the kernel at once (the address range stays reserved until no map can reach it).
/// <see cref="Unmap"/> does only the first step. If a <see cref="IoSysMap.Lease"/> is open, the IOMMU unmap waits for the last
/// lease, like every retirement.</para>
/// </remarks>
/// <example>
/// <code>
/// using VfioDmaBuffer buffer = device.AllocateDmaBuffer(4096, VfioDmaDirection.ToDevice);
/// buffer.Map.WriteBytes(0, payload);
/// bar0.Write64(0x80, buffer.DeviceAddress); // edu: DMA source address
/// </code>
/// </example>
public sealed class VfioDmaBuffer : IDisposable
{
    private readonly DmaMemoryRegion _region;

    internal VfioDmaBuffer(DmaMemoryRegion region, IoSysMap map)
    {
        _region = region;
        Map = map;
    }

    /// <summary>The CPU's view: a system-memory map of <see cref="Size"/> bytes.</summary>
    public IoSysMap Map { get; }

    /// <summary>The device's address of byte 0 (the IOVA), to program into the device's DMA registers.</summary>
    public ulong DeviceAddress => _region.Iova;

    /// <summary>The size asked for, in bytes (<see cref="Map"/>'s size).</summary>
    public long Size => Map.Size;

    /// <summary>The bytes the IOMMU maps: <see cref="Size"/> rounded up to the page size (4 KiB, or 2 MiB for hugepages).</summary>
    public long MappedSize => (long)_region.MappedLength;

    /// <summary>The IOMMU permissions the device has.</summary>
    public VfioDmaDirection Direction => _region.Direction;

    /// <summary>Whether the buffer is one or more 2 MiB hugepages.</summary>
    public bool IsHugePage => _region.IsHugePage;

    /// <summary>Whether the buffer is still mapped in the IOMMU (false once disposed).</summary>
    public bool IsMapped => _region.IsMapped;

    /// <summary>
    /// Takes the buffer away from the device (the IOMMU unmap) and keeps it for the CPU: <see cref="Map"/> stays
    /// valid with its bytes, <see cref="IsMapped"/> becomes false, and a DMA to <see cref="DeviceAddress"/> faults in
    /// the IOMMU. The address may then be given to another buffer. Idempotent; <see cref="Dispose"/> still frees the memory.
    /// </summary>
    /// <exception cref="VfioException">The kernel refused the unmap (the buffer stays mapped).</exception>
    public void Unmap() => _region.UnmapFromIommu();

    /// <summary>
    /// Unmaps the buffer from the IOMMU (if <see cref="Unmap"/> has not), then retires the map, which releases the
    /// memory (pinned and huge pages alike) at once. Idempotent.
    /// </summary>
    /// <exception cref="VfioException">The kernel refused the unmap (the map is retired anyway).</exception>
    public void Dispose() => Map.Dispose();
}

/// <summary>
/// Anonymous memory mapped into the IOMMU. Retire (the owning map's disposal) unmaps it from the IOMMU and frees
/// its IOVA; Release (no map can reach it) unmaps it from the IOMMU if that has not happened, then from the process:
/// the device loses the memory before the process does, always.
/// </summary>
internal sealed class DmaMemoryRegion : IoMemoryRegion
{
    public const ulong HugePageSize = 2 * 1024 * 1024;

    private readonly IVfioIommu _iommu;
    private readonly Action<ulong> _freeIova;
    private readonly nuint _mappedLength;
    private int _iommuMapped;
    private int _unmapped;

    private DmaMemoryRegion(nint address, long length, nuint mappedLength, IVfioIommu iommu, ulong iova, VfioDmaDirection direction, bool huge,
        Action<ulong> freeIova)
        : base(address, length)
    {
        _mappedLength = mappedLength;
        _iommu = iommu;
        Iova = iova;
        Direction = direction;
        IsHugePage = huge;
        _freeIova = freeIova;
    }

    public ulong Iova { get; }

    public VfioDmaDirection Direction { get; }

    public bool IsHugePage { get; }

    public ulong MappedLength => _mappedLength;

    public bool IsMapped => Volatile.Read(ref _iommuMapped) != 0;

    /// <summary>Allocates, populates and IOMMU-maps <paramref name="size"/> bytes at <paramref name="iova"/> (already reserved; freed by this region from now on).</summary>
    public static DmaMemoryRegion Create(IVfioIommu iommu, long size, ulong mappedLength, ulong iova, VfioDmaDirection direction, bool huge,
        Action<ulong> freeIova)
    {
        int flags = LibC.MAP_SHARED | LibC.MAP_ANONYMOUS | VfioNative.MapPopulate | (huge ? VfioNative.MapHugeTlb | VfioNative.MapHuge2Mb : 0);
        nint address = LibC.Mmap(0, (nuint)mappedLength, LibC.PROT_READ | LibC.PROT_WRITE, flags, -1, 0);
        if (address == LibC.MAP_FAILED)
        {
            int errno = LibC.LastError;
            freeIova(iova);
            throw huge
                ? new VfioException(
                    $"Cannot allocate {mappedLength} bytes of 2 MiB hugepages for DMA: {LibC.Describe(errno)}. Reserve some first, e.g. " +
                    $"`echo {(mappedLength + HugePageSize - 1) / HugePageSize} > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages` (see /proc/meminfo HugePages_Free).",
                    errno)
                : new VfioException($"Cannot allocate {mappedLength} bytes for DMA: {LibC.Describe(errno)}.", errno);
        }

        var region = new DmaMemoryRegion(address, size, (nuint)mappedLength, iommu, iova, direction, huge, freeIova);
        try
        {
            iommu.Map(address, iova, mappedLength, direction);
            region._iommuMapped = 1;
            return region;
        }
        catch
        {
            freeIova(iova); // Never mapped.
            region.Abandon();
            throw;
        }
    }

    /// <summary>For a region no map was created over: unmaps it from the IOMMU and the process now, not in the finalizer.</summary>
    public void Abandon()
    {
        UnmapFromIommu();
        Unmap();
#pragma warning disable CA1816 // Not a Dispose: the region was never handed to a map, so its finalizer has nothing left to do.
        GC.SuppressFinalize(this);
#pragma warning restore CA1816
    }

    /// <summary>The IOMMU unmap first; then the memory goes at once (its pages, huge or not, return to the kernel).</summary>
    protected override void Retire()
    {
        try
        {
            UnmapFromIommu();
        }
        finally
        {
            // Even if the unmap failed: the kernel's pin keeps the old pages for the device, never these addresses.
            MmapRegion.ReplaceWithAnonymous(Address, _mappedLength);
        }
    }

    protected override void Release()
    {
        try
        {
            UnmapFromIommu();
        }
#pragma warning disable CA1031 // Release runs on the finalizer thread and must not throw; the container's close unmaps what is left.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        Unmap();
    }

    /// <summary>
    /// Removes the IOMMU mapping (once); the device can no longer reach the memory. The IOVA is returned only after
    /// the unmap succeeded: one the kernel still maps is never handed out again.
    /// </summary>
    public void UnmapFromIommu()
    {
        if (Interlocked.Exchange(ref _iommuMapped, 0) != 0)
        {
            _ = _iommu.Unmap(Iova, _mappedLength);
            _freeIova(Iova);
        }
    }

    private void Unmap()
    {
        if (Interlocked.Exchange(ref _unmapped, 1) == 0)
        {
            _ = LibC.Munmap(Address, _mappedLength);
        }
    }
}
