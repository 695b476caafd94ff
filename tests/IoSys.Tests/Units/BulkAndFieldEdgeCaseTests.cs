using IoSys.Tests.Support;

namespace IoSys.Tests.Units;

/// <summary>Edge cases the property suite found in bulk copies, error order and struct fields, pinned as named tests.</summary>
public sealed class BulkAndFieldEdgeCaseTests
{
    private static IoMapOptions ReadOnlyEdu => new()
    {
        Space = IoSpace.IoMemory,
        Widths = AccessWidths.Bits32 | AccessWidths.Bits64,
        WidthRules = [new IoWidthRule(0x00, 0x80, AccessWidths.Bits32)],
        ReadOnly = true,
    };

    [Fact]
    public void Overlapping_CopyTo_between_two_io_maps_over_the_same_array_copies_as_if_through_a_buffer()
    {
        // Two owners over one pinned array: they share no owner, but their bytes overlap. A forward chunked copy
        // from 8 bytes below the destination would read bytes it had already overwritten.
        byte[] array = GC.AllocateArray<byte>(0x80, pinned: true);
        new Random(1).NextBytes(array);
        byte[] expected = (byte[])array.Clone();
        Array.Copy(array, 0x10, expected, 0x18, 0x20);
        using IoSysMap first = IoSysMap.FromArray(array, IoMapOptions.IoMemory);
        using IoSysMap second = IoSysMap.FromMemory(array.AsMemory(8), IoMapOptions.IoMemory);
        first.CopyTo(0x10, second, 0x10, 0x20); // second's 0x10 is the array's 0x18
        Assert.Equal(expected, array);
    }

    [Fact]
    public void Overlapping_CopyTo_within_one_io_map_in_both_directions_is_a_memmove()
    {
        byte[] array = GC.AllocateArray<byte>(0x80, pinned: true);
        new Random(2).NextBytes(array);
        using IoSysMap map = IoSysMap.FromArray(array, IoMapOptions.IoMemory);
        byte[] expected = (byte[])array.Clone();
        Array.Copy(expected, 0x08, expected, 0x10, 0x30);
        map.CopyTo(0x08, map, 0x10, 0x30);
        Assert.Equal(expected, array);
        Array.Copy(expected, 0x13, expected, 0x03, 0x31);
        map.CopyTo(0x13, map, 0x03, 0x31);
        Assert.Equal(expected, array);
    }

    [Fact]
    public void Bulk_write_to_a_read_only_map_reports_an_uncoverable_range_before_read_only_as_single_accesses_do()
    {
        // Documented order: out of range, misaligned, refused width, then read-only.
        using IoSysMap map = IoSysMap.Allocate(0x100, ReadOnlyEdu);
        using IoSysMap source = IoSysMap.Allocate(0x100);
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => map.Write8(0x10, 1)).Error);
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => map.WriteBytes(0x7e, new byte[6])).Error);
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => map.Fill(0x10, 3, 0)).Error);
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => source.CopyTo(0, map, 0x10, 3)).Error);
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.WriteBytes(0x10, new byte[8])).Error);
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.Fill(0x80, 0x10, 0)).Error);
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => source.CopyTo(0, map, 0x80, 0x10)).Error);
        Assert.True(new ReadOnlySpan<byte>(new byte[0x100]).SequenceEqual(ReadAll(map)));
    }

    [Fact]
    public void Read_only_system_map_still_reads_in_bulk_and_refuses_writes()
    {
        using IoSysMap map = IoSysMap.Allocate(0x40, IoMapOptions.SystemMemory.AsReadOnly());
        Assert.Equal(new byte[0x40], ReadAll(map));
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.WriteBytes(0, [])).Error);
        Assert.False(map.TryWriteBytes(0, [1]));
    }

    [Fact]
    public void A_negative_struct_offset_is_out_of_range_even_when_the_field_would_land_inside_the_map()
    {
        var backend = new RecordingBackend(0x40);
        using IoSysMap map = IoSysMap.Create(backend, 0x40, IoMapOptions.SystemMemory);
        IoAccessException read = Assert.Throws<IoAccessException>(
            () => map.ReadField(-RegisterBlock.Address64Offset, static (ref RegisterBlock r) => ref r.Address));
        Assert.Equal(IoAccessError.OutOfRange, read.Error);
        Assert.Equal(-RegisterBlock.Address64Offset, read.Offset);
        IoAccessException write = Assert.Throws<IoAccessException>(
            () => map.WriteField(-2, static (ref RegisterBlock r) => ref r.Status, (ushort)1));
        Assert.Equal(IoAccessError.OutOfRange, write.Error);
        Assert.Empty(backend.Accesses);
    }

    [Fact]
    public void A_struct_offset_whose_field_offset_overflows_is_out_of_range()
    {
        using IoSysMap map = IoSysMap.Allocate(0x40);
        IoAccessException e = Assert.Throws<IoAccessException>(
            () => map.ReadField(long.MaxValue - 2, static (ref RegisterBlock r) => ref r.Data));
        Assert.Equal(IoAccessError.OutOfRange, e.Error);
    }

    [Fact]
    public void Field_access_uses_the_field_offset_and_width()
    {
        var backend = new RecordingBackend(0x100);
        using IoSysMap map = IoSysMap.Create(backend, 0x100);
        map.WriteField(0x40, static (ref RegisterBlock r) => ref r.Data, 0xA1B2C3D4u);
        Assert.Equal(new IoAccess(0x44, 4, IoDirection.Write, 0xA1B2C3D4), Assert.Single(backend.Accesses));
        Assert.Equal(RegisterBlock.Misaligned32Offset, IoSysMap.OffsetOf(static (ref RegisterBlock r) => ref r.Misaligned32));
        Assert.Equal(IoAccessError.Misaligned, Assert.Throws<IoAccessException>(
            () => map.ReadField(0x40, static (ref RegisterBlock r) => ref r.Misaligned32)).Error);
    }

    [Fact]
    public void OffsetOf_rejects_a_selector_that_does_not_return_a_field_of_its_argument()
    {
        Assert.Throws<ArgumentException>(() => IoSysMap.OffsetOf<RegisterBlock, uint>(static (ref RegisterBlock _) => ref Outside.Value));
    }

    private static class Outside
    {
        public static uint Value;
    }

    private static byte[] ReadAll(IoSysMap map)
    {
        byte[] bytes = new byte[map.Size];
        map.ReadBytes(0, bytes);
        return bytes;
    }
}
