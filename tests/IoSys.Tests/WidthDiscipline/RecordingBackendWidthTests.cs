using IoSys.Tests.Support;

namespace IoSys.Tests.WidthDiscipline;

/// <summary>
/// Width discipline, proved with a backend that records every call: one call per typed operation with its exact
/// region offset and width (through windows: window offset + access offset, never an address); bulk operations on
/// I/O memory in aligned chunks, widest accepted first, never wider than allowed; width rules respected; nothing
/// recorded when a check fails.
/// </summary>
public sealed class RecordingBackendWidthTests
{
    private const long Size = 0x400;

    private static (RecordingBackend Backend, IoSysMap Map) Device(IoMapOptions? options = null)
    {
        var backend = new RecordingBackend(Size);
        for (int i = 0; i < Size; i++)
        {
            backend.Memory[i] = (byte)(i * 7 + 1);
        }

        return (backend, IoSysMap.Create(backend, Size, options));
    }

    /// <summary>QEMU edu's layout: 4 or 8 bytes everywhere, only 4 bytes in [0x00, 0x80).</summary>
    private static IoMapOptions EduLayout => new()
    {
        Space = IoSpace.IoMemory,
        Widths = AccessWidths.Bits32 | AccessWidths.Bits64,
        WidthRules = [new IoWidthRule(0x00, 0x80, AccessWidths.Bits32)],
    };

    private static (long Offset, int Width, IoDirection Direction)[] Calls(RecordingBackend backend) =>
        [.. backend.Accesses.Select(a => (a.Offset, a.Width, a.Direction))];

    private static void AssertSingleCall(RecordingBackend backend, long offset, int width, IoDirection direction)
    {
        IoAccess call = Assert.Single(backend.Accesses);
        Assert.Equal((offset, width, direction), (call.Offset, call.Width, call.Direction));
        backend.ClearLog();
    }

    [Theory]
    [InlineData(1, 0x81L, 0xABUL)]
    [InlineData(2, 0x82L, 0xABCDUL)]
    [InlineData(4, 0x84L, 0xABCD_EF01UL)]
    [InlineData(8, 0x88L, 0xABCD_EF01_2345_6789UL)]
    public void Run_time_width_access_is_one_call_of_that_width(int width, long offset, ulong value)
    {
        (RecordingBackend backend, IoSysMap map) = Device(new IoMapOptions { Space = IoSpace.IoMemory });
        map.Write(offset, width, value);
        AssertSingleCall(backend, offset, width, IoDirection.Write);
        backend.ClearLog();
        Assert.Equal(value, map.Read(offset, width));
        AssertSingleCall(backend, offset, width, IoDirection.Read);
    }

