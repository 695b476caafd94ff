using System.Globalization;
using IoSys.Devices.Edu;
using static IoSys.Devices.Edu.EduRegisters;

namespace IoSys.Samples.Edu;

/// <summary>
/// A user-space driver for QEMU's <c>edu</c> device, written once against <see cref="IoSysMap"/>: the same code runs on
/// BAR0 of the real device (a PCI BAR or UIO map) and on a simulated edu (<c>IoSys.Simulation.EduDevice</c>). Its registers are the
/// generated <see cref="EduRegisterBlock"/>, the declaration the simulated device is built from: typed fields instead
/// of shifts and masks, e.g. <c>EduRegisterBlock.Status.Read(Registers).Computing</c>.
/// </summary>
/// <remarks>
/// The driver reaches the device through a known-size window (<see cref="EduRegisterBlock"/>) that carries edu's width rules,
/// so a 1-byte or 8-byte access where edu takes only 4 bytes throws <see cref="IoAccessException"/> even on a BAR
/// opened without rules. Not thread-safe: one operation at a time, as the device has one set of registers.
/// </remarks>
public sealed class EduDriver
{
    /// <summary>Creates a driver over BAR0.</summary>
    /// <param name="bar0">BAR0 of an edu device (at least 1 MiB), I/O memory.</param>
    /// <exception cref="IoAccessException"><paramref name="bar0"/> is smaller than 1 MiB.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="bar0"/> is disposed.</exception>
    public EduDriver(IoSysMap bar0)
    {
        ArgumentNullException.ThrowIfNull(bar0);
        Registers = bar0.AsKnownSize<EduRegisterBlock>();
    }

    /// <summary>
    /// The device's DMA mask (QEMU's edu <c>dma_mask</c> property; default <see cref="EduRegisters.DmaMask"/>, 28 bits):
    /// a transfer whose bus addresses do not fit is refused before the device is programmed, since edu would silently
    /// truncate them and write somewhere else.
    /// </summary>
    public ulong DmaMask { get; init; } = EduRegisters.DmaMask;

    /// <summary>The window the driver accesses the device through: 1 MiB with edu's width rules.</summary>
    public IoSysMap<EduRegisterBlock> Registers { get; }

    /// <summary>
    /// How long to sleep between status reads while polling. Default 1 ms (sleeps are no finer than that); zero spins,
    /// then yields. QEMU computes a factorial in microseconds and finishes a DMA in 100 ms of virtual time; the
    /// simulated device takes <c>EduDeviceOptions.FactorialTime</c> and <c>EduDeviceOptions.DmaTime</c>.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>The raw identification register.</summary>
    public uint Identification => EduRegisterBlock.Identification.Read(Registers).Raw;

    /// <summary>
    /// The raw interrupt status register: <see cref="FactorialInterrupt"/>, <see cref="DmaInterrupt"/> and bits raised
    /// by software.
    /// </summary>
    public uint InterruptStatus => EduRegisterBlock.InterruptStatus.Read(Registers).Raw;

    /// <summary>The interrupt status bit the device raises when a factorial is done (<see cref="EduRegisterBlock.InterruptStatus.FactorialDone"/>).</summary>
    public static uint FactorialInterrupt { get; } = default(EduRegisterBlock.InterruptStatus).WithFactorialDone(true).Raw;

    /// <summary>The interrupt status bit the device raises when a DMA transfer is done (<see cref="EduRegisterBlock.InterruptStatus.DmaDone"/>).</summary>
    public static uint DmaInterrupt { get; } = default(EduRegisterBlock.InterruptStatus).WithDmaDone(true).Raw;

    /// <summary>Checks the identification register and returns the device's version.</summary>
    /// <returns>Major and minor version.</returns>
    /// <exception cref="EduDriverException">The register does not identify an edu device.</exception>
    public (int Major, int Minor) Identify()
    {
        EduRegisterBlock.Identification id = EduRegisterBlock.Identification.Read(Registers);
        return id.IsEdu
            ? (id.Major, id.Minor)
            : throw new EduDriverException(string.Create(CultureInfo.InvariantCulture, $"Not an edu device: identification 0x{id.Raw:x8}."));
    }

    /// <summary>Writes <paramref name="value"/> to the liveness register and returns what it reads back (edu: its inverse).</summary>
    /// <param name="value">Any value.</param>
    /// <returns>The value read back.</returns>
    public uint CheckLiveness(uint value)
    {
        EduRegisterBlock.Liveness.Write(Registers, default(EduRegisterBlock.Liveness).WithValue(value));
        return EduRegisterBlock.Liveness.Read(Registers).Value;
    }

