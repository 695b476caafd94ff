using IoSys.Tests.Support;

namespace IoSys.Tests.Units;

/// <summary>UnsafeIoSysMap makes exactly the asked access with no check at all (only in-range offsets are used here).</summary>
public sealed unsafe class RawLayerTests
{
    [Fact]
    public void Raw_reads_a_width_the_rules_refuse()
    {
        var options = new IoMapOptions { Space = IoSpace.IoMemory, Widths = AccessWidths.Bits32 };
        using IoSysMap map = IoSysMap.Allocate(0x40, options);
        new Span<byte>((void*)map.Address.ToUIntPtr(), 0x40)[0x11] = 0x5c;
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => map.Read8(0x11)).Error);
        Assert.Equal(0x5c, UnsafeIoSysMap.Read8(map, 0x11));
        UnsafeIoSysMap.Write16(map, 0x12, 0xABCD);
        Assert.Equal(0xABCDu, UnsafeIoSysMap.Read16(map, 0x12));
        Assert.Equal(0xABCD5C00u, map.Read32(0x10));
    }

    [Fact]
    public void Raw_writes_ignore_read_only()
    {
        using IoSysMap map = IoSysMap.Allocate(0x40, IoMapOptions.SystemMemory.AsReadOnly());
        Assert.Throws<IoAccessException>(() => map.Write64(8, 1));
        UnsafeIoSysMap.Write64(map, 8, 0x1122334455667788);
        UnsafeIoSysMap.Write32(map, 0, 0xCAFEBABE);
        UnsafeIoSysMap.Write<short>(map, 4, -1);
        Assert.Equal(0x1122334455667788UL, map.Read64(8));
        Assert.Equal(0xCAFEBABEu, UnsafeIoSysMap.Read32(map, 0));
        Assert.Equal((short)-1, UnsafeIoSysMap.Read<short>(map, 4));
        Assert.Equal(0x1122334455667788UL, UnsafeIoSysMap.Read64(map, 8));
    }

    [Fact]
    public void Raw_access_on_a_backend_window_is_one_call_at_the_region_offset()
    {
        var backend = new RecordingBackend(0x100);
        using IoSysMap map = IoSysMap.Create(backend, 0x100, new IoMapOptions { Space = IoSpace.IoMemory, Widths = AccessWidths.Bits32 });
        using IoSysMap window = map.Slice(0x80);
        UnsafeIoSysMap.Write8(window, 3, 0x77);
        Assert.Equal(new IoAccess(0x83, 1, IoDirection.Write, 0x77), Assert.Single(backend.Accesses));
    }

    [Fact]
    public void Raw_layer_rejects_types_that_are_not_one_access_wide()
    {
        using IoSysMap map = IoSysMap.Allocate(0x40);
        Assert.Throws<ArgumentException>(() => UnsafeIoSysMap.Read<Bytes3>(map, 0));
        Assert.Throws<ArgumentException>(() => UnsafeIoSysMap.Write(map, 0, default(Words3)));
        Assert.Throws<ArgumentNullException>(() => UnsafeIoSysMap.Read32(null!, 0));
    }
}
