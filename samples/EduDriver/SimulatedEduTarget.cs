using IoSys.Simulation;

namespace IoSys.Samples.Edu.Demo;

/// <summary><see cref="IEduInterrupts"/> over a simulated device's <see cref="SimulatedInterruptLine"/>.</summary>
/// <param name="line">The line, e.g. <see cref="EduDevice.Interrupt"/>.</param>
public sealed class SimulatedEduInterrupts(SimulatedInterruptLine line) : IEduInterrupts
{
    /// <inheritdoc/>
    public void Enable() => line.EnableInterrupts();

    /// <inheritdoc/>
    public uint Wait(TimeSpan timeout, CancellationToken cancellationToken = default) => line.WaitForInterrupt(timeout, cancellationToken);

    /// <inheritdoc/>
    public void Acknowledge() => line.EnableInterrupts();
}

/// <summary><see cref="IDmaBuffer"/> over a buffer in <see cref="SimulatedSystemMemory"/> (a device without an IOMMU).</summary>
/// <param name="buffer">The buffer.</param>
public sealed class SimulatedEduDmaBuffer(SimulatedDmaBuffer buffer) : IDmaBuffer
{
    /// <inheritdoc/>
    public IoSysMap Map => buffer.Map;

    /// <inheritdoc/>
    public ulong BusAddress => buffer.BusAddress;
}

/// <summary>
/// <c>sim:edu</c>: the simulated edu (<see cref="EduDevice"/>) behind a <see cref="SimulatedIommu"/>, with its interrupt
/// and IOMMU-mapped DMA buffers. Every scenario runs here, isolation included, with no hardware and no root.
/// </summary>
public sealed class SimulatedEduTarget : IEduTarget
{
    private readonly Allocator _allocator;

    /// <summary>Creates the device and its IOMMU.</summary>
    /// <param name="options">Timings and clock; its <see cref="EduDeviceOptions.Iommu"/> is replaced by this target's. Default: QEMU's timings.</param>
    public SimulatedEduTarget(EduDeviceOptions? options = null)
    {
        Iommu = new SimulatedIommu();
        options = (options ?? new EduDeviceOptions()) with { Iommu = Iommu };
        DmaMask = options.DmaMask;
        Device = new EduDevice(options);
        Interrupts = new SimulatedEduInterrupts(Device.Interrupt);
        _allocator = new Allocator(Iommu);
    }

    /// <summary>The simulated device.</summary>
    public EduDevice Device { get; }

    /// <summary>The IOMMU in front of it.</summary>
    public SimulatedIommu Iommu { get; }

    /// <inheritdoc/>
    public string Name => "sim:edu";

    /// <inheritdoc/>
    public IoSysMap Bar0 => Device.Map;

    /// <inheritdoc/>
    public ulong DmaMask { get; }

    /// <inheritdoc/>
    public IEduInterrupts? Interrupts { get; }

    /// <inheritdoc/>
    public IEduDmaAllocator? Dma => _allocator;

    /// <inheritdoc/>
    public string WhyMissing(EduScenarioNeeds need) => $"sim:edu lacks {need}";

    /// <summary>Disposes the device.</summary>
    public void Dispose() => Device.Dispose();

    private sealed class Allocator(SimulatedIommu iommu) : IEduDmaAllocator
    {
        public bool IsIsolated => true;

        public IReadOnlyList<string>? FaultLog => [.. iommu.Faults.Select(static f => f.ToString())];

        public IEduDmaBuffer Allocate(long size)
        {
            IoSysMap memory = IoSysMap.Allocate(size);
            return new Buffer(iommu, memory, iommu.Map(memory, IommuPermissions.ReadWrite));
        }
    }

    private sealed class Buffer(SimulatedIommu iommu, IoSysMap memory, ulong busAddress) : IEduDmaBuffer
    {
        public IoSysMap Map => memory;

        public ulong BusAddress => busAddress;

        public bool IsMapped { get; private set; } = true;

        public void Unmap()
        {
            if (IsMapped)
            {
                iommu.Unmap(busAddress);
                IsMapped = false;
            }
        }

        // Unmap before freeing, as VFIO's DMA buffers do: the device never sees freed memory.
        public void Dispose()
        {
            Unmap();
            memory.Dispose();
        }
    }
}
