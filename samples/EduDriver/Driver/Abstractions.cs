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

/// <summary>
/// A DMA buffer a target mapped for the device (an <see cref="IDmaBuffer"/> it owns), which the driver can take away
/// from the device while keeping it for the CPU: with an IOMMU, <see cref="Unmap"/> removes the device's access, so a
/// DMA aimed at <see cref="IDmaBuffer.BusAddress"/> afterwards must leave the buffer untouched.
/// </summary>
public interface IEduDmaBuffer : IDmaBuffer, IDisposable
{
    /// <summary>Whether the device can still reach the buffer.</summary>
    bool IsMapped { get; }

    /// <summary>
    /// Removes the device's access (the IOMMU mapping); the CPU's <see cref="IDmaBuffer.Map"/> stays valid and
    /// <see cref="IDmaBuffer.BusAddress"/> keeps the old address. Idempotent.
    /// </summary>
    void Unmap();
}

/// <summary>Where a target's DMA buffers come from: allocation, and whether an IOMMU confines what the device reaches.</summary>
public interface IEduDmaAllocator
{
    /// <summary>
    /// Whether the device reaches only the buffers mapped for it (an IOMMU, or the simulated one): then
    /// <see cref="IEduDmaBuffer.Unmap"/> really takes a buffer away, and the isolation scenario can run.
    /// </summary>
    bool IsIsolated { get; }

    /// <summary>
    /// The IOMMU's fault lines so far, oldest first, where the target can read them (the simulated IOMMU); null where it
    /// cannot (a real IOMMU logs to the kernel's log, e.g. <c>DMAR: [DMA Write] ... fault addr ...</c>).
    /// </summary>
    IReadOnlyList<string>? FaultLog { get; }

    /// <summary>Allocates a zeroed buffer of <paramref name="size"/> bytes, mapped for the device for reads and writes.</summary>
    /// <param name="size">Size in bytes, at least 1.</param>
    /// <returns>The buffer; dispose it to unmap and free it.</returns>
    IEduDmaBuffer Allocate(long size);
}

/// <summary>
/// What <c>edu-demo</c> runs its scenarios on: an edu device's BAR0 and, where the target has them, its interrupt and
/// DMA buffers. Implemented for the simulated device (<c>sim:edu</c>, in the edu-demo program), UIO
/// (<see cref="UioEduTarget"/>) and VFIO.
/// </summary>
public interface IEduTarget : IDisposable
{
    /// <summary>The target as given on the command line, e.g. <c>uio:0</c>.</summary>
    string Name { get; }

    /// <summary>BAR0 (1 MiB, I/O memory).</summary>
    IoSysMap Bar0 { get; }

    /// <summary>The device's DMA mask (edu's <c>dma_mask</c>); bus addresses of buffers lie within it.</summary>
    ulong DmaMask { get; }

    /// <summary>The device's interrupt, or null (see <see cref="WhyMissing"/>).</summary>
    IEduInterrupts? Interrupts { get; }

    /// <summary>DMA buffers, or null (see <see cref="WhyMissing"/>).</summary>
    IEduDmaAllocator? Dma { get; }

    /// <summary>Why the target cannot provide <paramref name="need"/>, in words, for the <c>SKIP</c> line.</summary>
    /// <param name="need">One of <see cref="EduScenarioNeeds"/>'s flags.</param>
    /// <returns>The reason.</returns>
    string WhyMissing(EduScenarioNeeds need);
}
