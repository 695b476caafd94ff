namespace IoSys.Linux.Tests;

/// <summary>
/// /dev/mem is not present here, so these tests point <see cref="PhysicalMemoryOptions.DevicePath"/> at a regular
/// file that plays physical memory: the file offset is the physical address, exactly as with /dev/mem.
/// </summary>
public sealed class PhysicalMemoryTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly byte[] _memory;
    private readonly string _path;

    public PhysicalMemoryTests()
    {
        _memory = new byte[4 * 4096];
        for (int i = 0; i < _memory.Length; i++)
        {
            _memory[i] = (byte)(i ^ (i >> 8));
        }

        _path = _dir.Write("mem", _memory);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Unaligned_address_maps_the_enclosing_pages_and_the_map_starts_exactly_there()
    {
        using IoSysMap map = PhysicalMemory.Open(0x1234, 0x100, new() { DevicePath = _path });

        Assert.Equal(0x100, map.Size);
        Assert.True(map.IsIoMem);
        for (int i = 0; i < 0x100; i++)
        {
            Assert.Equal(_memory[0x1234 + i], map.Read8(i));
        }

        ProcMaps.Entry mapping = Assert.Single(ProcMaps.For(_path));
        Assert.Equal(0x1000UL, mapping.Offset);
        Assert.Equal(4096UL, mapping.End - mapping.Start);
        Assert.Equal(mapping.Start + 0x234, map.Address.ToUIntPtr());
        // The rest of the enclosing page is mapped but not reachable.
        Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => map.Read8(0x100)).Error);
        Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => map.Read8(-1)).Error);
    }

    [Fact]
    public void A_range_across_a_page_boundary_maps_both_pages()
    {
        using IoSysMap map = PhysicalMemory.Open(0x1ff0, 0x20, new() { DevicePath = _path });
        ProcMaps.Entry mapping = Assert.Single(ProcMaps.For(_path));
        Assert.Equal(0x1000UL, mapping.Offset);
        Assert.Equal(2 * 4096UL, mapping.End - mapping.Start);
        Assert.Equal(BitConverter.ToUInt64(_memory, 0x2008), map.Read64(0x18));
    }

    [Fact]
    public void Writes_reach_the_device_and_dispose_unmaps_the_whole_mapping()
    {
        IoSysMap map = PhysicalMemory.Open(0x2010, 8, new() { DevicePath = _path });
        map.Write32(4, 0xa5a5a5a5);
        map.Dispose();
        Assert.Empty(ProcMaps.For(_path));
        Assert.Throws<ObjectDisposedException>(() => map.Read32(4));
        Assert.Equal(0xa5a5a5a5u, BitConverter.ToUInt32(File.ReadAllBytes(_path), 0x2014));
    }

    [Fact]
    public void Read_only_refuses_writes()
    {
        using IoSysMap map = PhysicalMemory.Open(0x10, 0x10, new() { DevicePath = _path, ReadOnly = true });
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.Write32(0, 0)).Error);
        Assert.StartsWith("r--", Assert.Single(ProcMaps.For(_path)).Permissions, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_ranges_are_refused_before_mapping()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PhysicalMemory.Open(0x1000, 0, new() { DevicePath = _path }));
        Assert.Throws<ArgumentOutOfRangeException>(() => PhysicalMemory.Open(0x1000, -4, new() { DevicePath = _path }));
        Assert.Throws<ArgumentOutOfRangeException>(() => PhysicalMemory.Open(ulong.MaxValue - 10, 100, new() { DevicePath = _path }));
        ArgumentOutOfRangeException past = Assert.Throws<ArgumentOutOfRangeException>(() => PhysicalMemory.Open(0x3ff0, 0x20, new() { DevicePath = _path }));
        Assert.Contains(_path, past.Message, StringComparison.Ordinal);
        Assert.Empty(ProcMaps.For(_path));
    }

    [Fact]
    public void Missing_device_names_the_path()
    {
        string missing = _dir.Combine("nomem");
        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => PhysicalMemory.Open(0, 4, new() { DevicePath = missing }));
        Assert.Equal(missing, e.FileName);
    }

    [Fact]
    public void Space_can_be_overridden_to_system_memory()
    {
        using IoSysMap map = PhysicalMemory.Open(0, 64, new() { DevicePath = _path, Space = IoSpace.SystemMemory });
        Assert.False(map.IsIoMem);
    }
}
