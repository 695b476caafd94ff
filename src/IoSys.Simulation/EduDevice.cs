using static IoSys.Simulation.EduRegisters;

namespace IoSys.Simulation;

/// <summary>Options for <see cref="EduDevice"/>.</summary>
public sealed record EduDeviceOptions : SimulatedDeviceOptions
{
    /// <summary>
    /// How long, on the device's clock, the status register's computing bit stays set after a factorial is written,
    /// so that a driver must poll or wait for the interrupt. Default 10 ms.
    /// </summary>
    public TimeSpan FactorialTime { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>How long a DMA transfer takes on the device's clock. Default 100 ms, as QEMU's edu (virtual clock).</summary>
    public TimeSpan DmaTime { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The system memory DMA reaches. Default: a new, empty <see cref="SimulatedSystemMemory"/> owned by the device.</summary>
    public SimulatedSystemMemory? SystemMemory { get; init; }
}

/// <summary>
/// A model of QEMU's <c>edu</c> educational PCI device (QEMU <c>docs/specs/edu.rst</c>, <c>hw/misc/edu.c</c>): BAR0 as a
/// 1 MiB I/O-memory <see cref="SimulatedDevice.Map"/> with edu's width rules (<see cref="EduRegisters.WidthRules"/>).
/// </summary>
/// <remarks>
/// <para>Modelled: identification; liveness inversion; factorial computed on the device's clock with the computing
/// bit held for <see cref="EduDeviceOptions.FactorialTime"/> (writes while computing ignored; interrupt
/// <see cref="EduRegisters.IrqFactorial"/> if status bit 7 is set); interrupt status, raise and acknowledge, driving
/// <see cref="Interrupt"/>; DMA between the 4 KiB device buffer at device address 0x40000 and
/// <see cref="SystemMemory"/>, taking <see cref="EduDeviceOptions.DmaTime"/> (DMA registers ignore writes while a
/// transfer runs; interrupt <see cref="EduRegisters.IrqDma"/> if requested). Unbacked offsets and write-only registers
/// read all ones.</para>
/// <para>Refused accesses (reachable through <see cref="UnsafeIoSysMap"/>) behave as on QEMU: an 8-byte access below
/// 0x80 reads all ones and writes nothing (edu's own check); a 1- or 2-byte access reads 0 and writes nothing (QEMU's
/// memory core refuses accesses narrower than edu's minimum). Differences: a misaligned access reads all ones here,
/// where x86 TCG splices two registers; a DMA outside the device buffer or outside <see cref="SystemMemory"/> is not
/// performed and is recorded in <see cref="SimulatedDevice.Faults"/>, where QEMU logs a guest error.</para>
/// </remarks>
public sealed class EduDevice : SimulatedDevice
{
    private readonly byte[] _dmaBuffer = new byte[DmaBufferSize];
    private readonly bool _ownsSystemMemory;
    private readonly TimeSpan _factorialTime;
    private readonly TimeSpan _dmaTime;
    private long _generation; // Bumped by Reset: work scheduled before it is dropped.

    /// <summary>Creates the device, in its reset state.</summary>
    /// <param name="options">Timings, clock, strictness and system memory. Default: <see cref="EduDeviceOptions"/>'s defaults.</param>
    public EduDevice(EduDeviceOptions? options = null)
        : base("edu", BarSize, AccessWidths.All, EduRegisters.WidthRules, options ?? new EduDeviceOptions())
    {
        options ??= new EduDeviceOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FactorialTime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DmaTime, TimeSpan.Zero);
        _factorialTime = options.FactorialTime;
        _dmaTime = options.DmaTime;
        _ownsSystemMemory = options.SystemMemory is null;
        SystemMemory = options.SystemMemory ?? new SimulatedSystemMemory();
        DmaBuffer = IoSysMap.FromArray(_dmaBuffer);

        AddRegister(new RegisterSpec("ID", Identification, 4) { Access = RegisterAccess.ReadOnly, ResetValue = IdentificationValue });
        AddRegister(new RegisterSpec("LIVENESS", Liveness, 4) { OnWrite = static (_, written) => ~written });
        AddRegister(new RegisterSpec("FACTORIAL", Factorial, 4) { OnWrite = StartFactorial });
        AddRegister(new RegisterSpec("STATUS", Status, 4)
        {
            // Only the interrupt-enable bit is writable; the computing bit belongs to the device.
            OnWrite = static (current, written) => (current & StatusComputing) | (written & StatusIrqOnFactorial),
        });
        AddRegister(new RegisterSpec("IRQ_STATUS", InterruptStatus, 4) { Access = RegisterAccess.ReadOnly });
        AddRegister(new RegisterSpec("IRQ_RAISE", InterruptRaise, 4)
        {
            Access = RegisterAccess.WriteOnly,
            OnWrite = (_, written) => { SetInterruptStatus(Peek(InterruptStatus) | written); return 0; },
        });
        AddRegister(new RegisterSpec("IRQ_ACK", InterruptAcknowledge, 4)
        {
            Access = RegisterAccess.WriteOnly,
            OnWrite = (_, written) => { SetInterruptStatus(Peek(InterruptStatus) & ~written); return 0; },
        });

        const AccessWidths dmaWidths = AccessWidths.Bits32 | AccessWidths.Bits64;
        Func<ulong, ulong, ulong> unlessRunning = (current, written) => IsDmaRunning ? current : written;
        AddRegister(new RegisterSpec("DMA_SRC", DmaSource, 8) { Widths = dmaWidths, OnWrite = unlessRunning });
        AddRegister(new RegisterSpec("DMA_DST", DmaDestination, 8) { Widths = dmaWidths, OnWrite = unlessRunning });
        AddRegister(new RegisterSpec("DMA_CNT", DmaCount, 8) { Widths = dmaWidths, OnWrite = unlessRunning });
        AddRegister(new RegisterSpec("DMA_CMD", DmaCommand, 8) { Widths = dmaWidths, OnWrite = StartDma });
    }

    /// <summary>The device's interrupt line (INTx), as user space sees it through UIO.</summary>
    public SimulatedInterruptLine Interrupt { get; } = new("edu");

    /// <summary>The system memory the device's DMA reaches; allocate DMA buffers here.</summary>
    public SimulatedSystemMemory SystemMemory { get; }

    /// <summary>The device's 4 KiB DMA buffer (device address 0x40000) as system memory, to inspect or seed in tests.</summary>
    public IoSysMap DmaBuffer { get; }

    /// <summary>Whether a factorial is being computed (status bit 0).</summary>
    public bool IsComputing => (Peek(Status) & StatusComputing) != 0;

    /// <summary>Whether a DMA transfer is running (command bit 0).</summary>
    public bool IsDmaRunning => (Peek(DmaCommand) & DmaStart) != 0;

    /// <summary>Resets every register, clears the DMA buffer, lowers the interrupt and drops work in progress.</summary>
    public override void Reset()
    {
        lock (SyncRoot)
        {
            _generation++;
            base.Reset();
            Array.Clear(_dmaBuffer);
            Interrupt.SetLevel(false);
        }
    }

    /// <inheritdoc/>
    protected override ulong RefusedReadValue(long offset, int width) => width < 4 ? 0 : ulong.MaxValue;

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            DmaBuffer.Dispose();
            if (_ownsSystemMemory)
            {
                SystemMemory.Dispose();
            }
        }
    }

    private ulong StartFactorial(ulong current, ulong written)
    {
        if (IsComputing)
        {
            return current; // edu ignores a new operand while computing.
        }

        uint n = (uint)written;
        long generation = _generation;
        Poke(Status, Peek(Status) | StatusComputing);
        Schedule(_factorialTime, () =>
        {
            if (generation != _generation)
            {
                return;
            }

            Poke(Factorial, FactorialOf(n));
            ulong status = Peek(Status) & ~(ulong)StatusComputing;
            Poke(Status, status);
            if ((status & StatusIrqOnFactorial) != 0)
            {
                SetInterruptStatus(Peek(InterruptStatus) | IrqFactorial);
            }
        });
        return n; // Until done, the register reads back the operand.
    }

    private ulong StartDma(ulong current, ulong written)
    {
        if ((written & DmaStart) == 0 || IsDmaRunning)
        {
            return current; // edu ignores commands without the start bit, and all writes while running.
        }

        long generation = _generation;
        Schedule(_dmaTime, () =>
        {
            if (generation == _generation)
            {
                RunDma();
            }
        });
        return written;
    }

    // Under SyncRoot, when the transfer's time has passed.
    private void RunDma()
    {
        ulong command = Peek(DmaCommand);
        ulong count = Peek(DmaCount);
        bool toRam = (command & DmaToRam) != 0;
        ulong deviceAddress = toRam ? Peek(DmaSource) : Peek(DmaDestination);
        ulong busAddress = (toRam ? Peek(DmaDestination) : Peek(DmaSource)) & DmaMask;
        if (deviceAddress < DmaBufferAddress || count > DmaBufferSize || deviceAddress - DmaBufferAddress > DmaBufferSize - count)
        {
            RecordFault(new SimulatedBusFault(DmaCommand, 0, AccessDirection.Write,
                $"DMA of {count} bytes at device address {SimulatedSystemMemory.Hex(deviceAddress)} is outside the device buffer " +
                $"[{SimulatedSystemMemory.Hex(DmaBufferAddress)}, {SimulatedSystemMemory.Hex(DmaBufferAddress + DmaBufferSize)}); not performed"));
        }
        else if (!SystemMemory.TryResolve(busAddress, (long)count, out IoSysMap memory))
        {
            RecordFault(new SimulatedBusFault(DmaCommand, 0, AccessDirection.Write,
                $"DMA of {count} bytes at bus address {SimulatedSystemMemory.Hex(busAddress)} is outside simulated system memory; not performed"));
        }
        else
        {
            Span<byte> device = _dmaBuffer.AsSpan((int)(deviceAddress - DmaBufferAddress), (int)count);
            if (toRam)
            {
                memory.WriteBytes(0, device);
            }
            else
            {
                memory.ReadBytes(0, device);
            }

            memory.Dispose();
        }

        Poke(DmaCommand, command & ~DmaStart);
        if ((command & DmaIrqOnDone) != 0)
        {
            SetInterruptStatus(Peek(InterruptStatus) | IrqDma);
        }
    }

    private void SetInterruptStatus(ulong value)
    {
        Poke(InterruptStatus, value);
        Interrupt.SetLevel(value != 0);
    }
}
