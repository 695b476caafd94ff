using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux.Vfio;

/// <summary>
/// DANGEROUS, for devices without an IOMMU (UIO drivers, boards without one): locked RAM with the physical addresses
/// of its pages, read from <c>/proc/self/pagemap</c>. A device given these addresses is confined by nothing: a wrong
/// address, length or descriptor lets it read or overwrite ANY physical memory (the kernel, other processes). Use
/// <see cref="VfioDmaBuffer"/> whenever there is an IOMMU.
/// </summary>
/// <remarks>
/// <para>Physical memory is contiguous only within one page (4 KiB) or one hugepage (2 MiB): a transfer must not
/// cross <see cref="ContiguousBytesAt"/>. The pages are locked (<c>mlock</c>) so the kernel neither swaps nor moves
/// them (the memory is anonymous shared memory, which page migration and compaction leave in place while locked,
/// though the kernel does not promise it the way an IOMMU pin does).</para>
/// <para>Reading physical frame numbers needs <c>CAP_SYS_ADMIN</c>; without it the kernel reports 0 and
/// <see cref="Allocate"/> fails with a clear error. Dispose only after the device has stopped using the memory: the
/// pages go back to the kernel at once, and a device still writing to their physical addresses corrupts whoever gets them.</para>
/// </remarks>
/// <example>
/// <code>
/// using PinnedPhysicalBuffer buffer = PinnedPhysicalBuffer.Allocate(4096);
/// bar0.Write64(0x80, buffer.GetPhysicalAddress(0)); // the device can reach ALL of RAM
/// </code>
/// </example>
public sealed class PinnedPhysicalBuffer : IDisposable
{
    private const int BasePage = 4096;
    private readonly ulong[] _chunks;

    private PinnedPhysicalBuffer(IoSysMap map, long size, long chunkSize, ulong[] chunks)
    {
        Map = map;
        Size = size;
        ChunkSize = chunkSize;
        _chunks = chunks;
    }

    /// <summary>The CPU's view: a system-memory map of <see cref="Size"/> bytes.</summary>
    public IoSysMap Map { get; }

    /// <summary>The size asked for, in bytes.</summary>
    public long Size { get; }

    /// <summary>The bytes that are physically contiguous from the start of each chunk: 4096, or 2 MiB for a hugepage.</summary>
    public long ChunkSize { get; }

    /// <summary>Whether the buffer is made of 2 MiB hugepages.</summary>
    public bool IsHugePage => ChunkSize > BasePage;