    /// <summary>Computes n! on the device, polling the status register until the device is done.</summary>
    /// <param name="n">The operand.</param>
    /// <param name="timeout">How long to wait for the device.</param>
    /// <returns>n! modulo 2^32.</returns>
    /// <exception cref="IoPollTimeoutException">The device stayed busy.</exception>
    public uint ComputeFactorial(uint n, TimeSpan timeout)
    {
        WaitUntilIdle(timeout); // A write while computing would be ignored.
        EduRegisterBlock.Factorial.Write(Registers, default(EduRegisterBlock.Factorial).WithValue(n));
        WaitUntilIdle(timeout);
        return EduRegisterBlock.Factorial.Read(Registers).Value;
    }

    /// <summary>Asynchronous <see cref="ComputeFactorial(uint, TimeSpan)"/>: polls with <see cref="IoSysMap.PollAsync{T}"/>.</summary>
    /// <param name="n">The operand.</param>
    /// <param name="timeout">How long to wait for the device.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>n! modulo 2^32.</returns>
    /// <exception cref="IoPollTimeoutException">The device stayed busy.</exception>
    public async Task<uint> ComputeFactorialAsync(uint n, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await WaitUntilIdleAsync(timeout, cancellationToken).ConfigureAwait(false);
        EduRegisterBlock.Factorial.Write(Registers, default(EduRegisterBlock.Factorial).WithValue(n));
        await WaitUntilIdleAsync(timeout, cancellationToken).ConfigureAwait(false);
        return EduRegisterBlock.Factorial.Read(Registers).Value;
    }

    /// <summary>
    /// Computes n! on the device and waits for its interrupt instead of polling: enables the factorial interrupt
    /// (<see cref="EduRegisterBlock.Status.IrqOnFactorial"/>), starts, waits, checks and acknowledges
    /// <see cref="FactorialInterrupt"/>, then disables it again.
    /// </summary>
    /// <param name="n">The operand.</param>
    /// <param name="interrupts">The device's interrupt.</param>
    /// <param name="timeout">How long to wait for the interrupt.</param>
    /// <returns>n! modulo 2^32.</returns>
    /// <exception cref="TimeoutException">No interrupt in time.</exception>
    public uint ComputeFactorialWithInterrupt(uint n, IEduInterrupts interrupts, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(interrupts);
        WaitUntilIdle(timeout);
        interrupts.Enable();
        EduRegisterBlock.Status.Update(Registers, static s => s.WithIrqOnFactorial(true));
        try
        {
            EduRegisterBlock.Factorial.Write(Registers, default(EduRegisterBlock.Factorial).WithValue(n));
            WaitForInterrupt(FactorialInterrupt, interrupts, timeout);
            return EduRegisterBlock.Factorial.Read(Registers).Value;
        }
        finally
        {
            EduRegisterBlock.Status.Update(Registers, static s => s.WithIrqOnFactorial(false));
        }
    }

    /// <summary>Raises interrupt status bits by software (<see cref="EduRegisterBlock.InterruptRaise"/>, 0x60).</summary>
    /// <param name="bits">The bits to set in the interrupt status.</param>
    public void RaiseInterrupt(uint bits) => EduRegisterBlock.InterruptRaise.Write(Registers, new EduRegisterBlock.InterruptRaise(bits));

    /// <summary>
    /// Clears interrupt status bits (<see cref="EduRegisterBlock.InterruptAcknowledge"/>, 0x64); the interrupt is
    /// deasserted when none is left.
    /// </summary>
    /// <param name="bits">The bits to clear.</param>
    public void AcknowledgeInterrupt(uint bits) => EduRegisterBlock.InterruptAcknowledge.Write(Registers, new EduRegisterBlock.InterruptAcknowledge(bits));

