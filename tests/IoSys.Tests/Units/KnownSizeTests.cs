namespace IoSys.Tests.Units;

/// <summary>Known-size windows (the Rust IoKnownSize): creation checks, attribute width rules, constant offsets.</summary>
public sealed class KnownSizeTests
{
    /// <summary>A 4 KiB page.</summary>
    public struct Page : IIoKnownSize
    {
        public static long Size => 0x1000;
    }

    /// <summary>edu's register page: 0x100 bytes, only 4-byte accesses in [0x00, 0x80).</summary>
    [IoWidthRule(0x00, 0x80, AccessWidths.Bits32)]
    public struct EduRegisters : IIoKnownSize
    {
        public static long Size => 0x100;
    }

    /// <summary>Smaller than some access widths.</summary>
    public struct TwoBytes : IIoKnownSize
    {
        public static long Size => 2;
    }

    [Fact]
    public void AsKnownSize_over_a_too_small_map_fails_naming_the_type_size_and_map_size()
    {
        using IoSysMap map = IoSysMap.Allocate(0xc0);
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.AsKnownSize<EduRegisters>());
        Assert.Equal(IoAccessError.OutOfRange, e.Error);
        Assert.Contains(nameof(EduRegisters), e.Message, StringComparison.Ordinal);
        Assert.Contains("0x100", e.Message, StringComparison.Ordinal);
        Assert.Contains("0xc0", e.Message, StringComparison.Ordinal);
        Assert.Throws<IoAccessException>(() => IoSysMap.Allocate(0x200).AsKnownSize<EduRegisters>(0x101));
        Assert.Throws<IoAccessException>(() => IoSysMap.Allocate(0x200).AsKnownSize<EduRegisters>(-1));
    }

    [Fact]
    public void Attribute_width_rules_are_enforced_even_on_a_map_without_rules()
    {
        using IoSysMap map = IoSysMap.Allocate(0x200, IoMapOptions.IoMemory);
        IoSysMap<EduRegisters> regs = map.AsKnownSize<EduRegisters>(0x100);
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => regs.Read8(0x00)).Error);
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => regs.Read64(0x08)).Error);
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => regs.Write16(0x7e, 1)).Error);
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => regs.ReadBytes(0x7e, new byte[4])).Error);
        regs.Write32(0x04, 0x1234_5678);
        Assert.Equal(0x1234_5678u, map.Read32(0x104));
        regs.Write8(0x80, 0x9a);
        Assert.Equal(0x9a, map.Read8(0x180));
        Assert.Equal(AccessWidths.Bits32, regs.WidthsAt(0x10));
        Assert.Equal(AccessWidths.All, map.WidthsAt(0x110)); // the parent keeps its own rules
    }

    [Fact]
    public void Constant_offset_reads_and_writes_go_to_the_window_offset()
    {
        using IoSysMap map = IoSysMap.Allocate(0x3000);
        IoSysMap<Page> page = map.AsKnownSize<Page>(0x1000);
        map.Write64(0x1ff8, 0x0102030405060708);
        Assert.Equal(0x0102030405060708UL, page.Read64(0xff8));
        Assert.Equal(0x0506u, page.Read16(0xffa));
        page.Write32(0x10, 0xAABBCCDD);
        Assert.Equal(0xAABBCCDDu, map.Read32(0x1010));
        Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => page.Read32(0x1000)).Error);
        Assert.Equal(IoAccessError.Misaligned, Assert.Throws<IoAccessException>(() => page.Read32(0x2)).Error);
        Assert.Equal(0x1000, page.Size);
    }

    [Fact]
    public void Known_size_fast_path_respects_a_misaligned_base_and_read_only_maps()
    {
        byte[] array = GC.AllocateArray<byte>(0x1010, pinned: true);
        using IoSysMap odd = IoSysMap.FromMemory(array.AsMemory(1), IoMapOptions.IoMemory.AsReadOnly());
        IoSysMap<EduRegisters> misaligned = odd.AsKnownSize<EduRegisters>(0);
        IoSysMap<EduRegisters> aligned = odd.AsKnownSize<EduRegisters>(7); // absolute address array + 8
        array[8] = 0x2a;
        Assert.Equal(IoAccessError.Misaligned, Assert.Throws<IoAccessException>(() => misaligned.Read32(0)).Error);
        Assert.Equal(0x2au, aligned.Read32(0));
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => aligned.Write32(0, 1)).Error);
        Assert.Equal(0x2a, array[8]);
    }

    [Fact]
    public void A_known_size_smaller_than_the_access_refuses_it_as_out_of_range()
    {
        using IoSysMap map = IoSysMap.Allocate(0x100);
        IoSysMap<TwoBytes> tiny = map.AsKnownSize<TwoBytes>(0x10);
        Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => tiny.Read64(0)).Error);
        Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => tiny.Write32(0, 1)).Error);
        tiny.Write16(0, 0xBEEF);
        Assert.Equal(0xBEEFu, map.Read16(0x10));
    }
}
