using IoSys.Linux.Vfio;

namespace IoSys.Linux.Tests;

/// <summary>An IOMMU that records what is mapped, refuses overlaps like type1 (EEXIST), and can be told to fail.</summary>
internal sealed class RecordingIommu(params IovaRange[] ranges) : IVfioIommu
{
    public List<string> Log { get; } = [];

    public Dictionary<ulong, (nint Address, ulong Size, VfioDmaDirection Direction)> Live { get; } = [];

    public bool FailNextUnmap { get; set; }

    public bool FailNextMap { get; set; }

    public IReadOnlyList<IovaRange> IovaRanges { get; } = ranges.Length == 0 ? [new IovaRange(0, 0xfedfffff), new IovaRange(0xfef00000, 0x7fffffffff)] : ranges;

    public ulong PageSizes { get; init; } = 0x40201000; // 4 KiB, 2 MiB, 1 GiB: what intel-iommu reports

    public void Map(nint virtualAddress, ulong iova, ulong size, VfioDmaDirection direction)
    {
        if (FailNextMap)
        {
            FailNextMap = false;
            throw new VfioException("refused", 12);
        }

        Assert.DoesNotContain(Live, l => iova < l.Key + l.Value.Size && l.Key < iova + size);
        // The memory must be populated and writable when it is mapped (the kernel pins it now).
        unsafe
        {
            ((byte*)virtualAddress)[size - 1] = 0;
        }

        Live.Add(iova, (virtualAddress, size, direction));
        Log.Add($"map 0x{iova:x} {size}");
    }

    public bool Unmap(ulong iova, ulong size)
    {
        if (FailNextUnmap)
        {
            FailNextUnmap = false;
            throw new VfioException("refused", 22);
        }

        Assert.True(Live.Remove(iova, out var entry), $"unmap of 0x{iova:x}, which is not mapped");
        Assert.Equal(entry.Size, size); // type1 cannot unmap part of a mapping
        // Unmapped before the memory is freed: it is still mapped in the process now.
        Assert.NotNull(ProcMaps.Covering((ulong)entry.Address));
        Log.Add($"unmap 0x{iova:x} {size}");
        return true;
    }
}

public sealed class VfioDmaTests
{
    [Fact]
    public void A_buffer_gets_an_iova_below_the_mask_never_its_virtual_address_and_the_direction_sets_the_permissions()
    {
        var iommu = new RecordingIommu();
        var dma = new VfioDmaAllocator(iommu, "test");
        using VfioDmaBuffer buffer = dma.Allocate(4095, VfioDmaDirection.ToDevice, hugePages: false, bits: 28);
        Assert.Equal(4095, buffer.Size);
        Assert.Equal(4095, buffer.Map.Size);
        Assert.Equal(4096, buffer.MappedSize);
        Assert.False(buffer.Map.IsIoMem);
        Assert.True(buffer.DeviceAddress >= VfioDmaAllocator.LowestIova, "IOVA 0's page is never handed out");
        Assert.True(buffer.DeviceAddress + 4096 <= 1UL << 28);
        Assert.NotEqual((ulong)buffer.Map.Address.ToUIntPtr(), buffer.DeviceAddress);
        Assert.Equal(VfioDmaDirection.ToDevice, iommu.Live[buffer.DeviceAddress].Direction);
        Assert.Equal((nint)buffer.Map.Address.ToUIntPtr(), iommu.Live[buffer.DeviceAddress].Address);
        // System-memory semantics: zeroed, byte-exact round trip.
        byte[] data = [.. Enumerable.Range(0, 4095).Select(i => (byte)(i * 7))];
        byte[] back = new byte[4095];
        buffer.Map.ReadBytes(0, back);
        Assert.All(back, b => Assert.Equal(0, b));
        buffer.Map.WriteBytes(0, data);
        buffer.Map.ReadBytes(0, back);
        Assert.Equal(data, back);
    }

    [Fact]
    public void Dispose_unmaps_from_the_iommu_before_the_memory_goes_and_the_iova_is_reused()
    {
        var iommu = new RecordingIommu(new IovaRange(0, 0xffffff));
        var dma = new VfioDmaAllocator(iommu, "test");
        VfioDmaBuffer a = dma.Allocate(8192, VfioDmaDirection.Bidirectional, false, 32);
        ulong iova = a.DeviceAddress;
        Assert.True(a.IsMapped);
        a.Dispose();
        Assert.False(a.IsMapped);
        Assert.Empty(iommu.Live);
        Assert.Equal([$"map 0x{iova:x} 8192", $"unmap 0x{iova:x} 8192"], iommu.Log);
        Assert.Throws<ObjectDisposedException>(() => a.Map.Read8(0));
        a.Dispose(); // idempotent: no second unmap
        Assert.Equal(2, iommu.Log.Count);
        using VfioDmaBuffer b = dma.Allocate(8192, VfioDmaDirection.Bidirectional, false, 32);
        Assert.Equal(iova, b.DeviceAddress);
    }

    [Fact]
    public void Unmap_takes_the_buffer_from_the_device_and_leaves_it_to_the_cpu_and_dispose_gives_the_pages_back()
    {
        var iommu = new RecordingIommu(new IovaRange(0, 0xffffff));
        var dma = new VfioDmaAllocator(iommu, "test");
        VfioDmaBuffer a = dma.Allocate(4096, VfioDmaDirection.Bidirectional, false, 32);
        a.Map.Fill(0, 4096, 0xaa);
        ulong iova = a.DeviceAddress;
        a.Unmap();
        Assert.False(a.IsMapped);
        Assert.Empty(iommu.Live);
        a.Unmap(); // idempotent
        Assert.Equal(0xaaaaaaaaaaaaaaaaUL, a.Map.Read64(4088)); // the CPU keeps the bytes
        using VfioDmaBuffer b = dma.Allocate(4096, VfioDmaDirection.Bidirectional, false, 32);
        Assert.Equal(iova, b.DeviceAddress); // the address went back to the allocator
        ulong cpu = (ulong)a.Map.Address.ToUIntPtr();
        Assert.Equal("rw-s", ProcMaps.Covering(cpu)!.Value.Permissions); // shared anonymous memory while the buffer lives
        a.Dispose();
        Assert.Equal(3, iommu.Log.Count); // map a, unmap a, map b: disposing a after Unmap unmaps nothing more
        Assert.Equal("rw-p", ProcMaps.Covering(cpu)!.Value.Permissions); // replaced at once: the pages went back
    }

