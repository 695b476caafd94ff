using IoSys.Devices.Edu;
using IoSys.Registers;
using static IoSys.Devices.Edu.EduRegisters;
using Edu = IoSys.Devices.Edu.EduRegisterBlock;

namespace IoSys.Simulation.Tests;

public sealed class EduDeviceTests : IDisposable
{
    // Bits as QEMU's docs/specs/edu.rst gives them, written out so that the model (and the generated block it is built
    // from) is checked against the spec, not against itself.
    private const uint StatusComputing = 0x01;
    private const uint StatusIrqOnFactorial = 0x80;
    private const uint IrqFactorial = 0x001;
    private const uint IrqDma = 0x100;
    private const ulong DmaStart = 0x1;
    private const ulong DmaToRam = 0x2;
    private const ulong DmaIrqOnDone = 0x4;

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
    public void Registers_are_the_generated_blocks_at_the_offsets_of_the_spec()
    {
        Assert.Equal(
            [
                ("ID", 0x00L, 4, RegisterAccess.RO, 0x010000edUL, AccessWidths.Bits32),
                ("LIVENESS", 0x04L, 4, RegisterAccess.RW, 0UL, AccessWidths.Bits32),
                ("FACTORIAL", 0x08L, 4, RegisterAccess.RW, 0UL, AccessWidths.Bits32),
                ("STATUS", 0x20L, 4, RegisterAccess.RW, 0UL, AccessWidths.Bits32),
                ("IRQ_STATUS", 0x24L, 4, RegisterAccess.RO, 0UL, AccessWidths.Bits32),
                ("IRQ_RAISE", 0x60L, 4, RegisterAccess.WO, 0UL, AccessWidths.Bits32),
                ("IRQ_ACK", 0x64L, 4, RegisterAccess.WO, 0UL, AccessWidths.Bits32),
                ("DMA_SRC", 0x80L, 8, RegisterAccess.RW, 0UL, AccessWidths.Bits32 | AccessWidths.Bits64),
                ("DMA_DST", 0x88L, 8, RegisterAccess.RW, 0UL, AccessWidths.Bits32 | AccessWidths.Bits64),
                ("DMA_CNT", 0x90L, 8, RegisterAccess.RW, 0UL, AccessWidths.Bits32 | AccessWidths.Bits64),
                ("DMA_CMD", 0x98L, 8, RegisterAccess.RW, 0UL, AccessWidths.Bits32 | AccessWidths.Bits64),
            ],
            _edu.Registers.Select(static r => (r.Name, r.Offset, r.Width, r.Access, r.ResetValue, r.AcceptedWidths)));

        // The device's registers are the block's, one for one.
        Assert.Equal(
            [
                (Edu.Identification.Offset, Edu.Identification.Width, Edu.Identification.Access),
                (Edu.Liveness.Offset, Edu.Liveness.Width, Edu.Liveness.Access),
                (Edu.Factorial.Offset, Edu.Factorial.Width, Edu.Factorial.Access),
                (Edu.Status.Offset, Edu.Status.Width, Edu.Status.Access),
                (Edu.InterruptStatus.Offset, Edu.InterruptStatus.Width, Edu.InterruptStatus.Access),
                (Edu.InterruptRaise.Offset, Edu.InterruptRaise.Width, Edu.InterruptRaise.Access),
                (Edu.InterruptAcknowledge.Offset, Edu.InterruptAcknowledge.Width, Edu.InterruptAcknowledge.Access),
                (Edu.DmaSource.Offset, Edu.DmaSource.Width, Edu.DmaSource.Access),
                (Edu.DmaDestination.Offset, Edu.DmaDestination.Width, Edu.DmaDestination.Access),
                (Edu.DmaCount.Offset, Edu.DmaCount.Width, Edu.DmaCount.Access),
                (Edu.DmaCommand.Offset, Edu.DmaCommand.Width, Edu.DmaCommand.Access),
            ],
            _edu.Registers.Select(static r => (r.Offset, r.Width * 8, r.Access)));
        Assert.Equal(Edu.Size, _edu.Size);
        Assert.Equal([new IoWidthRule(0, 0x80, AccessWidths.Bits32), new IoWidthRule(0x80, BarSize - 0x80, AccessWidths.Bits32 | AccessWidths.Bits64)], WidthRules);
    }

    [Fact]
    public void Generated_fields_encode_the_bits_of_the_spec()
    {
        Assert.Equal(StatusComputing, default(Edu.Status).WithComputing(true).Raw);
        Assert.Equal(StatusIrqOnFactorial, default(Edu.Status).WithIrqOnFactorial(true).Raw);
        Assert.Equal(IrqFactorial, default(Edu.InterruptStatus).WithFactorialDone(true).Raw);
        Assert.Equal(IrqDma, default(Edu.InterruptStatus).WithDmaDone(true).Raw);
        Assert.Equal(DmaCommandValue(toRam: true, interrupt: true),
            default(Edu.DmaCommand).WithStart(true).WithDirection(EduDmaDirection.ToRam).WithIrqOnDone(true).Raw);
        Assert.Equal(DmaStart, default(Edu.DmaCommand).WithStart(true).WithDirection(EduDmaDirection.ToDevice).Raw);
        Edu.Identification id = Edu.Identification.ResetValue;
        Assert.Equal((true, (byte)1, (byte)0), (id.IsEdu, id.Major, id.Minor));
    }

