using static IoSys.Simulation.EduRegisters;

namespace IoSys.Simulation.Tests;

public sealed class EduDeviceTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly EduDevice _edu;
    private readonly IoSysMap _map;

    public EduDeviceTests()
    {
        _edu = new EduDevice(new EduDeviceOptions
        {
            Time = _clock,
            FactorialTime = TimeSpan.FromMilliseconds(10),
            DmaTime = TimeSpan.FromMilliseconds(100),
        });
        _map = _edu.Map;
    }

    public void Dispose() => _edu.Dispose();

    [Fact]
    public void Map_is_1_MiB_of_io_memory_with_edus_width_rules()
    {
        Assert.Equal(0x10_0000, _map.Size);
        Assert.True(_map.IsIoMem);
        Assert.Equal(AccessWidths.Bits32, _map.WidthsAt(0x7c));
        Assert.Equal(AccessWidths.Bits32 | AccessWidths.Bits64, _map.WidthsAt(0x80));
        Assert.Equal(AccessWidths.Bits32 | AccessWidths.Bits64, _map.WidthsAt(0xf_fff8, 8));
    }

    [Fact]
    public void Identification_is_read_only()
    {
        Assert.Equal(0x010000edu, _map.Read32(Identification));
        _map.Write32(Identification, 0);
        Assert.Equal(0x010000edu, _map.Read32(Identification));
    }

    [Fact]
    public void Liveness_reads_back_the_inverse()
    {
        Assert.Equal(0u, _map.Read32(Liveness));
        _map.Write32(Liveness, 0x0f0f_1234);
        Assert.Equal(0xf0f0_edcbu, _map.Read32(Liveness));
    }

    [Fact]
    public void Factorial_holds_the_busy_bit_until_its_time_has_passed_on_the_clock()
    {
        _map.Write32(Factorial, 6);
        Assert.Equal(StatusComputing, _map.Read32(Status) & StatusComputing);
        Assert.Equal(6u, _map.Read32(Factorial)); // Still the operand.
        _clock.Advance(TimeSpan.FromMilliseconds(9));
        Assert.True(_edu.IsComputing);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0u, _map.Read32(Status) & StatusComputing);
        Assert.Equal(720u, _map.Read32(Factorial));
        Assert.Equal(0u, _map.Read32(InterruptStatus)); // Bit 7 was not set: no interrupt.
    }

    [Fact]
    public void Factorial_wraps_in_32_bits_and_a_write_while_computing_is_ignored()
    {
        _map.Write32(Factorial, 13);
        _map.Write32(Factorial, 3);
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(unchecked((uint)6227020800UL), _map.Read32(Factorial));
    }

    [Fact]
    public void Status_computing_bit_is_read_only_and_bit_7_raises_the_factorial_interrupt()
    {
        _map.Write32(Status, 0xffff_ffff);
        Assert.Equal(StatusIrqOnFactorial, _map.Read32(Status));
        _map.Write32(Factorial, 4);
        Assert.False(_edu.Interrupt.IsAsserted);
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(IrqFactorial, _map.Read32(InterruptStatus));
        Assert.True(_edu.Interrupt.IsAsserted);
        Assert.Equal(1u, _edu.Interrupt.Count);
        _map.Write32(InterruptAcknowledge, IrqFactorial);
        Assert.Equal(0u, _map.Read32(InterruptStatus));
        Assert.False(_edu.Interrupt.IsAsserted);
    }

    [Fact]
    public void Interrupt_raise_and_acknowledge_set_and_clear_bits_and_drive_the_line()
    {
        _map.Write32(InterruptRaise, 0x30);
        Assert.Equal(0x30u, _map.Read32(InterruptStatus));
        Assert.True(_edu.Interrupt.IsAsserted);
        _map.Write32(InterruptAcknowledge, 0x10);
        Assert.Equal(0x20u, _map.Read32(InterruptStatus));
        Assert.True(_edu.Interrupt.IsAsserted);
        _map.Write32(InterruptAcknowledge, 0x20);
        Assert.False(_edu.Interrupt.IsAsserted);
        Assert.Equal(0xffff_ffffu, _map.Read32(InterruptRaise)); // Write-only: reads as unbacked.
        _map.Write32(InterruptStatus, 0x1); // Read-only.
        Assert.Equal(0u, _map.Read32(InterruptStatus));
    }

    [Fact]
    public void Dma_from_ram_to_device_and_back_takes_its_time_and_raises_the_dma_interrupt()
    {
        SimulatedDmaBuffer ram = _edu.SystemMemory.Allocate(4096);
        byte[] data = [.. Enumerable.Range(0, 64).Select(i => (byte)(i + 1))];
        ram.Map.WriteBytes(0, data);

        _map.Write64(DmaSource, ram.BusAddress);
        _map.Write64(DmaDestination, DmaBufferAddress + 0x10);
        _map.Write64(DmaCount, 64);
        _map.Write64(DmaCommand, DmaCommandValue(toRam: false, interrupt: true));
        Assert.True(_edu.IsDmaRunning);
        _map.Write64(DmaCount, 1); // Ignored while running.
        _clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(0, _edu.DmaBuffer.Read8(0x10));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(_edu.IsDmaRunning);
        Assert.Equal(DmaCommandValue(toRam: false, interrupt: true) & ~DmaStart, _map.Read64(DmaCommand));
        Assert.Equal(IrqDma, _map.Read32(InterruptStatus));
        var inDevice = new byte[64];
        _edu.DmaBuffer.ReadBytes(0x10, inDevice);
        Assert.Equal(data, inDevice);

        _map.Write32(InterruptAcknowledge, IrqDma);
        _map.Write64(DmaSource, DmaBufferAddress + 0x10);
        _map.Write64(DmaDestination, ram.BusAddress + 0x800);
        _map.Write64(DmaCommand, DmaCommandValue(toRam: true, interrupt: false));
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        var back = new byte[64];
        ram.Map.ReadBytes(0x800, back);
        Assert.Equal(data, back);
        Assert.Equal(0u, _map.Read32(InterruptStatus));
        Assert.Empty(_edu.Faults);
    }

    [Fact]
    public void Dma_command_without_the_start_bit_is_ignored()
    {
        _map.Write64(DmaCommand, DmaToRam | DmaIrqOnDone);
        Assert.Equal(0UL, _map.Read64(DmaCommand));
    }

    [Fact]
    public void Dma_outside_the_device_buffer_or_system_memory_is_not_performed_and_is_recorded()
    {
        SimulatedDmaBuffer ram = _edu.SystemMemory.Allocate(4096);
        _map.Write64(DmaSource, ram.BusAddress);
        _map.Write64(DmaDestination, DmaBufferAddress + 0xf00);
        _map.Write64(DmaCount, 0x200); // Runs past the 4 KiB buffer.
        _map.Write64(DmaCommand, DmaStart);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Contains("outside the device buffer", Assert.Single(_edu.Faults).Reason, StringComparison.Ordinal);

        _edu.ClearFaults();
        _map.Write64(DmaSource, ram.BusAddress + 4096); // The unmapped page after the buffer.
        _map.Write64(DmaDestination, DmaBufferAddress);
        _map.Write64(DmaCount, 16);
        _map.Write64(DmaCommand, DmaStart);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Contains("outside simulated system memory", Assert.Single(_edu.Faults).Reason, StringComparison.Ordinal);
        Assert.False(_edu.IsDmaRunning);
    }

    [Fact]
    public void Refused_widths_behave_as_on_qemu_through_the_raw_layer()
    {
        Assert.Equal(ulong.MaxValue, UnsafeIoSysMap.Read64(_map, Factorial)); // edu's own check: all ones.
        Assert.Equal(0, UnsafeIoSysMap.Read8(_map, Identification)); // QEMU's memory core: 0.
        Assert.Equal(0, UnsafeIoSysMap.Read16(_map, DmaSource));
        UnsafeIoSysMap.Write64(_map, Liveness, 0);
        Assert.Equal(0u, _map.Read32(Liveness));
        Assert.Equal(4, _edu.Faults.Count); // Three refused reads and one refused write, all recorded.
    }

    [Fact]
    public void Strict_edu_throws_for_a_drivers_wide_read_below_0x80()
    {
        using var strict = new EduDevice(new EduDeviceOptions { Strict = true, Time = _clock });
        SimulatedBusException e = Assert.Throws<SimulatedBusException>(() => UnsafeIoSysMap.Read64(strict.Map, Factorial));
        Assert.Equal(Factorial, e.Offset);
        Assert.Equal(8, e.Width);
    }

    [Fact]
    public void Unbacked_offsets_read_all_ones()
    {
        Assert.Equal(0xffff_ffffu, _map.Read32(0x0c));
        Assert.Equal(0xffff_ffffu, _map.Read32(0x84));
        Assert.Equal(ulong.MaxValue, _map.Read64(0xf_fff8));
    }

    [Fact]
    public void Reset_drops_work_in_progress_and_lowers_the_interrupt()
    {
        _map.Write32(Status, StatusIrqOnFactorial);
        _map.Write32(Factorial, 5);
        _map.Write32(InterruptRaise, 2);
        _edu.Reset();
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0u, _map.Read32(Factorial));
        Assert.Equal(0u, _map.Read32(Status));
        Assert.Equal(0u, _map.Read32(InterruptStatus));
        Assert.False(_edu.Interrupt.IsAsserted);
    }

    [Fact]
    public void SimulatedDevices_creates_edu_by_name_and_lists_names()
    {
        Assert.Contains("edu", SimulatedDevices.Names);
        using SimulatedDevice device = SimulatedDevices.Create("EDU");
        Assert.IsType<EduDevice>(device);
        Assert.Equal(0x010000edu, device.Map.Read32(0));
        ArgumentException e = Assert.Throws<ArgumentException>(() => SimulatedDevices.Create("nope"));
        Assert.Contains("edu", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Factorial_completes_on_the_system_clock_by_default()
    {
        using var edu = new EduDevice(new EduDeviceOptions { FactorialTime = TimeSpan.FromMilliseconds(2) });
        edu.Map.Write32(Factorial, 5);
        uint status = edu.Map.Poll<uint>(Status, s => (s & StatusComputing) == 0, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1));
        Assert.Equal(0u, status & StatusComputing);
        Assert.Equal(120u, edu.Map.Read32(Factorial));
    }
}
