using IoSys.Registers;
using IoSys.Devices.Edu;
using IoSys.Simulation;
using Edu = IoSys.Devices.Edu.EduRegisterBlock;

namespace IoSys.Analyzers.Tests;

/// <summary>The generated edu registers (IoSys.Simulation's EduRegisterBlock) against the simulated edu device.</summary>
public sealed class EduRegisterBlockTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly EduDevice _device;
    private readonly IoSysMap<Edu> _regs;

    public EduRegisterBlockTests()
    {
        _device = new EduDevice(new EduDeviceOptions { Time = _clock });
        _regs = _device.Map.AsKnownSize<Edu>();
    }

    public void Dispose() => _device.Dispose();

    [Fact]
    public void BlockMatchesTheDevice()
    {
        Assert.Equal(EduRegisters.BarSize, Edu.Size);
        Assert.Equal(AccessWidths.Bits32, _regs.WidthsAt(0x00, 4));
        Assert.Equal(AccessWidths.Bits32 | AccessWidths.Bits64, _regs.WidthsAt(0x80, 8));
        Assert.Equal(0x00, Edu.Identification.Offset);
        Assert.Equal(0x98, Edu.DmaCommand.Offset);
        Assert.Equal((32, RegisterAccess.RO), (Edu.Identification.Width, Edu.Identification.Access));
        Assert.Equal((64, RegisterAccess.RW), (Edu.DmaCommand.Width, Edu.DmaCommand.Access));
        Assert.Equal(RegisterAccess.WO, Edu.InterruptAcknowledge.Access);
    }

    [Fact]
    public void IdentificationAndLiveness()
    {
        Edu.Identification id = Edu.Identification.Read(_regs);
        Assert.True(id.IsEdu);
        Assert.Equal(1, id.Major);
        Assert.Equal(0, id.Minor);
        Assert.Equal(Edu.Identification.ResetValue, id);

        Edu.Liveness.Write(_regs, new Edu.Liveness(0x1234_5678));
        Assert.Equal(~0x1234_5678u, Edu.Liveness.Read(_regs).Value);
    }

    [Fact]
    public void FactorialWithTheInterruptRequested()
    {
        Edu.Status.Update(_regs, static s => s.WithIrqOnFactorial(true));
        Edu.Factorial.Write(_regs, default(Edu.Factorial).WithValue(5));
        Assert.True(Edu.Status.Read(_regs).Computing);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Edu.Status status = Edu.Status.Read(_regs);
        Assert.False(status.Computing);
        Assert.True(status.IrqOnFactorial);
        Assert.Equal(120u, Edu.Factorial.Read(_regs).Value);

        Assert.True(Edu.InterruptStatus.Read(_regs).FactorialDone);
        Edu.InterruptAcknowledge.Write(_regs, default(Edu.InterruptAcknowledge).WithFactorialDone(true));
        Assert.Equal(0u, Edu.InterruptStatus.Read(_regs).Raw);
    }

    [Fact]
    public void DmaCommandFieldsEncodeAsTheDeviceExpects()
    {
        Edu.DmaCommand command = default(Edu.DmaCommand).WithStart(true).WithDirection(EduDmaDirection.ToRam).WithIrqOnDone(true);
        Assert.Equal(0x7UL, command.Raw); // edu.rst: start (bit 0), to RAM (bit 1), interrupt when done (bit 2).

        Edu.DmaCount.Write(_regs, default(Edu.DmaCount).WithBytes(16));
        Assert.Equal(16UL, Edu.DmaCount.Read(_regs).Bytes);
        Assert.Equal(16UL, _device.Map.Read64(0x90));
    }
}
