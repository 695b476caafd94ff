using IoSys.Registers;

namespace IoSys.Simulation.Tests;

public sealed class RegisterModelTests
{
    // A 0x100-byte device: 4-byte only below 0x40, 4 or 8 above.
    private static SimulatedDevice NewDevice(bool strict = false) => new(
        "test", 0x100, AccessWidths.Bits32 | AccessWidths.Bits64, [new IoWidthRule(0, 0x40, AccessWidths.Bits32)],
        new SimulatedDeviceOptions { Strict = strict });

    [Fact]
    public void Registers_start_at_their_reset_value_and_Reset_restores_it()
    {
        using SimulatedDevice device = NewDevice();
        device.AddRegister(new RegisterSpec("CTRL", 0x00, 4) { ResetValue = 0xabcd });
        Assert.Equal(0xabcdu, device.Map.Read32(0x00));
        device.Map.Write32(0x00, 7);
        Assert.Equal(7u, device.Map.Read32(0x00));
        device.Reset();
        Assert.Equal(0xabcdu, device.Map.Read32(0x00));
    }

    [Fact]
    public void ReadOnly_register_drops_writes_on_a_lenient_device()
    {
        using SimulatedDevice device = NewDevice();
        device.AddRegister(new RegisterSpec("ID", 0x00, 4) { Access = RegisterAccess.RO, ResetValue = 0x1234 });
        device.Map.Write32(0x00, 0xffff);
        Assert.Equal(0x1234u, device.Map.Read32(0x00));
        Assert.Empty(device.Faults);
    }

    [Fact]
    public void ReadOnly_register_write_throws_on_a_strict_device_and_changes_nothing()
    {
        using SimulatedDevice device = NewDevice(strict: true);
        device.AddRegister(new RegisterSpec("ID", 0x04, 4) { Access = RegisterAccess.RO, ResetValue = 0x1234 });
        SimulatedBusException e = Assert.Throws<SimulatedBusException>(() => device.Map.Write32(0x04, 1));
        Assert.Equal(0x04, e.Offset);
        Assert.Equal(4, e.Width);
        Assert.Contains("read-only", e.Message, StringComparison.Ordinal);
        Assert.Equal(0x1234u, device.Peek(0x04));
    }

    [Fact]
    public void WriteOnly_register_reads_as_unbacked_and_strict_device_throws()
    {
        using SimulatedDevice lenient = NewDevice();
        int written = 0;
        lenient.AddRegister(new RegisterSpec("DOORBELL", 0x08, 4) { Access = RegisterAccess.WO, AfterWrite = v => written = (int)v });
        lenient.Map.Write32(0x08, 5);
        Assert.Equal(5, written);
        Assert.Equal(0xffff_ffffu, lenient.Map.Read32(0x08));

        using SimulatedDevice strict = NewDevice(strict: true);
        strict.AddRegister(new RegisterSpec("DOORBELL", 0x08, 4) { Access = RegisterAccess.WO });
        Assert.Throws<SimulatedBusException>(() => strict.Map.Read32(0x08));
    }

    [Fact]
    public void WriteOneToClear_clears_exactly_the_bits_written_as_one()
    {
        using SimulatedDevice device = NewDevice();
        device.AddRegister(new RegisterSpec("ISR", 0x10, 4) { Access = RegisterAccess.W1C, ResetValue = 0b1011_0110 });
        device.Map.Write32(0x10, 0b0000_0110);
        Assert.Equal(0b1011_0000u, device.Map.Read32(0x10));
        device.Map.Write32(0x10, 0);
        Assert.Equal(0b1011_0000u, device.Map.Read32(0x10));
        device.Map.Write32(0x10, 0xffff_ffff);
        Assert.Equal(0u, device.Map.Read32(0x10));
    }

    [Fact]
    public void Read_handler_side_effect_clears_on_read()
    {
        using SimulatedDevice device = NewDevice();
        device.AddRegister(new RegisterSpec("EVENTS", 0x14, 4)
        {
            ResetValue = 9,
            OnRead = v => { device.Poke(0x14, 0); return v; }, // Read-to-clear.
        });
        Assert.Equal(9u, device.Map.Read32(0x14));
        Assert.Equal(0u, device.Map.Read32(0x14));
    }

    [Fact]
    public void Write_handler_computes_the_stored_value_and_after_write_sees_it()
    {
        using SimulatedDevice device = NewDevice();
        ulong seen = 0;
        device.AddRegister(new RegisterSpec("CTRL", 0x18, 4)
        {
            OnWrite = (current, written) => (current & 0xff00) | (written & 0xff), // Only the low byte is writable.
            ResetValue = 0x1200,
            AfterWrite = v => seen = v,
        });
        device.Map.Write32(0x18, 0xffff_ff34);
        Assert.Equal(0x1234u, device.Map.Read32(0x18));
        Assert.Equal(0x1234UL, seen);
    }

    [Fact]
    public void Narrower_accepted_width_reads_the_low_bytes_and_a_narrow_write_zero_extends()
    {
        using SimulatedDevice device = NewDevice();
        device.AddRegister(new RegisterSpec("ADDR", 0x40, 8) { Widths = AccessWidths.Bits32 | AccessWidths.Bits64 });
        device.Map.Write64(0x40, 0x1122_3344_5566_7788);
        Assert.Equal(0x5566_7788u, device.Map.Read32(0x40));
        device.Map.Write32(0x40, 0xabcd);
        Assert.Equal(0xabcdUL, device.Map.Read64(0x40));
    }

    [Fact]
    public void Unbacked_offsets_read_all_ones_and_drop_writes()
    {
        using SimulatedDevice device = NewDevice();
        device.Map.Write32(0x20, 1);
        Assert.Equal(0xffff_ffffu, device.Map.Read32(0x20));
        Assert.Equal(ulong.MaxValue, device.Map.Read64(0x80));
        Assert.Empty(device.Faults);
    }

    [Theory]
    [InlineData(0x02, 4)] // Misaligned.
    [InlineData(0x100, 4)] // Overlaps another register.
    [InlineData(0x1000, 4)] // Outside the region.
    [InlineData(0x08, 3)] // Not an access width.
    public void AddRegister_rejects_bad_declarations(long offset, int width)
    {
        using SimulatedDevice device = new("test", 0x1000);
        device.AddRegister(new RegisterSpec("A", 0x100, 4));
        Assert.Throws<ArgumentException>(() => device.AddRegister(new RegisterSpec("B", offset, width)));
    }

    [Fact]
    public void AddRegister_rejects_accepting_a_width_wider_than_the_register()
    {
        using SimulatedDevice device = new("test", 0x1000);
        Assert.Throws<ArgumentException>(() => device.AddRegister(new RegisterSpec("A", 0x100, 4) { Widths = AccessWidths.Bits64 }));
    }
}
