using System.Buffers.Binary;
using System.Runtime.InteropServices;
using IoSys.Linux.Vfio;

namespace IoSys.Linux.Tests;

/// <summary>The ioctl numbers, argument layouts and capability parsing against include/uapi/linux/vfio.h.</summary>
public sealed class VfioUapiTests
{
    [Theory]
    [InlineData(0, 0x3B64)] // VFIO_GET_API_VERSION
    [InlineData(1, 0x3B65)] // VFIO_CHECK_EXTENSION
    [InlineData(2, 0x3B66)] // VFIO_SET_IOMMU
    [InlineData(6, 0x3B6A)] // VFIO_GROUP_GET_DEVICE_FD
    [InlineData(10, 0x3B6E)] // VFIO_DEVICE_SET_IRQS
    [InlineData(13, 0x3B71)] // VFIO_IOMMU_MAP_DMA (measured in REFERENCE.md)
    [InlineData(14, 0x3B72)] // VFIO_IOMMU_UNMAP_DMA
    public void Ioctl_numbers_are_IO_semicolon_100_plus_n_with_no_size_bits(uint n, uint expected) =>
        Assert.Equal((nuint)expected, VfioNative.Io(n));

    [Fact]
    public void The_named_numbers_are_the_uapi_ones()
    {
        Assert.Equal((nuint)0x3B67, VfioNative.GroupGetStatus);
        Assert.Equal((nuint)0x3B68, VfioNative.GroupSetContainer);
        Assert.Equal((nuint)0x3B6B, VfioNative.DeviceGetInfo);
        Assert.Equal((nuint)0x3B6C, VfioNative.DeviceGetRegionInfo);
        Assert.Equal((nuint)0x3B6D, VfioNative.DeviceGetIrqInfo);
        Assert.Equal((nuint)0x3B6F, VfioNative.DeviceReset);
        Assert.Equal((nuint)0x3B70, VfioNative.IommuGetInfo);
        Assert.Equal((nuint)0x3B71, VfioNative.IommuMapDma);
        Assert.Equal((nuint)0x3B72, VfioNative.IommuUnmapDma);
    }

    [Theory]
    [InlineData(typeof(VfioNative.GroupStatus), 8)]
    [InlineData(typeof(VfioNative.DeviceInfo), 24)]
    [InlineData(typeof(VfioNative.RegionInfo), 32)]
    [InlineData(typeof(VfioNative.IrqInfo), 16)]
    [InlineData(typeof(VfioNative.IrqSet), 20)]
    [InlineData(typeof(VfioNative.IommuType1Info), 24)]
    [InlineData(typeof(VfioNative.DmaMap), 32)]
    [InlineData(typeof(VfioNative.DmaUnmap), 24)]
    [InlineData(typeof(VfioNative.RLimit), 16)]
    public void Argument_sizes_match_the_kernel(Type type, int size) => Assert.Equal(size, Marshal.SizeOf(type));

    [Theory]
    [InlineData(typeof(VfioNative.RegionInfo), "CapOffset", 12)]
    [InlineData(typeof(VfioNative.RegionInfo), "Size", 16)]
    [InlineData(typeof(VfioNative.RegionInfo), "Offset", 24)]
    [InlineData(typeof(VfioNative.DeviceInfo), "NumIrqs", 12)]
    [InlineData(typeof(VfioNative.DeviceInfo), "CapOffset", 16)]
    [InlineData(typeof(VfioNative.IrqSet), "Count", 16)]
    [InlineData(typeof(VfioNative.IommuType1Info), "IovaPageSizes", 8)]
    [InlineData(typeof(VfioNative.IommuType1Info), "CapOffset", 16)]
    [InlineData(typeof(VfioNative.DmaMap), "VirtualAddress", 8)]
    [InlineData(typeof(VfioNative.DmaMap), "Iova", 16)]
    [InlineData(typeof(VfioNative.DmaMap), "Size", 24)]
    [InlineData(typeof(VfioNative.DmaUnmap), "Iova", 8)]
    [InlineData(typeof(VfioNative.DmaUnmap), "Size", 16)]
    public void Field_offsets_match_the_kernel(Type type, string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf(type, field));