    /// <summary>
    /// Allocates, populates and locks <paramref name="size"/> bytes and reads their physical addresses.
    /// </summary>
    /// <param name="size">Size in bytes, at least 1 (rounded up to whole pages).</param>
    /// <param name="hugePages">Use 2 MiB hugepages (2 MiB contiguous each).</param>
    /// <returns>The buffer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The size is not positive or too large.</exception>
    /// <exception cref="VfioException">No hugepages are available, the memory cannot be locked (the message gives the memlock limit and the bytes
    /// needed), or the kernel hides physical addresses (no CAP_SYS_ADMIN).</exception>
    public static PinnedPhysicalBuffer Allocate(long size, bool hugePages = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        long chunk = hugePages ? (long)DmaMemoryRegion.HugePageSize : BasePage;
        if (size > long.MaxValue / 4)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "The buffer is too large.");
        }

        long length = (size + chunk - 1) / chunk * chunk;
        int flags = LibC.MAP_SHARED | LibC.MAP_ANONYMOUS | VfioNative.MapPopulate | (hugePages ? VfioNative.MapHugeTlb | VfioNative.MapHuge2Mb : 0);
        nint address = LibC.Mmap(0, (nuint)length, LibC.PROT_READ | LibC.PROT_WRITE, flags, -1, 0);
        if (address == LibC.MAP_FAILED)
        {
            int errno = LibC.LastError;
            throw new VfioException(hugePages
                ? $"Cannot allocate {length} bytes of 2 MiB hugepages: {LibC.Describe(errno)}. Reserve some in /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages."
                : $"Cannot allocate {length} bytes: {LibC.Describe(errno)}.", errno);
        }

        var region = new LockedRegion(address, size, (nuint)length);
        try
        {
            if (VfioNative.MLock(address, (nuint)length) != 0)
            {
                int errno = LibC.LastError;
                throw new VfioException($"Cannot lock {length} bytes for DMA: {LibC.Describe(errno)}; {VfioErrors.MemlockAdvice((ulong)length)}.", errno);
            }

            region.Locked = true;
            ulong[] chunks = ReadPhysical(address, length, chunk);
            return new PinnedPhysicalBuffer(IoSysMap.Create(region, IoMapOptions.SystemMemory), size, chunk, chunks);
        }
        catch
        {
            region.Free();
            throw;
        }
    }

    /// <summary>The physical address of byte <paramref name="offset"/>.</summary>
    /// <param name="offset">Offset in bytes, 0 to <see cref="Size"/> - 1.</param>
    /// <returns>The physical (bus, without an IOMMU) address.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The offset is outside the buffer.</exception>
    public ulong GetPhysicalAddress(long offset)
    {
        CheckOffset(offset);
        return _chunks[offset / ChunkSize] + (ulong)(offset % ChunkSize);
    }

    /// <summary>How many bytes from <paramref name="offset"/> are physically contiguous (to the end of its page or hugepage, or of the buffer).</summary>
    /// <param name="offset">Offset in bytes, 0 to <see cref="Size"/> - 1.</param>
    /// <returns>The contiguous length in bytes, at least 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The offset is outside the buffer.</exception>
    public long ContiguousBytesAt(long offset)
    {
        CheckOffset(offset);
        return Math.Min(ChunkSize - (offset % ChunkSize), Size - offset);
    }

    /// <summary>Retires the map: the pages are unlocked and given back to the kernel at once. Stop the device first.</summary>
    public void Dispose() => Map.Dispose();

    private void CheckOffset(long offset)
    {
        if (offset < 0 || offset >= Size)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Offset 0x{offset:x} is outside the {Size}-byte buffer.");
        }
    }

    /// <summary>The physical address of each chunk's first page; every base page of a chunk is checked to be where contiguity says.</summary>
    private static ulong[] ReadPhysical(nint address, long length, long chunk)
    {
        long pages = length / BasePage;
        byte[] entries = new byte[pages * 8];
        using (SafeFileHandle pagemap = File.OpenHandle("/proc/self/pagemap", FileMode.Open, FileAccess.Read))
        {
            int read = RandomAccess.Read(pagemap, entries, address / BasePage * 8);
            if (read != entries.Length)
            {
                throw new VfioException($"/proc/self/pagemap returned {read} of {entries.Length} bytes for the buffer's pages.");
            }
        }

        var chunks = new ulong[length / chunk];
        for (long i = 0; i < pages; i++)
        {
            ulong entry = BinaryPrimitives.ReadUInt64LittleEndian(entries.AsSpan((int)(i * 8)));
            ulong pfn = entry & ((1UL << 55) - 1);
            if ((entry >> 63) == 0)
            {
                throw new VfioException($"Page {i} of the locked buffer is not present in /proc/self/pagemap (entry 0x{entry:x16}).");
            }

            if (pfn == 0)
            {
                throw new VfioException(
                    "/proc/self/pagemap reports physical frame 0 for a locked page: the kernel hides physical addresses from processes without CAP_SYS_ADMIN. Run as root (or with CAP_SYS_ADMIN).");
            }

            ulong physical = pfn * BasePage;
            long c = i * BasePage / chunk;
            long within = i * BasePage % chunk;
            if (within == 0)
            {
                chunks[c] = physical;
            }
            else if (physical != chunks[c] + (ulong)within)
            {
                throw new VfioException($"Page {i} of a hugepage is at 0x{physical:x}, not contiguous with its hugepage at 0x{chunks[c]:x}.");
            }
        }

        return chunks;
    }

    /// <summary>Locked anonymous memory: unlocked and unmapped only when no map can reach it.</summary>
    private sealed class LockedRegion : IoMemoryRegion
    {
        private readonly nuint _length;
        private int _freed;

        public LockedRegion(nint address, long size, nuint length)
            : base(address, size) => _length = length;

        public bool Locked { get; set; }

        public void Free()
        {
            if (Interlocked.Exchange(ref _freed, 1) == 0)
            {
                if (Locked)
                {
                    _ = VfioNative.MUnlock(Address, _length);
                }

                _ = LibC.Munmap(Address, _length);
#pragma warning disable CA1816 // Freed here by hand (a failed Allocate) or from the finalizer: nothing is left for it either way.
                GC.SuppressFinalize(this);
#pragma warning restore CA1816
            }
        }

        /// <summary>Unlocks the pages and gives them back at once; the range stays valid (zeros) until Release.</summary>
        protected override void Retire()
        {
            if (Locked)
            {
                _ = VfioNative.MUnlock(Address, _length);
                Locked = false;
            }

            MmapRegion.ReplaceWithAnonymous(Address, _length);
        }

        protected override void Release() => Free();
    }
}
