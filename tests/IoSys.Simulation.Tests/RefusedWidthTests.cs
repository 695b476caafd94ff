namespace IoSys.Simulation.Tests;

public sealed class RefusedWidthTests
{
    private static SimulatedDevice NewDevice(bool strict, Action<ulong>? onWrite = null)
    {
        var device = new SimulatedDevice("test", 0x100, AccessWidths.Bits32 | AccessWidths.Bits64,
            [new IoWidthRule(0, 0x40, AccessWidths.Bits32)], new SimulatedDeviceOptions { Strict = strict });
        device.AddRegister(new RegisterSpec("DATA", 0x08, 4) { ResetValue = 0x1234_5678, AfterWrite = onWrite });
        device.AddRegister(new RegisterSpec("WIDE", 0x40, 8) { ResetValue = 0x42 });
        return device;
    }

    [Fact]
    public void Checked_api_refuses_the_width_before_the_device_sees_it()
    {
        int writes = 0;
        using SimulatedDevice device = NewDevice(strict: true, _ => writes++);
        IoAccessException read = Assert.Throws<IoAccessException>(() => device.Map.Read8(0x08));
        Assert.Equal(IoAccessError.WidthRefused, read.Error);
        IoAccessException write = Assert.Throws<IoAccessException>(() => device.Map.Write64(0x08, 0));
        Assert.Equal(IoAccessError.WidthRefused, write.Error);
        Assert.Equal(0, writes);
        Assert.Empty(device.Faults); // The device never saw them.
    }

    [Fact]
    public void Raw_refused_read_reads_all_ones_and_refused_write_is_dropped_on_a_lenient_device()
    {
        int writes = 0;
        using SimulatedDevice device = NewDevice(strict: false, _ => writes++);
        Assert.Equal(ulong.MaxValue, UnsafeIoSysMap.Read64(device.Map, 0x08));
        Assert.Equal(0xff, UnsafeIoSysMap.Read8(device.Map, 0x08));
        UnsafeIoSysMap.Write64(device.Map, 0x08, 0);
        UnsafeIoSysMap.Write16(device.Map, 0x08, 0);
        Assert.Equal(0, writes);
        Assert.Equal(0x1234_5678u, device.Map.Read32(0x08));
        Assert.Collection(device.Faults,
            f => Assert.Equal((0x08L, 8, AccessDirection.Read), (f.Offset, f.Width, f.Direction)),
            f => Assert.Equal((0x08L, 1, AccessDirection.Read), (f.Offset, f.Width, f.Direction)),
            f => Assert.Equal((0x08L, 8, AccessDirection.Write), (f.Offset, f.Width, f.Direction)),
            f => Assert.Equal((0x08L, 2, AccessDirection.Write), (f.Offset, f.Width, f.Direction)));
    }

    [Fact]
    public void Raw_refused_access_throws_naming_offset_and_width_on_a_strict_device()
    {
        using SimulatedDevice device = NewDevice(strict: true);
        SimulatedBusException e = Assert.Throws<SimulatedBusException>(() => UnsafeIoSysMap.Read64(device.Map, 0x08));
        Assert.Equal(0x08, e.Offset);
        Assert.Equal(8, e.Width);
        Assert.Contains("0x8", e.Message, StringComparison.Ordinal);
        Assert.Contains("4-byte", e.Message, StringComparison.Ordinal);
        Assert.Throws<SimulatedBusException>(() => UnsafeIoSysMap.Write8(device.Map, 0x08, 1));
        Assert.Equal(0x1234_5678u, device.Peek(0x08));
    }

    [Theory]
    [InlineData(0x0a, 4)] // Misaligned.
    [InlineData(0x100, 4)] // Past the end.
    [InlineData(-8, 8)] // Negative.
    [InlineData(0x44, 4)] // Inside an 8-byte register, not at its start.
    public void Raw_accesses_the_checks_would_refuse_meet_the_bus_not_memory(long offset, int width)
    {
        using SimulatedDevice lenient = NewDevice(strict: false);
        ulong value = width == 8 ? UnsafeIoSysMap.Read64(lenient.Map, offset) : UnsafeIoSysMap.Read32(lenient.Map, offset);
        Assert.Equal(width == 8 ? ulong.MaxValue : 0xffff_ffffUL, value);
        Assert.Single(lenient.Faults);

        using SimulatedDevice strict = NewDevice(strict: true);
        SimulatedBusException e = Assert.Throws<SimulatedBusException>(() => UnsafeIoSysMap.Write32(strict.Map, offset, 0));
        Assert.Equal(offset, e.Offset);
        Assert.Equal(0x42UL, strict.Peek(0x40));
    }

    [Fact]
    public void Region_width_rules_are_the_maps_rules()
    {
        using SimulatedDevice device = NewDevice(strict: false);
        Assert.Equal(AccessWidths.Bits32, device.Map.WidthsAt(0x00));
        Assert.Equal(AccessWidths.Bits32 | AccessWidths.Bits64, device.Map.WidthsAt(0x40));
        Assert.True(device.Accepts(0x40, 8));
        Assert.False(device.Accepts(0x38, 8));
        Assert.True(device.Map.IsIoMem);
    }

    [Theory]
    [InlineData(0x0a, 4, "misaligned")]
    [InlineData(0x100, 4, "outside the 0x100-byte region")]
    [InlineData(0xfc, 8, "outside the 0x100-byte region")]
    [InlineData(-8, 8, "outside the 0x100-byte region")]
    [InlineData(0x08, 8, "the device accepts only 4-byte accesses here")]
    [InlineData(0x38, 8, "the device accepts only 4-byte accesses here")] // Straddles [0, 0x40) and [0x40, 0x100): both rules apply.
    [InlineData(0x40, 2, "the device accepts only 4- or 8-byte accesses here")]
    public void The_device_refuses_for_the_reason_the_cores_check_gives(long offset, int width, string reason)
    {
        using SimulatedDevice device = NewDevice(strict: false);
        _ = width == 2 ? UnsafeIoSysMap.Read16(device.Map, offset) : width == 8 ? UnsafeIoSysMap.Read64(device.Map, offset) : UnsafeIoSysMap.Read32(device.Map, offset);
        SimulatedBusFault fault = Assert.Single(device.Faults);
        Assert.Equal((offset, width, reason), (fault.Offset, fault.Width, fault.Reason));
        Assert.False(device.Accepts(offset, width));
        Assert.NotEqual(IoAccessError.None, device.Map.CheckAccess(offset, width, write: false));
    }

    [Fact]
    public void The_region_rules_still_answer_after_the_device_is_disposed()
    {
        SimulatedDevice device = NewDevice(strict: false);
        device.Dispose();
        Assert.True(device.Accepts(0x40, 8));
        Assert.False(device.Accepts(0x38, 8));
        Assert.False(device.Accepts(0x0a, 4));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(-1)]
    public void Accepts_refuses_a_width_that_is_not_an_access_width(int width)
    {
        using SimulatedDevice device = NewDevice(strict: false);
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => device.Accepts(0x40, width));
        Assert.Equal("width", e.ParamName);
    }

    [Fact]
    public void Bulk_reads_on_a_simulated_region_use_only_accepted_widths()
    {
        using SimulatedDevice device = NewDevice(strict: true); // A refused width would throw.
        var bytes = new byte[16];
        device.Map.ReadBytes(0x08, bytes);
        Assert.Equal(0x1234_5678u, BitConverter.ToUInt32(bytes, 0));
        Assert.Equal(0xffff_ffffu, BitConverter.ToUInt32(bytes, 4));
    }
}