    [Fact]
    public void Identification_is_read_only()
    {
        Assert.Equal(0x010000edu, _map.Read32(Edu.Identification.Offset));
        _map.Write32(Edu.Identification.Offset, 0);
        Assert.Equal(0x010000edu, _map.Read32(Edu.Identification.Offset));
    }

    [Fact]
    public void Liveness_reads_back_the_inverse()
    {
        Assert.Equal(0u, _map.Read32(Edu.Liveness.Offset));
        _map.Write32(Edu.Liveness.Offset, 0x0f0f_1234);
        Assert.Equal(0xf0f0_edcbu, _map.Read32(Edu.Liveness.Offset));
    }

    [Fact]
    public void Factorial_holds_the_busy_bit_until_its_time_has_passed_on_the_clock()
    {
        _map.Write32(Edu.Factorial.Offset, 6);
        Assert.Equal(StatusComputing, _map.Read32(Edu.Status.Offset) & StatusComputing);
        Assert.Equal(6u, _map.Read32(Edu.Factorial.Offset)); // Still the operand.
        _clock.Advance(TimeSpan.FromMilliseconds(9));
        Assert.True(_edu.IsComputing);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0u, _map.Read32(Edu.Status.Offset) & StatusComputing);
        Assert.Equal(720u, _map.Read32(Edu.Factorial.Offset));
        Assert.Equal(0u, _map.Read32(Edu.InterruptStatus.Offset)); // Bit 7 was not set: no interrupt.
    }

    [Fact]
    public void Factorial_wraps_in_32_bits_and_a_write_while_computing_is_ignored()
    {
        _map.Write32(Edu.Factorial.Offset, 13);
        _map.Write32(Edu.Factorial.Offset, 3);
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(unchecked((uint)6227020800UL), _map.Read32(Edu.Factorial.Offset));
    }

    [Fact]
    public void Status_computing_bit_is_read_only_and_bit_7_raises_the_factorial_interrupt()
    {
        _map.Write32(Edu.Status.Offset, 0xffff_ffff);
        Assert.Equal(StatusIrqOnFactorial, _map.Read32(Edu.Status.Offset));
        _map.Write32(Edu.Factorial.Offset, 4);
        Assert.False(_edu.Interrupt.IsAsserted);
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(IrqFactorial, _map.Read32(Edu.InterruptStatus.Offset));
        Assert.True(_edu.Interrupt.IsAsserted);
        Assert.Equal(1u, _edu.Interrupt.Count);
        _map.Write32(Edu.InterruptAcknowledge.Offset, IrqFactorial);
        Assert.Equal(0u, _map.Read32(Edu.InterruptStatus.Offset));
        Assert.False(_edu.Interrupt.IsAsserted);
    }

    [Fact]
    public void Interrupt_raise_and_acknowledge_set_and_clear_bits_and_drive_the_line()
    {
        _map.Write32(Edu.InterruptRaise.Offset, 0x30);
        Assert.Equal(0x30u, _map.Read32(Edu.InterruptStatus.Offset));
        Assert.True(_edu.Interrupt.IsAsserted);
        _map.Write32(Edu.InterruptAcknowledge.Offset, 0x10);
        Assert.Equal(0x20u, _map.Read32(Edu.InterruptStatus.Offset));
        Assert.True(_edu.Interrupt.IsAsserted);
        _map.Write32(Edu.InterruptAcknowledge.Offset, 0x20);
        Assert.False(_edu.Interrupt.IsAsserted);
        Assert.Equal(0xffff_ffffu, _map.Read32(Edu.InterruptRaise.Offset)); // Write-only: reads as unbacked.
        _map.Write32(Edu.InterruptStatus.Offset, 0x1); // Read-only.
        Assert.Equal(0u, _map.Read32(Edu.InterruptStatus.Offset));
    }

    [Fact]
    public void Dma_from_ram_to_device_and_back_takes_its_time_and_raises_the_dma_interrupt()
    {
        SimulatedDmaBuffer ram = _edu.SystemMemory.Allocate(4096);
        byte[] data = [.. Enumerable.Range(0, 64).Select(i => (byte)(i + 1))];
        ram.Map.WriteBytes(0, data);

        _map.Write64(Edu.DmaSource.Offset, ram.BusAddress);
        _map.Write64(Edu.DmaDestination.Offset, DmaBufferAddress + 0x10);
        _map.Write64(Edu.DmaCount.Offset, 64);
        _map.Write64(Edu.DmaCommand.Offset, DmaCommandValue(toRam: false, interrupt: true));
        Assert.True(_edu.IsDmaRunning);
        _map.Write64(Edu.DmaCount.Offset, 1); // Ignored while running.
        _clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(0, _edu.DmaBuffer.Read8(0x10));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(_edu.IsDmaRunning);
        Assert.Equal(DmaCommandValue(toRam: false, interrupt: true) & ~DmaStart, _map.Read64(Edu.DmaCommand.Offset));
        Assert.Equal(IrqDma, _map.Read32(Edu.InterruptStatus.Offset));
        var inDevice = new byte[64];
        _edu.DmaBuffer.ReadBytes(0x10, inDevice);
        Assert.Equal(data, inDevice);

        _map.Write32(Edu.InterruptAcknowledge.Offset, IrqDma);
        _map.Write64(Edu.DmaSource.Offset, DmaBufferAddress + 0x10);
        _map.Write64(Edu.DmaDestination.Offset, ram.BusAddress + 0x800);
        _map.Write64(Edu.DmaCommand.Offset, DmaCommandValue(toRam: true, interrupt: false));
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        var back = new byte[64];
        ram.Map.ReadBytes(0x800, back);
        Assert.Equal(data, back);
        Assert.Equal(0u, _map.Read32(Edu.InterruptStatus.Offset));
        Assert.Empty(_edu.Faults);
    }

    [Fact]
    public void Dma_command_without_the_start_bit_is_ignored()
    {
        _map.Write64(Edu.DmaCommand.Offset, DmaToRam | DmaIrqOnDone);
        Assert.Equal(0UL, _map.Read64(Edu.DmaCommand.Offset));
    }

    [Fact]
    public void Dma_outside_the_device_buffer_or_system_memory_is_not_performed_and_is_recorded()
    {
        SimulatedDmaBuffer ram = _edu.SystemMemory.Allocate(4096);
        _map.Write64(Edu.DmaSource.Offset, ram.BusAddress);
        _map.Write64(Edu.DmaDestination.Offset, DmaBufferAddress + 0xf00);
        _map.Write64(Edu.DmaCount.Offset, 0x200); // Runs past the 4 KiB buffer.
        _map.Write64(Edu.DmaCommand.Offset, DmaStart);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Contains("outside the device buffer", Assert.Single(_edu.Faults).Reason, StringComparison.Ordinal);

        _edu.ClearFaults();
        _map.Write64(Edu.DmaSource.Offset, ram.BusAddress + 4096); // The unmapped page after the buffer.
        _map.Write64(Edu.DmaDestination.Offset, DmaBufferAddress);
        _map.Write64(Edu.DmaCount.Offset, 16);
        _map.Write64(Edu.DmaCommand.Offset, DmaStart);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Contains("outside simulated system memory", Assert.Single(_edu.Faults).Reason, StringComparison.Ordinal);
        Assert.False(_edu.IsDmaRunning);
    }

    [Fact]
    public void Refused_widths_behave_as_on_qemu_through_the_raw_layer()
    {
        Assert.Equal(ulong.MaxValue, UnsafeIoSysMap.Read64(_map, Edu.Factorial.Offset)); // edu's own check: all ones.
        Assert.Equal(0, UnsafeIoSysMap.Read8(_map, Edu.Identification.Offset)); // QEMU's memory core: 0.
        Assert.Equal(0, UnsafeIoSysMap.Read16(_map, Edu.DmaSource.Offset));
        UnsafeIoSysMap.Write64(_map, Edu.Liveness.Offset, 0);
        Assert.Equal(0u, _map.Read32(Edu.Liveness.Offset));
        Assert.Equal(4, _edu.Faults.Count); // Three refused reads and one refused write, all recorded.
    }

    [Fact]
    public void Strict_edu_throws_for_a_drivers_wide_read_below_0x80()
    {
        using var strict = new EduDevice(new EduDeviceOptions { Strict = true, Time = _clock });
        SimulatedBusException e = Assert.Throws<SimulatedBusException>(() => UnsafeIoSysMap.Read64(strict.Map, Edu.Factorial.Offset));
        Assert.Equal(Edu.Factorial.Offset, e.Offset);
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
        _map.Write32(Edu.Status.Offset, StatusIrqOnFactorial);
        _map.Write32(Edu.Factorial.Offset, 5);
        _map.Write32(Edu.InterruptRaise.Offset, 2);
        _edu.Reset();
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0u, _map.Read32(Edu.Factorial.Offset));
        Assert.Equal(0u, _map.Read32(Edu.Status.Offset));
        Assert.Equal(0u, _map.Read32(Edu.InterruptStatus.Offset));
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
        edu.Map.Write32(Edu.Factorial.Offset, 5);
        uint status = edu.Map.Poll<uint>(Edu.Status.Offset, s => (s & StatusComputing) == 0, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1));
        Assert.Equal(0u, status & StatusComputing);
        Assert.Equal(120u, edu.Map.Read32(Edu.Factorial.Offset));
    }

    private static ulong DmaCommandValue(bool toRam, bool interrupt) =>
        DmaStart | (toRam ? DmaToRam : 0) | (interrupt ? DmaIrqOnDone : 0);
}
