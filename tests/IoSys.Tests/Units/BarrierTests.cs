using IoSys.Tests.Support;

namespace IoSys.Tests.Units;

/// <summary>
/// <see cref="IoBarriers"/> and the ordered/relaxed accessor split on the host (x86-64, or arm64 when the native stub
/// is deployed): the barriers run, the cache maintenance checks its range and leaves the memory as it was, and ordered
/// and relaxed accesses see each other's values. The instructions themselves are checked by disassembly in the
/// hardware suite (tests/Hardware/check-ordering-disasm.sh).
/// </summary>
public sealed class BarrierTests
{
    [Fact]
    public void Every_barrier_runs()
    {
        IoBarriers.DmaWriteBarrier();
        IoBarriers.DmaReadBarrier();
        IoBarriers.WriteBarrier();
        IoBarriers.ReadBarrier();
        IoBarriers.FullBarrier();
    }

    [Fact]
    public void The_cache_line_size_is_a_power_of_two_in_the_architectural_range()
    {
        int line = IoBarriers.DataCacheLineSize;
        Assert.InRange(line, 16, 2048);
        Assert.Equal(0, line & (line - 1));
    }

    [Theory]
    [InlineData(0, 0x100)]
    [InlineData(0x3, 0x41)]
    [InlineData(0xff, 1)]
    [InlineData(0x100, 0)]
    public void Cache_maintenance_over_a_range_leaves_the_contents(long offset, long length)
    {
        using IoSysMap map = IoSysMap.Allocate(0x100, IoMapOptions.SystemMemory);
        for (int i = 0; i < 0x100; i++)
        {
            map.Write8(i, (byte)(i * 7));
        }

        IoBarriers.CleanDataCache(map, offset, length);
        IoBarriers.CleanInvalidateDataCache(map, offset, length);
        for (int i = 0; i < 0x100; i++)
        {
            Assert.Equal((byte)(i * 7), map.Read8(i));
        }
    }

    [Fact]
    public void Cache_maintenance_over_a_span_leaves_the_contents()
    {
        byte[] data = [.. Enumerable.Range(0, 300).Select(i => (byte)i)];
        IoBarriers.CleanDataCache(data.AsSpan(5, 200));
        IoBarriers.CleanInvalidateDataCache(data.AsSpan(1));
        IoBarriers.CleanDataCache(ReadOnlySpan<byte>.Empty);
        IoBarriers.CleanInvalidateDataCache([]);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (byte)i), data);
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, -1)]
    [InlineData(0, 0x101)]
    [InlineData(0x100, 1)]
    [InlineData(0x101, 0)]
    [InlineData(0x80, long.MaxValue)]
    [InlineData(long.MaxValue, 1)]
    public void Cache_maintenance_outside_the_map_is_refused_with_the_range(long offset, long length)
    {
        using IoSysMap map = IoSysMap.Allocate(0x100, IoMapOptions.SystemMemory);
        var e = Assert.Throws<IoAccessException>(() => IoBarriers.CleanDataCache(map, offset, length));
        Assert.Equal(IoAccessError.OutOfRange, e.Error);
        Assert.Equal(offset, e.Offset);
        Assert.Equal(length, e.Length);
        Assert.Equal(0x100, e.MapSize);
        Assert.Contains($"0x{offset:x}", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<IoAccessException>(() => IoBarriers.CleanInvalidateDataCache(map, offset, length));
        Assert.Equal(IoAccessError.OutOfRange, e.Error);
    }

    [Fact]
    public void Cache_maintenance_refuses_a_null_a_disposed_and_a_backend_map()
    {
        Assert.Throws<ArgumentNullException>(() => IoBarriers.CleanDataCache(null!, 0, 0));
        IoSysMap disposed = IoSysMap.Allocate(0x100, IoMapOptions.SystemMemory);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => IoBarriers.CleanDataCache(disposed, 0, 0x10));
        using IoSysMap backed = IoSysMap.Create(new RecordingBackend(0x100), 0x100);
        Assert.Throws<NotSupportedException>(() => IoBarriers.CleanInvalidateDataCache(backed, 0, 0x10));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Ordered_and_relaxed_accesses_see_each_others_values(bool io)
    {
        using IoSysMap map = IoSysMap.Allocate(0x40, io ? IoMapOptions.IoMemory : IoMapOptions.SystemMemory);
        map.Write8(0x00, 0x11);
        map.Write16Relaxed(0x02, 0x2222);
        map.Write32(0x04, 0x4444_4444);
        map.Write64Relaxed(0x08, 0x8888_8888_8888_8888);
        Assert.Equal(0x11, map.Read8Relaxed(0x00));
        Assert.Equal(0x2222, map.Read16(0x02));
        Assert.Equal(0x4444_4444u, map.Read32Relaxed(0x04));
        Assert.Equal(0x8888_8888_8888_8888, map.Read64(0x08));
        map.WriteRelaxed(0x10, 0x1234_5678u);
        Assert.Equal(0x1234_5678u, map.ReadRelaxed<uint>(0x10));
        Assert.Equal(0x1234_5678u, map.Read32(0x10));
    }

    [Fact]
    public void Relaxed_accesses_are_checked_like_ordered_ones()
    {
        using IoSysMap map = IoSysMap.Allocate(0x40, IoMapOptions.IoMemory);
        Assert.Equal(IoAccessError.Misaligned, Assert.Throws<IoAccessException>(() => map.Read32Relaxed(0x2)).Error);
        Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => map.Write64Relaxed(0x40, 1)).Error);
        Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => map.Read8Relaxed(-1)).Error);
    }

    [Fact]
    public void Ordered_accesses_reach_the_backend_as_one_access_of_the_width()
    {
        var backend = new RecordingBackend(0x40);
        using IoSysMap map = IoSysMap.Create(backend, 0x40);
        map.Write32(0x8, 0xCAFE_F00D);
        map.Write32Relaxed(0xC, 0x0BAD_F00D);
        Assert.Equal(0xCAFE_F00Du, map.Read32Relaxed(0x8));
        Assert.Equal(0x0BAD_F00Du, map.Read32(0xC));
        Assert.Equal(
            [new IoAccess(0x8, 4, IoDirection.Write, 0xCAFE_F00D), new IoAccess(0xC, 4, IoDirection.Write, 0x0BAD_F00D),
             new IoAccess(0x8, 4, IoDirection.Read, 0xCAFE_F00D), new IoAccess(0xC, 4, IoDirection.Read, 0x0BAD_F00D)],
            backend.Accesses);
    }
}
