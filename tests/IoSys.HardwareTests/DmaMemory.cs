using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace IoSys.HardwareTests;

/// <summary>A page of guest RAM a device can reach by DMA: its system-memory map and its bus address.</summary>
internal sealed record DmaPage(IoSysMap Map, ulong BusAddress);

/// <summary>
/// DMA-able RAM for a minimal guest without a kernel DMA allocator: locked anonymous pages whose physical addresses
/// come from /proc/self/pagemap (root only). A single page is physically contiguous by definition, so each buffer
/// is one page. Without an IOMMU (q35 and arm64 virt as configured) a PCI device's bus address is the physical
/// address. Pages the device cannot reach (above its DMA mask) are not handed out: the device would clamp the
/// address and write somewhere else in the guest.
/// </summary>
internal sealed class DmaMemory : IDisposable
{
    private const int PageSize = 4096;
    private readonly IoSysMap _chunk;
    private readonly List<(long Offset, ulong Physical)> _free = [];

    private DmaMemory(IoSysMap chunk) => _chunk = chunk;

    /// <summary>Pages below the mask still available.</summary>
    public int Available => _free.Count;

    /// <summary>The lowest and highest physical page seen, for the skip message.</summary>
    public (ulong Low, ulong High) Seen { get; private set; }

    /// <summary>Locks <paramref name="pages"/> pages and keeps those whose whole page lies at or below <paramref name="dmaMask"/>.</summary>
    public static DmaMemory Allocate(int pages, ulong dmaMask)
    {
        nuint length = (nuint)(pages * PageSize);
        nint address = Native.Mmap(0, length, Native.PROT_READ | Native.PROT_WRITE, Native.MAP_PRIVATE | Native.MAP_ANONYMOUS | Native.MAP_POPULATE, -1, 0);
        if (address == -1)
        {
            throw new IOException($"mmap of {length} bytes for DMA failed: errno {Marshal.GetLastPInvokeError()}");
        }

        var region = new LockedRegion(address, (long)length);
        var memory = new DmaMemory(IoSysMap.Create(region));
        if (Native.Mlock(address, length) != 0)
        {
            throw new IOException($"mlock of the DMA pages failed: errno {Marshal.GetLastPInvokeError()} (needs root or RLIMIT_MEMLOCK)");
        }

        using FileStream pagemap = new("/proc/self/pagemap", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        var entries = new byte[pages * 8];
        pagemap.Position = (address / PageSize) * 8;
        pagemap.ReadExactly(entries);
        ulong low = ulong.MaxValue, high = 0;
        for (int i = 0; i < pages; i++)
        {
            ulong entry = BinaryPrimitives.ReadUInt64LittleEndian(entries.AsSpan(i * 8));
            ulong pfn = entry & ((1UL << 55) - 1);
            if ((entry >> 63) == 0 || pfn == 0)
            {
                throw new IOException($"/proc/self/pagemap gives no frame for a locked page (entry 0x{entry:x16}): not running as root?");
            }

            ulong physical = pfn * PageSize;
            low = Math.Min(low, physical);
            high = Math.Max(high, physical);
            if (physical + PageSize - 1 <= dmaMask)
            {
                memory._free.Add(((long)i * PageSize, physical));
            }
        }

        memory.Seen = (low, high);
        return memory;
    }

    /// <summary>Takes one reachable page, zeroed.</summary>
    public DmaPage Take()
    {
        if (_free.Count == 0)
        {
            throw new InvalidOperationException("no DMA-reachable page left");
        }

        (long offset, ulong physical) = _free[^1];
        _free.RemoveAt(_free.Count - 1);
        IoSysMap page = _chunk.Slice(offset, PageSize);
        page.Fill(0, PageSize, 0);
        return new DmaPage(page, physical);
    }

    public void Dispose() => _chunk.Dispose();

    /// <summary>The anonymous mapping; unmapped once no map can reach it.</summary>
    private sealed class LockedRegion(nint address, long length) : IoMemoryRegion(address, length)
    {
        protected override void Retire()
        {
            // RAM: nothing to hand back early; Release unmaps when no map can reach it.
        }

        protected override void Release() => _ = Native.Munmap(Address, (nuint)Length);
    }
}
