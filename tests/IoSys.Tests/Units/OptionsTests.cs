namespace IoSys.Tests.Units;

/// <summary>Inconsistent options are refused when a map is created, not at the first access.</summary>
public sealed class OptionsTests
{
    [Fact]
    public void Width_restrictions_on_system_memory_are_refused()
    {
        Assert.Throws<ArgumentException>(() => IoSysMap.Allocate(0x10, new IoMapOptions { Widths = AccessWidths.Bits32 }));
        Assert.Throws<ArgumentException>(() => IoSysMap.Allocate(0x10, new IoMapOptions { WidthRules = [new IoWidthRule(0, 4, AccessWidths.Bits32)] }));
    }

    [Fact]
    public void Unaligned_io_memory_is_refused()
    {
        Assert.Throws<ArgumentException>(() => IoSysMap.Allocate(0x10, IoMapOptions.IoMemory with { AllowUnaligned = true }));
    }

    [Theory]
    [InlineData(-1, 4)]
    [InlineData(0, 0)]
    [InlineData(long.MaxValue, 2)]
    public void Invalid_width_rule_ranges_are_refused(long offset, long length)
    {
        var options = IoMapOptions.IoMemory with { WidthRules = [new IoWidthRule(offset, length, AccessWidths.Bits32)] };
        Assert.Throws<ArgumentException>(() => IoSysMap.Allocate(0x10, options));
    }

    [Fact]
    public void Widths_with_bits_that_are_not_widths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => IoSysMap.Allocate(0x10, IoMapOptions.IoMemory with { Widths = (AccessWidths)0x10 }));
        Assert.Throws<ArgumentException>(() => IoSysMap.Allocate(0x10, IoMapOptions.IoMemory with { Space = (IoSpace)7 }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(12)]
    public void Allocation_alignment_must_be_a_power_of_two_of_at_least_8(int alignment)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IoSysMap.Allocate(0x10, alignment: alignment));
        Assert.Throws<ArgumentOutOfRangeException>(() => IoSysMap.Allocate(-1));
    }

    [Fact]
    public void AsReadOnly_and_the_space_show_on_the_map()
    {
        using IoSysMap map = IoSysMap.Allocate(0x10, IoMapOptions.IoMemory.AsReadOnly());
        Assert.True(map.IsReadOnly);
        Assert.True(map.IsIoMem);
        Assert.Equal(IoSpace.IoMemory, map.Space);
        IoMapOptions readOnly = IoMapOptions.SystemMemory.AsReadOnly();
        Assert.True(readOnly.ReadOnly);
        Assert.Same(readOnly, readOnly.AsReadOnly());
        Assert.False(IoMapOptions.SystemMemory.ReadOnly); // AsReadOnly returns a copy
    }

    [Fact]
    public void Width_descriptions_name_each_width()
    {
        Assert.Equal("4- or 8-byte", (AccessWidths.Bits32 | AccessWidths.Bits64).Describe());
        Assert.Equal("1-, 2-, 4- or 8-byte", AccessWidths.All.Describe());
        Assert.Equal("2-byte", AccessWidths.Bits16.Describe());
        Assert.Equal("no", AccessWidths.None.Describe());
        Assert.Equal(8, AccessWidths.All.Widest());
        Assert.Equal(0, AccessWidths.None.Widest());
        Assert.False(AccessWidths.All.Allows(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => AccessWidthsExtensions.FromBytes(16));
    }
}