    /// <summary>
    /// Waits until the interrupt status has any of <paramref name="bits"/>, sleeping on <paramref name="interrupts"/>;
    /// then clears those bits in the device and re-arms the interrupt. Deliveries for other causes are skipped.
    /// </summary>
    /// <param name="bits">The status bits to wait for.</param>
    /// <param name="interrupts">The device's interrupt.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The interrupt status that had the bits.</returns>
    /// <exception cref="TimeoutException">None of the bits was raised in time.</exception>
    public uint WaitForInterrupt(uint bits, IEduInterrupts interrupts, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(interrupts);
        long start = Environment.TickCount64;
        uint status;
        while (((status = InterruptStatus) & bits) == 0)
        {
            TimeSpan left = timeout - TimeSpan.FromMilliseconds(Environment.TickCount64 - start);
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"edu raised none of the interrupt bits 0x{bits:x} within {timeout.TotalMilliseconds:0} ms (status 0x{status:x})."));
            }

            interrupts.Wait(left);
            if ((InterruptStatus & bits) == 0)
            {
                interrupts.Enable(); // A delivery for another cause (or an old one): re-arm and wait on.
            }
        }

        AcknowledgeInterrupt(status & bits);
        interrupts.Acknowledge();
        return status;
    }

    /// <summary>Copies <paramref name="count"/> bytes from RAM at <paramref name="busAddress"/> into the device's buffer by DMA.</summary>
    /// <param name="busAddress">Bus address of the source in RAM (within <see cref="DmaMask"/>).</param>
    /// <param name="deviceOffset">Offset in the device's 4 KiB buffer.</param>
    /// <param name="count">Bytes to copy.</param>
    /// <param name="timeout">How long to wait for the transfer.</param>
    /// <param name="interrupts">If given, wait for the DMA interrupt instead of polling the command register.</param>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the device buffer or beyond the DMA mask.</exception>
    /// <exception cref="IoPollTimeoutException">The transfer did not finish in time (polling).</exception>
    /// <exception cref="TimeoutException">No interrupt in time.</exception>
    public void CopyToDevice(ulong busAddress, int deviceOffset, int count, TimeSpan timeout, IEduInterrupts? interrupts = null) =>
        Dma(busAddress, deviceOffset, count, toRam: false, timeout, interrupts);

    /// <summary>Copies <paramref name="count"/> bytes from the device's buffer into RAM at <paramref name="busAddress"/> by DMA.</summary>
    /// <param name="deviceOffset">Offset in the device's 4 KiB buffer.</param>
    /// <param name="busAddress">Bus address of the destination in RAM (within <see cref="DmaMask"/>).</param>
    /// <param name="count">Bytes to copy.</param>
    /// <param name="timeout">How long to wait for the transfer.</param>
    /// <param name="interrupts">If given, wait for the DMA interrupt instead of polling the command register.</param>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the device buffer or beyond the DMA mask.</exception>
    /// <exception cref="IoPollTimeoutException">The transfer did not finish in time (polling).</exception>
    /// <exception cref="TimeoutException">No interrupt in time.</exception>
    public void CopyFromDevice(int deviceOffset, ulong busAddress, int count, TimeSpan timeout, IEduInterrupts? interrupts = null) =>
        Dma(busAddress, deviceOffset, count, toRam: true, timeout, interrupts);

    private void Dma(ulong busAddress, int deviceOffset, int count, bool toRam, TimeSpan timeout, IEduInterrupts? interrupts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deviceOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > DmaBufferSize - deviceOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The transfer must lie within edu's {DmaBufferSize}-byte buffer.");
        }

        // Overflow-safe: DmaMask - busAddress + 1 wraps to 0 for a full 64-bit mask at bus address 0.
        if (busAddress > DmaMask || (count > 0 && (ulong)(count - 1) > DmaMask - busAddress))
        {
            throw new ArgumentOutOfRangeException(nameof(busAddress), busAddress, string.Create(CultureInfo.InvariantCulture,
                $"A {count}-byte transfer at bus address 0x{busAddress:x} is beyond edu's DMA mask 0x{DmaMask:x}."));
        }

        // The device ignores register writes while a transfer runs.
        WaitUntilNoTransfer(timeout);
        ulong device = DmaBufferAddress + (ulong)deviceOffset;
        // The set-up registers are relaxed (writel_relaxed): accesses to one device stay in order among themselves.
        // The command register is the doorbell: its ordered write (writel: dma_wmb, then the store) makes the buffer
        // the caller filled visible to the device before the device can start reading it. The completion is seen by
        // an ordered read (the poll, or the interrupt status), so the caller's reads of the buffer come after it.
        EduRegisterBlock.DmaSource.WriteRelaxed(Registers, default(EduRegisterBlock.DmaSource).WithAddress(toRam ? device : busAddress));
        EduRegisterBlock.DmaDestination.WriteRelaxed(Registers, default(EduRegisterBlock.DmaDestination).WithAddress(toRam ? busAddress : device));
        EduRegisterBlock.DmaCount.WriteRelaxed(Registers, default(EduRegisterBlock.DmaCount).WithBytes((ulong)count));
        interrupts?.Enable();
        EduRegisterBlock.DmaCommand.Write(Registers, default(EduRegisterBlock.DmaCommand)
            .WithStart(true)
            .WithDirection(toRam ? EduDmaDirection.ToRam : EduDmaDirection.ToDevice)
            .WithIrqOnDone(interrupts is not null));
        if (interrupts is null)
        {
            WaitUntilNoTransfer(timeout);
        }
        else
        {
            WaitForInterrupt(DmaInterrupt, interrupts, timeout);
        }
    }

    // Polls read the raw register at its offset; the predicates look at it through the generated fields.
    private static bool IsIdle(uint status) => !new EduRegisterBlock.Status(status).Computing;

    private static bool IsNotTransferring(ulong command) => !new EduRegisterBlock.DmaCommand(command).Start;

    private void WaitUntilIdle(TimeSpan timeout) =>
        Registers.Poll<uint>(EduRegisterBlock.Status.Offset, IsIdle, timeout, PollInterval);

    private Task<uint> WaitUntilIdleAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Registers.PollAsync<uint>(EduRegisterBlock.Status.Offset, IsIdle, timeout, PollInterval, cancellationToken);

    private void WaitUntilNoTransfer(TimeSpan timeout) =>
        Registers.Poll<ulong>(EduRegisterBlock.DmaCommand.Offset, IsNotTransferring, timeout, PollInterval);
}
