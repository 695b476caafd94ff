using IoSys.Tests.Support;

namespace IoSys.Tests.Units;

/// <summary>The kernel's iosys_map_is_null / is_set / is_equal semantics.</summary>
public sealed class NullAndEqualityTests
{
    [Fact]
    public void Null_map_is_null_not_set_empty_and_refuses_every_access()
    {
        IoSysMap map = IoSysMap.Null;
        Assert.True(map.IsNull);
        Assert.False(map.IsSet);
        Assert.Equal(0, map.Size);
        Assert.True(map.Address.IsNull);
        Assert.Equal(IoSpace.SystemMemory, map.Space);
        Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => map.Read8(0)).Error);
        Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => map.Write64(0, 0)).Error);
        Assert.False(map.TryRead32(0, out _));
        Assert.False(map.TryWriteBytes(0, [1]));
        map.ReadBytes(0, []); // an empty range at offset 0 is within a 0-byte map
        Assert.Equal(AccessWidths.None, map.WidthsAt(0));
    }

    [Fact]
    public void Disposing_the_null_map_does_nothing()
    {
        IoSysMap.Null.Dispose();
        Assert.False(IoSysMap.Null.IsDisposed);
        Assert.False(IoSysMap.Null.TryRead8(0, out _));
    }

    [Fact]
    public void Null_equals_null_only()
    {
        using IoSysMap map = IoSysMap.Allocate(8);
        Assert.True(IoSysMap.Null.IsEqual(IoSysMap.Null));
        Assert.False(IoSysMap.Null.IsEqual(map));
        Assert.False(map.IsEqual(IoSysMap.Null));
        Assert.False(map.IsEqual(null));
        Assert.True(map.IsSet);
        Assert.False(map.IsNull);
    }

    [Fact]
    public void Maps_at_the_same_address_in_different_spaces_are_never_equal()
    {
        byte[] array = GC.AllocateArray<byte>(64, pinned: true);
        using IoSysMap system = IoSysMap.FromArray(array);
        using IoSysMap io = IoSysMap.FromArray(array, IoMapOptions.IoMemory);
        Assert.Equal(system.Address, io.Address);
        Assert.False(system.IsEqual(io));
        Assert.False(io.IsEqual(system));
        Assert.False(system.Equals((object)io));
    }

    [Fact]
    public void Maps_at_the_same_address_in_the_same_space_are_equal_whatever_their_size()
    {
        byte[] array = GC.AllocateArray<byte>(64, pinned: true);
        using IoSysMap whole = IoSysMap.FromArray(array, IoMapOptions.IoMemory);
        using IoSysMap part = IoSysMap.FromMemory(array.AsMemory(0, 16), IoMapOptions.IoMemory);
        using IoSysMap window = whole.Slice(0, 8);
        using IoSysMap moved = whole.Slice(4);
        Assert.True(whole.IsEqual(part));
        Assert.True(whole.IsEqual(window));
        Assert.Equal(whole.GetHashCode(), window.GetHashCode());
        Assert.False(whole.IsEqual(moved));
        Assert.True(moved.IsEqual(IoSysMap.FromMemory(array.AsMemory(4), IoMapOptions.IoMemory)));
    }

    [Fact]
    public void Backend_maps_are_equal_when_they_reach_the_same_backend_at_the_same_region_offset()
    {
        var backend = new RecordingBackend(0x100);
        using IoSysMap first = IoSysMap.Create(backend, 0x100);
        using IoSysMap second = IoSysMap.Create(backend, 0x80);
        using IoSysMap other = IoSysMap.Create(new RecordingBackend(0x100), 0x100);
        Assert.True(first.IsEqual(second));
        Assert.False(first.IsEqual(other));
        Assert.True(first.Slice(0x10).IsEqual(second.Slice(0x10)));
        Assert.False(first.Slice(0x10).IsEqual(second.Slice(0x20)));
        Assert.Same(backend, first.Backend);
    }
}