    [Fact]
    public void A_failed_unmap_keeps_the_iova_reserved_and_a_failed_map_returns_it()
    {
        var iommu = new RecordingIommu(new IovaRange(0, 0xffffff));
        var dma = new VfioDmaAllocator(iommu, "test");
        VfioDmaBuffer a = dma.Allocate(4096, VfioDmaDirection.Bidirectional, false, 32);
        iommu.FailNextUnmap = true;
        Assert.Throws<VfioException>(a.Dispose);
        using VfioDmaBuffer b = dma.Allocate(4096, VfioDmaDirection.Bidirectional, false, 32);
        Assert.NotEqual(a.DeviceAddress, b.DeviceAddress); // still mapped in the kernel: never handed out twice

        iommu.FailNextMap = true;
        Assert.Throws<VfioException>(() => dma.Allocate(4096, VfioDmaDirection.Bidirectional, false, 32));
        Assert.Equal(2, dma.Count); // a and b; the failed one gave its IOVA back
    }

    [Fact]
    public void Exhausting_the_space_below_the_mask_is_a_clear_error()
    {
        var iommu = new RecordingIommu();
        var dma = new VfioDmaAllocator(iommu, "0000:00:02.0");
        // 2^13 bytes below the mask, minus the reserved first page: one page fits, a second does not.
        using VfioDmaBuffer one = dma.Allocate(4096, VfioDmaDirection.Bidirectional, false, 13);
        var e = Assert.Throws<InvalidOperationException>(() => dma.Allocate(4096, VfioDmaDirection.Bidirectional, false, 13));
        Assert.Contains("IOVA space for 0000:00:02.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("below 0x1fff", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => dma.Allocate(0, VfioDmaDirection.Bidirectional, false, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => dma.Allocate(1, (VfioDmaDirection)7, false, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => dma.Allocate(1, VfioDmaDirection.Bidirectional, false, 65));
    }

    [Fact]
    public void Hugepage_buffers_are_2_mib_aligned_in_iova_or_fail_clearly_when_none_are_reserved()
    {
        var iommu = new RecordingIommu();
        var dma = new VfioDmaAllocator(iommu, "test");
        try
        {
            using VfioDmaBuffer huge = dma.Allocate(5000, VfioDmaDirection.Bidirectional, hugePages: true, bits: 32);
            Assert.True(huge.IsHugePage);
            Assert.Equal(2L << 20, huge.MappedSize);
            Assert.Equal(0UL, huge.DeviceAddress % (2UL << 20));
        }
        catch (VfioException e)
        {
            Assert.Contains("nr_hugepages", e.Message, StringComparison.Ordinal);
            Assert.Empty(iommu.Live);
            Assert.Equal(0, dma.Count); // the IOVA went back
        }
    }

    [Fact]
    public void A_pool_rents_aligned_disjoint_blocks_from_one_mapping_and_takes_them_back()
    {
        var iommu = new RecordingIommu();
        var dma = new VfioDmaAllocator(iommu, "test");
        using var pool = new VfioDmaPool(dma.Allocate(64 * 1024, VfioDmaDirection.Bidirectional, false, 32));
        var blocks = new List<VfioDmaBlock>();
        var random = new Random(13);
        for (int i = 0; i < 200; i++)
        {
            int size = random.Next(1, 700);
            int alignment = 1 << random.Next(0, 9);
            VfioDmaBlock block = pool.Rent(size, alignment);
            Assert.Equal(0UL, block.DeviceAddress % (ulong)alignment);
            Assert.Equal(0UL, ((ulong)block.Map.Address.ToUIntPtr()) % (ulong)alignment);
            Assert.Equal(pool.Buffer.DeviceAddress + (ulong)block.Offset, block.DeviceAddress);
            Assert.DoesNotContain(blocks, b => block.Offset < b.Offset + b.Size && b.Offset < block.Offset + block.Size);
            block.Map.Fill(0, size, (byte)i);
            blocks.Add(block);
            if (i % 3 == 2)
            {
                VfioDmaBlock gone = blocks[random.Next(blocks.Count)];
                gone.Dispose();
                Assert.Throws<ObjectDisposedException>(() => gone.Map.Read8(0));
                blocks.Remove(gone);
            }
        }

        // Each live block still holds its own fill: no two overlapped.
        foreach (VfioDmaBlock b in blocks)
        {
            byte first = b.Map.Read8(0);
            Assert.Equal(first, b.Map.Read8(b.Size - 1));
        }

        Assert.Single(iommu.Live); // one IOMMU mapping for all of them
        Assert.Equal(blocks.Count, pool.RentedCount);
        Assert.Throws<InvalidOperationException>(() => pool.Rent(64 * 1024));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(16, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(16, 8192));
        blocks.ForEach(b => b.Dispose());
        Assert.Equal(64 * 1024, pool.FreeBytes);
        pool.Dispose();
        Assert.Empty(iommu.Live);
        Assert.Throws<ObjectDisposedException>(() => pool.Rent(16));
    }
}
