using IoSys.Registers;
using IoSys.Devices.Edu;
using static IoSys.Devices.Edu.EduRegisters;
using Edu = IoSys.Devices.Edu.EduRegisterBlock;

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

    /// <summary>The DMA mask: bus addresses are truncated to these bits, as QEMU's <c>dma_mask</c> property. Default 28 bits.</summary>
    public ulong DmaMask { get; init; } = EduRegisters.DmaMask;

    /// <summary>The system memory DMA reaches. Default: a new, empty <see cref="SimulatedSystemMemory"/> owned by the device.</summary>
    public SimulatedSystemMemory? SystemMemory { get; init; }

    /// <summary>
    /// An IOMMU in front of the device, or null (the default) for none. With one, every DMA address is a device
    /// address (IOVA) translated through it instead of a bus address in <see cref="SystemMemory"/>: a DMA to an address
    /// it does not map, or maps without the permission the direction needs, reaches no memory and is reported in
    /// <see cref="SimulatedIommu.Faults"/>. The device itself notices nothing, as QEMU's edu does not (see <see cref="EduDevice"/>).
    /// </summary>
    public SimulatedIommu? Iommu { get; init; }
}

/// <summary>
/// A model of QEMU's <c>edu</c> educational PCI device (QEMU <c>docs/specs/edu.rst</c>, <c>hw/misc/edu.c</c>): BAR0 as a
/// 1 MiB I/O-memory <see cref="SimulatedDevice.Map"/> with edu's width rules (<see cref="EduRegisters.WidthRules"/>).
/// Every register's offset, width, access kind and reset value come from the generated <see cref="EduRegisterBlock"/>,
/// the same declaration drivers use; this class adds only the behaviour.
/// </summary>
/// <remarks>
/// <para>Modelled: identification; liveness inversion; factorial computed on the device's clock with the computing
/// bit held for <see cref="EduDeviceOptions.FactorialTime"/> (writes while computing ignored; interrupt
/// <see cref="EduRegisterBlock.InterruptStatus.FactorialDone"/> if <see cref="EduRegisterBlock.Status.IrqOnFactorial"/>
/// is set); interrupt status, raise and acknowledge, driving <see cref="Interrupt"/>; DMA between the 4 KiB device
/// buffer at device address 0x40000 and <see cref="SystemMemory"/>, taking <see cref="EduDeviceOptions.DmaTime"/>
/// (DMA registers ignore writes while a transfer runs; interrupt <see cref="EduRegisterBlock.InterruptStatus.DmaDone"/>
/// if requested). Unbacked offsets and write-only registers read all ones.</para>
/// <para>Refused accesses (reachable through <see cref="UnsafeIoSysMap"/>) behave as on QEMU: an 8-byte access below
/// 0x80 reads all ones and writes nothing (edu's own check); a 1- or 2-byte access reads 0 and writes nothing (QEMU's
/// memory core refuses accesses narrower than edu's minimum). Differences: a misaligned access reads all ones here,
/// where x86 TCG splices two registers; a DMA outside the device buffer or outside <see cref="SystemMemory"/> is not
/// performed and is recorded in <see cref="SimulatedDevice.Faults"/>, where QEMU logs a guest error.</para>
/// <para>Behind an IOMMU (<see cref="EduDeviceOptions.Iommu"/>), a DMA the IOMMU refuses is reported there and edu
/// carries on as QEMU's <c>edu_dma_timer</c> does, which ignores the result of <c>pci_dma_read</c>/<c>pci_dma_write</c>:
/// the run bit clears and the DMA interrupt (<see cref="EduRegisterBlock.InterruptStatus.DmaDone"/>) is raised if it
/// was asked for, exactly as after a transfer that worked; edu has no error status. RAM is not touched; a refused read
/// of RAM leaves zeros in the device buffer's range (QEMU's unassigned memory reads as 0). So a driver learns of the
/// fault only from the IOMMU's log, or by checking the data.</para>
/// </remarks>
public sealed class EduDevice : SimulatedDevice
{
    private readonly byte[] _dmaBuffer = new byte[DmaBufferSize];
    private readonly bool _ownsSystemMemory;
    private readonly TimeSpan _factorialTime;
    private readonly TimeSpan _dmaTime;
    private readonly ulong _dmaMask;
    private readonly SimulatedIommu? _iommu;
    private long _generation; // Bumped by Reset: work scheduled before it is dropped.

