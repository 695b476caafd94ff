namespace IoSys.Samples.Edu;

/// <summary>
/// The edu device's interrupt, as user space reaches it: through Linux UIO on real hardware (<c>/dev/uioN</c>), or
/// through an adapter over the simulated device's interrupt line (tests/EduDriver.Tests/SimulatedEdu.cs). Level-triggered and masked after each
/// delivery until <see cref="Acknowledge"/>, as <c>uio_pci_generic</c> does.
/// </summary>
public interface IEduInterrupts
{
    /// <summary>Unmasks the interrupt (UIO: write a 4-byte 1 to <c>/dev/uioN</c>).</summary>
    void Enable();

    /// <summary>
    /// Blocks until an interrupt is delivered that was not yet reported (UIO: a 4-byte <c>read()</c> of
    /// <c>/dev/uioN</c>); one delivered since the previous call returns at once.
    /// </summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>The total number of interrupts delivered so far.</returns>
    /// <exception cref="TimeoutException">No interrupt in time.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    uint Wait(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Re-arms the interrupt after the driver cleared the device's interrupt status (UIO: write a 4-byte 1 again).</summary>
    void Acknowledge();
}

/// <summary>
/// Memory the edu device can reach by DMA: the CPU's view as a system-memory map, and the bus address the device
/// uses. edu truncates bus addresses to its DMA mask (28 bits by default, below 256 MiB; see
/// <see cref="EduDriver.DmaMask"/>), so the buffer must lie within it.
/// </summary>
public interface IDmaBuffer
{
    /// <summary>The buffer as the CPU sees it (system memory).</summary>
    IoSysMap Map { get; }

    /// <summary>The bus address of the buffer's first byte.</summary>
    ulong BusAddress { get; }
}