    [Fact]
    public void Run_time_width_access_is_checked_and_a_value_too_wide_is_refused_not_truncated()
    {
        (RecordingBackend backend, IoSysMap map) = Device(EduLayout);
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => map.Read(0x00, 1)).Error);
        Assert.Equal(IoAccessError.Misaligned, Assert.Throws<IoAccessException>(() => map.Write(0x84, 8, 0)).Error);
        ArgumentOutOfRangeException tooWide = Assert.Throws<ArgumentOutOfRangeException>(() => map.Write(0x80, 4, 0x1_0000_0000));
        Assert.Contains("0x100000000", tooWide.Message, StringComparison.Ordinal);
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => map.Read(0x80, 3)).ParamName);
        Assert.Empty(backend.Accesses);
    }

    [Fact]
    public void Every_typed_read_is_one_call_with_its_exact_offset_and_width()
    {
        (RecordingBackend backend, IoSysMap map) = Device();
        using (map)
        {
            Assert.Equal(backend.Memory[0x11], map.Read8(0x11));
            AssertSingleCall(backend, 0x11, 1, IoDirection.Read);
            Assert.Equal(BitConverter.ToUInt16(backend.Memory, 0x12), map.Read16(0x12));
            AssertSingleCall(backend, 0x12, 2, IoDirection.Read);
            Assert.Equal(BitConverter.ToUInt32(backend.Memory, 0x14), map.Read32(0x14));
            AssertSingleCall(backend, 0x14, 4, IoDirection.Read);
            Assert.Equal(BitConverter.ToUInt64(backend.Memory, 0x18), map.Read64(0x18));
            AssertSingleCall(backend, 0x18, 8, IoDirection.Read);
            Assert.Equal(BitConverter.ToInt32(backend.Memory, 0x24), map.Read<int>(0x24));
            AssertSingleCall(backend, 0x24, 4, IoDirection.Read);
            Assert.True(map.TryRead64(0x28, out ulong value));
            Assert.Equal(BitConverter.ToUInt64(backend.Memory, 0x28), value);
            AssertSingleCall(backend, 0x28, 8, IoDirection.Read);
            _ = map.ReadBigEndian32(0x30);
            AssertSingleCall(backend, 0x30, 4, IoDirection.Read);
            _ = map.ReadField(0x40, static (ref RegisterBlock r) => ref r.Status);
            AssertSingleCall(backend, 0x40 + RegisterBlock.Status16Offset, 2, IoDirection.Read);
        }
    }

    [Fact]
    public void Every_typed_write_is_one_call_with_its_exact_offset_width_and_value()
    {
        (RecordingBackend backend, IoSysMap map) = Device();
        using (map)
        {
            map.Write8(0x21, 0xAB);
            Assert.Equal(new IoAccess(0x21, 1, IoDirection.Write, 0xAB), Assert.Single(backend.Accesses));
            backend.ClearLog();
            map.Write16(0x22, 0xBEEF);
            Assert.Equal(new IoAccess(0x22, 2, IoDirection.Write, 0xBEEF), Assert.Single(backend.Accesses));
            backend.ClearLog();
            map.Write32(0x24, 0xDEADBEEF);
            Assert.Equal(new IoAccess(0x24, 4, IoDirection.Write, 0xDEADBEEF), Assert.Single(backend.Accesses));
            backend.ClearLog();
            map.Write64(0x28, 0x0123456789ABCDEF);
            Assert.Equal(new IoAccess(0x28, 8, IoDirection.Write, 0x0123456789ABCDEF), Assert.Single(backend.Accesses));
            backend.ClearLog();
            map.WriteBigEndian16(0x30, 0x1234);
            Assert.Equal(new IoAccess(0x30, 2, IoDirection.Write, 0x3412), Assert.Single(backend.Accesses));
            backend.ClearLog();
            Assert.True(map.TryWrite(0x38, (short)-2));
            Assert.Equal(new IoAccess(0x38, 2, IoDirection.Write, 0xFFFE), Assert.Single(backend.Accesses));
            backend.ClearLog();
            map.WriteField(0x40, static (ref RegisterBlock r) => ref r.Address, 0x1122334455667788UL);
            Assert.Equal(new IoAccess(0x48, 8, IoDirection.Write, 0x1122334455667788UL), Assert.Single(backend.Accesses));
        }
    }

    [Fact]
    public void Accesses_through_nested_windows_reach_the_backend_at_window_offset_plus_access_offset()
    {
        (RecordingBackend backend, IoSysMap map) = Device();
        using (map)
        using (IoSysMap window = map.Slice(0x100))
        using (IoSysMap inner = window.Slice(0x10, 0x40))
        {
            Assert.True(window.Address.IsNull, "a backend map has no address to add");
            Assert.Equal(0x110, inner.RegionOffset);
            inner.Write32(4, 0xCAFEF00D);
            Assert.Equal(new IoAccess(0x114, 4, IoDirection.Write, 0xCAFEF00D), Assert.Single(backend.Accesses));
            backend.ClearLog();
            Assert.Equal(0xCAFEF00Du, window.Read32(0x14));
            AssertSingleCall(backend, 0x114, 4, IoDirection.Read);
            inner.WriteBytes(0x3d, [1, 2, 3]);
            Assert.Equal([(0x14d, 1, IoDirection.Write), (0x14e, 2, IoDirection.Write)], Calls(backend));
        }
    }

    [Fact]
    public void Typed_alignment_on_a_backend_window_is_judged_on_the_region_offset()
    {
        (RecordingBackend backend, IoSysMap map) = Device();
        using (map)
        using (IoSysMap odd = map.Slice(0x101))
        {
            Assert.Equal(IoAccessError.Misaligned, Assert.Throws<IoAccessException>(() => odd.Read32(0)).Error);
            Assert.Empty(backend.Accesses);
            _ = odd.Read32(3);
            AssertSingleCall(backend, 0x104, 4, IoDirection.Read);
        }
    }

    [Fact]
    public void Bulk_write_on_io_memory_is_aligned_chunks_widest_first()
    {
        (RecordingBackend backend, IoSysMap map) = Device();
        using (map)
        {
            byte[] data = [.. Enumerable.Range(0, 29).Select(i => (byte)(0x80 + i))];
            map.WriteBytes(3, data);
            Assert.Equal(
                [(3, 1, IoDirection.Write), (4, 4, IoDirection.Write), (8, 8, IoDirection.Write), (16, 8, IoDirection.Write), (24, 8, IoDirection.Write)],
                Calls(backend));
            Assert.Equal(data, backend.Memory.AsSpan(3, 29).ToArray());
        }
    }

    [Fact]
    public void Bulk_read_on_io_memory_is_aligned_chunks_and_ends_with_narrowing_widths()
    {
        (RecordingBackend backend, IoSysMap map) = Device();
        using (map)
        {
            byte[] buffer = new byte[15];
            map.ReadBytes(0x40, buffer);
            Assert.Equal([(0x40, 8, IoDirection.Read), (0x48, 4, IoDirection.Read), (0x4c, 2, IoDirection.Read), (0x4e, 1, IoDirection.Read)], Calls(backend));
            Assert.Equal(backend.Memory.AsSpan(0x40, 15).ToArray(), buffer);
        }
    }

    [Theory]
    [InlineData(AccessWidths.Bits8, 1)]
    [InlineData(AccessWidths.Bits8 | AccessWidths.Bits16, 2)]
    [InlineData(AccessWidths.Bits8 | AccessWidths.Bits16 | AccessWidths.Bits32, 4)]
    [InlineData(AccessWidths.All, 8)]
    public void Bulk_operations_with_a_widths_limit_never_use_a_wider_access(AccessWidths widths, int widest)
    {
        (RecordingBackend backend, IoSysMap map) = Device();
        using (map)
        {
            map.WriteBytes(0x10, new byte[32], widths);
            map.ReadBytes(0x10, new byte[32], widths);
            map.Fill(0x10, 32, 0x5A, widths);
            Assert.All(backend.Accesses, a => Assert.True(a.Width <= widest && ((int)widths & a.Width) != 0, $"{a} exceeds {widths}"));
            Assert.Equal(3 * 32 / widest, backend.Accesses.Count); // aligned start: every chunk is the widest allowed
        }
    }

    [Fact]
    public void Fill_on_io_memory_writes_the_repeated_byte_in_aligned_chunks()
    {
        (RecordingBackend backend, IoSysMap map) = Device();
        using (map)
        {
            map.Fill(0x0e, 12, 0xA7);
            Assert.Equal(
                [new IoAccess(0x0e, 2, IoDirection.Write, 0xA7A7), new IoAccess(0x10, 8, IoDirection.Write, 0xA7A7A7A7A7A7A7A7), new IoAccess(0x18, 2, IoDirection.Write, 0xA7A7)],
                backend.Accesses);
        }
    }

    [Fact]
    public void Edu_layout_refuses_non_4_byte_accesses_below_0x80_and_records_nothing()
    {
        (RecordingBackend backend, IoSysMap map) = Device(EduLayout);
        using (map)
        {
            Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => map.Read8(0x00)).Error);
            Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => map.Read64(0x08)).Error);
            Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => map.Write16(0x20, 1)).Error);
            Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => map.Read8(0x80)).Error);
            Assert.False(map.TryRead16(0x84, out _));
            Assert.Empty(backend.Accesses);

            _ = map.Read32(0x04);
            AssertSingleCall(backend, 0x04, 4, IoDirection.Read);
            _ = map.Read64(0x80);
            AssertSingleCall(backend, 0x80, 8, IoDirection.Read);
        }
    }

    [Fact]
    public void Edu_layout_bulk_read_across_0x80_uses_4_byte_chunks_below_and_8_byte_chunks_above()
    {
        (RecordingBackend backend, IoSysMap map) = Device(EduLayout);
        using (map)
        {
            map.ReadBytes(0x78, new byte[0x18]);
            Assert.Equal([(0x78, 4, IoDirection.Read), (0x7c, 4, IoDirection.Read), (0x80, 8, IoDirection.Read), (0x88, 8, IoDirection.Read)], Calls(backend));
        }
    }

    [Theory]
    [InlineData(0x7e, 8)] // starts misaligned for the only width accepted there
    [InlineData(0x78, 6)] // leaves 2 bytes that no 4- or 8-byte access covers
    [InlineData(0x84, 13)] // leaves 1 byte past 0x90
    public void Edu_layout_bulk_write_that_cannot_be_covered_writes_nothing(long offset, int length)
    {
        (RecordingBackend backend, IoSysMap map) = Device(EduLayout);
        using (map)
        {
            byte[] before = (byte[])backend.Memory.Clone();
            IoAccessException fill = Assert.Throws<IoAccessException>(() => map.Fill(offset, length, 0x11));
            Assert.Equal(IoAccessError.WidthRefused, fill.Error);
            Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => map.WriteBytes(offset, new byte[length])).Error);
            Assert.False(map.TryWriteBytes(offset, new byte[length]));
            Assert.Empty(backend.Accesses);
            Assert.Equal(before, backend.Memory);
        }
    }

    [Fact]
    public void Edu_layout_fill_above_0x80_uses_8_byte_chunks_and_a_4_byte_tail()
    {
        (RecordingBackend backend, IoSysMap map) = Device(EduLayout);
        using (map)
        {
            map.Fill(0x84, 0x14, 0x11);
            Assert.Equal([(0x84, 4, IoDirection.Write), (0x88, 8, IoDirection.Write), (0x90, 8, IoDirection.Write)], Calls(backend));
        }
    }

    [Fact]
    public void A_12_byte_struct_is_read_as_8_then_4_when_8_byte_aligned_and_as_4_then_8_otherwise()
    {
        (RecordingBackend backend, IoSysMap map) = Device();
        using (map)
        {
            Words3 value = map.Read<Words3>(0x20);
            Assert.Equal([(0x20, 8, IoDirection.Read), (0x28, 4, IoDirection.Read)], Calls(backend));
            Assert.Equal(BitConverter.ToUInt32(backend.Memory, 0x28), value.C);
            backend.ClearLog();

            map.Write(0x34, new Words3 { A = 1, B = 2, C = 3 });
            Assert.Equal([(0x34, 4, IoDirection.Write), (0x38, 8, IoDirection.Write)], Calls(backend));
            Assert.Equal(3u, BitConverter.ToUInt32(backend.Memory, 0x3c));
        }
    }

    [Fact]
    public void A_7_byte_packed_struct_is_read_as_4_2_1()
    {
        (RecordingBackend backend, IoSysMap map) = Device();
        using (map)
        {
            _ = map.Read<Bytes7>(0x40);
            Assert.Equal([(0x40, 4, IoDirection.Read), (0x44, 2, IoDirection.Read), (0x46, 1, IoDirection.Read)], Calls(backend));
        }
    }

    [Fact]
    public void Nothing_reaches_the_backend_when_a_check_fails()
    {
        (RecordingBackend backend, IoSysMap map) = Device(IoMapOptions.IoMemory.AsReadOnly());
        using (map)
        {
            Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => map.Read32(Size)).Error);
            Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => map.Read8(-1)).Error);
            Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => map.ReadBytes(Size - 4, new byte[5])).Error);
            Assert.Equal(IoAccessError.Misaligned, Assert.Throws<IoAccessException>(() => map.Read64(4)).Error);
            Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.Write32(0, 1)).Error);
            Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.WriteBytes(0, new byte[16])).Error);
            Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.Fill(0, 16, 0)).Error);
            Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.Write(0, new Words3())).Error);
            Assert.False(map.TryWrite64(0, 1));
            Assert.False(map.TryRead32(2, out _));
            Assert.Empty(backend.Accesses);
        }
    }

    [Fact]
    public void CopyTo_between_io_maps_reads_and_writes_aligned_accepted_chunks()
    {
        (RecordingBackend source, IoSysMap from) = Device(EduLayout);
        (RecordingBackend destination, IoSysMap to) = Device();
        using (from)
        using (to)
        {
            from.CopyTo(0x78, to, 0x10, 0x18);
            Assert.Equal([(0x78, 4, IoDirection.Read), (0x7c, 4, IoDirection.Read), (0x80, 8, IoDirection.Read), (0x88, 8, IoDirection.Read)], Calls(source));
            Assert.All(destination.Accesses, a => Assert.Equal(IoDirection.Write, a.Direction));
            Assert.Equal(source.Memory.AsSpan(0x78, 0x18).ToArray(), destination.Memory.AsSpan(0x10, 0x18).ToArray());
        }
    }

    [Fact]
    public void CopyTo_between_regions_with_no_common_width_goes_through_a_buffer_instead_of_being_refused()
    {
        // Source accepts only 4-byte accesses, destination only bytes: no single access suits both, but each side
        // can be covered with its own widths, so the copy is possible (and was refused as WidthRefused before).
        var fourOnly = new IoMapOptions { Space = IoSpace.IoMemory, Widths = AccessWidths.Bits32 };
        var bytesOnly = new IoMapOptions { Space = IoSpace.IoMemory, Widths = AccessWidths.Bits8 };
        (RecordingBackend source, IoSysMap from) = Device(fourOnly);
        (RecordingBackend destination, IoSysMap to) = Device(bytesOnly);
        using (from)
        using (to)
        {
            from.CopyTo(0x10, to, 0x20, 8);
            Assert.Equal([(0x10, 4, IoDirection.Read), (0x14, 4, IoDirection.Read)], Calls(source));
            Assert.Equal([.. Enumerable.Range(0x20, 8).Select(o => ((long)o, 1, IoDirection.Write))], Calls(destination));
            Assert.Equal(source.Memory.AsSpan(0x10, 8).ToArray(), destination.Memory.AsSpan(0x20, 8).ToArray());
        }
    }

    [Fact]
    public void Overlapping_CopyTo_within_one_backend_copies_as_if_through_a_buffer()
    {
        (RecordingBackend backend, IoSysMap map) = Device();
        using (map)
        {
            byte[] original = backend.Memory.AsSpan(0x40, 0x20).ToArray();
            map.CopyTo(0x40, map, 0x48, 0x20);
            Assert.Equal(original, backend.Memory.AsSpan(0x48, 0x20).ToArray());
            Assert.All(backend.Accesses, a => Assert.True(a.Offset % a.Width == 0));
        }
    }

    [Fact]
    public void Overlapping_CopyTo_between_two_maps_over_the_same_backend_copies_as_if_through_a_buffer()
    {
        (RecordingBackend backend, IoSysMap first) = Device();
        using (first)
        using (IoSysMap second = IoSysMap.Create(backend, Size))
        {
            byte[] original = backend.Memory.AsSpan(0x40, 0x20).ToArray();
            first.CopyTo(0x40, second, 0x48, 0x20);
            Assert.Equal(original, backend.Memory.AsSpan(0x48, 0x20).ToArray());
        }
    }
}