    /// <summary>Creates the device, in its reset state.</summary>
    /// <param name="options">Timings, clock, strictness and system memory. Default: <see cref="EduDeviceOptions"/>'s defaults.</param>
    public EduDevice(EduDeviceOptions? options = null)
        : this(options ?? new EduDeviceOptions(), ownsSystemMemory: options?.SystemMemory is null)
    {
    }

    // The base and the body see the same options object (the public constructor supplies the default once).
    private EduDevice(EduDeviceOptions options, bool ownsSystemMemory)
        : base("edu", Edu.Size, AccessWidths.All, EduRegisters.WidthRules, options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FactorialTime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DmaTime, TimeSpan.Zero);
        _factorialTime = options.FactorialTime;
        _dmaTime = options.DmaTime;
        _dmaMask = options.DmaMask;
        _iommu = options.Iommu;
        _ownsSystemMemory = ownsSystemMemory;
        SystemMemory = options.SystemMemory ?? new SimulatedSystemMemory();
        DmaBuffer = IoSysMap.FromArray(_dmaBuffer);

        // Where each register is, how wide, its access kind and reset value: from the generated block. Below, only
        // what the device does with accesses.
        AddRegister(Spec<Edu.Identification>("ID"));
        AddRegister(Spec<Edu.Liveness>("LIVENESS") with
        {
            OnWrite = static (_, written) => ~written,
        });
        AddRegister(Spec<Edu.Factorial>("FACTORIAL") with
        {
            OnWrite = StartFactorial,
        });
        AddRegister(Spec<Edu.Status>("STATUS") with
        {
            // Only the interrupt-enable bit is writable; the computing bit belongs to the device.
            OnWrite = static (current, written) =>
                new Edu.Status((uint)current).WithIrqOnFactorial(new Edu.Status((uint)written).IrqOnFactorial).Raw,
        });
        AddRegister(Spec<Edu.InterruptStatus>("IRQ_STATUS"));
        AddRegister(Spec<Edu.InterruptRaise>("IRQ_RAISE") with
        {
            OnWrite = (_, written) => { SetInterruptStatus(InterruptBits | (uint)written); return 0; },
        });
        AddRegister(Spec<Edu.InterruptAcknowledge>("IRQ_ACK") with
        {
            OnWrite = (_, written) => { SetInterruptStatus(InterruptBits & ~(uint)written); return 0; },
        });

