namespace IoSys.Tests.Units;

/// <summary>IoAddress: absolute addresses that are not integers; subtraction is the way back to offsets.</summary>
public sealed class AddressTests
{
    [Fact]
    public void Window_address_minus_owner_address_is_the_window_offset()
    {
        using IoSysMap owner = IoSysMap.Allocate(0x1000, IoMapOptions.IoMemory);
        using IoSysMap window = owner.Slice(0x123);
        using IoSysMap inner = window.Slice(0x45, 0x10);
        Assert.Equal(0x123, window.Address - owner.Address);
        Assert.Equal(0x168, inner.Address - owner.Address);
        Assert.Equal(-0x168, owner.Address - inner.Address);
    }

    [Fact]
    public void An_address_computed_from_the_base_reads_through_the_offset_it_converts_back_to()
    {
        using IoSysMap map = IoSysMap.Allocate(0x100);
        map.Write32(0x40, 0xFEEDFACE);
        IoAddress register = map.Address + 0x40;
        Assert.Equal(0xFEEDFACEu, map.Read32(register - map.Address));
    }

    [Fact]
    public void Arithmetic_and_ordering()
    {
        var a = new IoAddress(0x1000);
        Assert.Equal(new IoAddress(0x1010), a + 0x10);
        Assert.Equal(new IoAddress(0x0ff0), a + -0x10);
        Assert.Equal(a.Add(0x10), a + 0x10);
        Assert.Equal(0x10, (a + 0x10).Subtract(a));
        Assert.True(a < a + 1);
        Assert.True(a + 1 > a);
        IoAddress same = new(0x1000);
        Assert.True(a <= same && a >= same && a == same);
        Assert.True(a != a + 1);
        Assert.Equal(0, a.CompareTo(new IoAddress(0x1000)));
        Assert.Equal((nuint)0x1000, a.ToUIntPtr());
        Assert.Equal("0x1000", a.ToString());
        Assert.True(IoAddress.Null.IsNull);
        Assert.False(a.IsNull);
        Assert.Equal(IoAddress.Null, default);
    }

    [Fact]
    public void Owner_address_is_the_allocation_and_far_from_zero()
    {
        using IoSysMap map = IoSysMap.Allocate(0x100, alignment: 0x1000);
        Assert.True(map.Address.ToUIntPtr() % 0x1000 == 0);
        Assert.True(map.Address.ToUIntPtr() > 0x10000);
    }
}