    /// <summary>A vfio_iommu_type1_info buffer with the given chain: (offset, id, next, payload).</summary>
    private static byte[] Info(int size, uint flags, uint capOffset, params (int Offset, ushort Id, uint Next, byte[] Body)[] caps)
    {
        byte[] b = new byte[size];
        BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)size);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), flags);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), 0x40201000);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), capOffset);
        foreach (var (offset, id, next, body) in caps)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(offset), id);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(offset + 2), 1);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(offset + 4), next);
            body.CopyTo(b, offset + 8);
        }

        return b;
    }

    private static byte[] Ranges(params (ulong Start, ulong End)[] ranges) => Ranges((uint)ranges.Length, ranges);

    private static byte[] Ranges(uint count, params (ulong Start, ulong End)[] ranges)
    {
        byte[] b = new byte[8 + (16 * ranges.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(b, count);
        for (int i = 0; i < ranges.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8 + (i * 16)), ranges[i].Start);
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16 + (i * 16)), ranges[i].End);
        }

        return b;
    }

    [Fact]
    public void The_x86_info_with_a_dma_avail_cap_before_the_ranges_parses_to_the_measured_ranges()
    {
        byte[] ranges = Ranges((0, 0xfedfffff), (0xfef00000, 0x7fffffffff));
        byte[] avail = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(avail, 65535);
        byte[] info = Info(24 + 16 + 8 + ranges.Length, 3, 24, (24, VfioNative.CapDmaAvailable, 40, avail), (40, VfioNative.CapIovaRange, 0, ranges));
        (IovaRange[] parsed, ulong pageSizes) = VfioType1Container.ParseInfo(info);
        Assert.Equal([new IovaRange(0, 0xfedfffff), new IovaRange(0xfef00000, 0x7fffffffff)], parsed);
        Assert.Equal(0x40201000UL, pageSizes);
    }

    [Fact]
    public void Without_capabilities_the_whole_space_is_one_range()
    {
        (IovaRange[] parsed, _) = VfioType1Container.ParseInfo(Info(24, 1, 0));
        Assert.Equal([new IovaRange(0, ulong.MaxValue)], parsed);
    }

    [Theory]
    [InlineData(24, 24)] // points at itself: a loop
    [InlineData(24, 16)] // goes backwards into the header
    [InlineData(200, 0)] // first entry past the end
    [InlineData(26, 0)] // misaligned
    [InlineData(8, 0)] // inside the fixed header
    public void Hostile_chains_are_refused_with_an_error_not_a_hang(uint first, uint next)
    {
        byte[] info = Info(64, 3, first, first is 24 or 26 ? [(24, 5, next, [])] : []);
        if (first == 26)
        {
            info = Info(64, 3, 26);
        }

        Assert.Throws<InvalidDataException>(() => VfioType1Container.ParseInfo(info));
    }

    [Fact]
    public void A_range_count_larger_than_the_entry_and_reversed_ranges_are_refused()
    {
        byte[] lying = Info(24 + 8 + 24, 3, 24, (24, VfioNative.CapIovaRange, 0, Ranges(1000, (0, 0xfff))));
        Assert.Contains("claims 1000 ranges", Assert.Throws<InvalidDataException>(() => VfioType1Container.ParseInfo(lying)).Message, StringComparison.Ordinal);
        byte[] reversed = Info(24 + 8 + 24, 3, 24, (24, VfioNative.CapIovaRange, 0, Ranges((0x2000, 0x1000))));
        Assert.Throws<InvalidDataException>(() => VfioType1Container.ParseInfo(reversed));
        byte[] zero = Info(24 + 8 + 24, 3, 24, (24, VfioNative.CapIovaRange, 0, Ranges(0, (0, 0xfff))));
        Assert.Throws<InvalidDataException>(() => VfioType1Container.ParseInfo(zero));
    }

    [Fact]
    public void A_chain_walk_is_bounded_by_the_buffer()
    {
        // 100 entries each pointing to the next, the last to 0: all parsed, in order.
        byte[] b = new byte[24 + (100 * 8)];
        for (int i = 0; i < 100; i++)
        {
            int at = 24 + (i * 8);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), (ushort)(i + 10));
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at + 4), i == 99 ? 0 : (uint)(at + 8));
        }

        List<VfioCapability> caps = VfioCapabilities.Parse(b, 24, 24);
        Assert.Equal(100, caps.Count);
        Assert.Equal(8, caps[0].Length);
        Assert.Equal(8, caps[^1].Length);
    }
}