        Func<ulong, ulong, ulong> unlessRunning = (current, written) => IsDmaRunning ? current : written;
        AddRegister(Spec<Edu.DmaSource>("DMA_SRC") with { OnWrite = unlessRunning });
        AddRegister(Spec<Edu.DmaDestination>("DMA_DST") with { OnWrite = unlessRunning });
        AddRegister(Spec<Edu.DmaCount>("DMA_CNT") with { OnWrite = unlessRunning });
        AddRegister(Spec<Edu.DmaCommand>("DMA_CMD") with { OnWrite = StartDma });
    }

    /// <summary>The device's interrupt line (INTx), as user space sees it through UIO.</summary>
    public SimulatedInterruptLine Interrupt { get; } = new("edu");

    /// <summary>The system memory the device's DMA reaches; allocate DMA buffers here.</summary>
    public SimulatedSystemMemory SystemMemory { get; }

    /// <summary>The device's 4 KiB DMA buffer (device address 0x40000) as system memory, to inspect or seed in tests.</summary>
    public IoSysMap DmaBuffer { get; }

    /// <summary>Whether a factorial is being computed (<see cref="EduRegisterBlock.Status.Computing"/>).</summary>
    public bool IsComputing => StatusValue.Computing;

    /// <summary>Whether a DMA transfer is running (<see cref="EduRegisterBlock.DmaCommand.Start"/>).</summary>
    public bool IsDmaRunning => new Edu.DmaCommand(Peek(Edu.DmaCommand.Offset)).Start;

    private Edu.Status StatusValue
    {
        get => new((uint)Peek(Edu.Status.Offset));
        set => Poke(Edu.Status.Offset, value.Raw);
    }

    private uint InterruptBits => (uint)Peek(Edu.InterruptStatus.Offset);

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

    // A register of the generated block as the simulation declares it, from what the register type tells about
    // itself (IRegister). It accepts the widths the block's width rules allow at its offset, none wider than itself
    // (an AccessWidths flag's value is its width in bytes): 4 bytes below 0x80; 4 or 8 for the 8-byte DMA registers.
    private RegisterSpec Spec<TRegister>(string name)
        where TRegister : struct, IRegister<TRegister>
    {
        int bytes = TRegister.Width / 8;
        AccessWidths notWider = (AccessWidths)((bytes * 2) - 1);
        return new RegisterSpec(name, TRegister.Offset, bytes)
        {
            Access = TRegister.Access,
            ResetValue = TRegister.ResetValue.RawBits,
            Widths = Map.WidthsAt(TRegister.Offset, bytes) & notWider,
        };
    }

    private ulong StartFactorial(ulong current, ulong written)
    {
        if (IsComputing)
        {
            return current; // edu ignores a new operand while computing.
        }

        uint n = (uint)written;
        long generation = _generation;
        StatusValue = StatusValue.WithComputing(true);
        Schedule(_factorialTime, () =>
        {
            if (generation != _generation)
            {
                return;
            }

            Poke(Edu.Factorial.Offset, default(Edu.Factorial).WithValue(FactorialOf(n)).Raw);
            Edu.Status status = StatusValue.WithComputing(false);
            StatusValue = status;
            if (status.IrqOnFactorial)
            {
                SetInterruptStatus(new Edu.InterruptStatus(InterruptBits).WithFactorialDone(true).Raw);
            }
        });
        return n; // Until done, the register reads back the operand.
    }

    private ulong StartDma(ulong current, ulong written)
    {
        if (!new Edu.DmaCommand(written).Start || IsDmaRunning)
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
        var command = new Edu.DmaCommand(Peek(Edu.DmaCommand.Offset));
        ulong count = new Edu.DmaCount(Peek(Edu.DmaCount.Offset)).Bytes;
        ulong source = new Edu.DmaSource(Peek(Edu.DmaSource.Offset)).Address;
        ulong destination = new Edu.DmaDestination(Peek(Edu.DmaDestination.Offset)).Address;
        bool toRam = command.Direction == EduDmaDirection.ToRam;
        ulong deviceAddress = toRam ? source : destination;
        ulong busAddress = (toRam ? destination : source) & _dmaMask;
        if (deviceAddress < DmaBufferAddress || count > DmaBufferSize || deviceAddress - DmaBufferAddress > DmaBufferSize - count)
        {
            RecordFault(new SimulatedBusFault(Edu.DmaCommand.Offset, 0, AccessDirection.Write,
                $"DMA of {count} bytes at device address {SimulatedSystemMemory.Hex(deviceAddress)} is outside the device buffer " +
                $"[{SimulatedSystemMemory.Hex(DmaBufferAddress)}, {SimulatedSystemMemory.Hex(DmaBufferAddress + DmaBufferSize)}); not performed"));
        }
        else if (_iommu is not null)
        {
            Span<byte> device = _dmaBuffer.AsSpan((int)(deviceAddress - DmaBufferAddress), (int)count);
            if (count > 0)
            {
                if (_iommu.TryTranslate(Name, toRam ? AccessDirection.Write : AccessDirection.Read, busAddress, (long)count, out IoSysMap window))
                {
                    Transfer(window, device, toRam);
                }
                else if (!toRam)
                {
                    device.Clear(); // What QEMU's edu receives from a refused read: unassigned memory reads 0.
                }
            }
        }
        else if (!SystemMemory.TryResolve(busAddress, (long)count, out IoSysMap memory))
        {
            RecordFault(new SimulatedBusFault(Edu.DmaCommand.Offset, 0, AccessDirection.Write,
                $"DMA of {count} bytes at bus address {SimulatedSystemMemory.Hex(busAddress)} is outside simulated system memory; not performed"));
        }
        else
        {
            Transfer(memory, _dmaBuffer.AsSpan((int)(deviceAddress - DmaBufferAddress), (int)count), toRam);
        }

        Poke(Edu.DmaCommand.Offset, command.WithStart(false).Raw);
        if (command.IrqOnDone)
        {
            SetInterruptStatus(new Edu.InterruptStatus(InterruptBits).WithDmaDone(true).Raw);
        }
    }

    private static void Transfer(IoSysMap memory, Span<byte> device, bool toRam)
    {
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

    private void SetInterruptStatus(uint value)
    {
        Poke(Edu.InterruptStatus.Offset, value);
        Interrupt.SetLevel(value != 0);
    }
}
