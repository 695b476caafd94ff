using System.Globalization;
using System.Numerics;
using IoSys.Devices.Edu;
using IoSys.Linux.Vfio;

namespace IoSys.Samples.Edu;

/// <summary>
/// A real edu owned through VFIO (<c>vfio:ADDR</c> or <c>vfio:1234:11e8</c>): BAR0 from the device, DMA buffers mapped
/// through the IOMMU at device addresses below edu's 28-bit DMA mask, and the device's MSI (or INTx) on an eventfd.
/// The IOMMU confines the device to those buffers, so the isolation scenario runs here.
/// </summary>
public sealed class VfioEduTarget : IEduTarget
{
    private readonly VfioDevice _device;
    private readonly VfioInterrupts _interrupts;

    private VfioEduTarget(VfioDevice device, IoSysMap bar0, VfioInterrupts interrupts, string name)
    {
        _device = device;
        _interrupts = interrupts;
        Bar0 = bar0;
        Name = name;
        Interrupts = new Irq(interrupts);
        Dma = new Allocator(device);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public IoSysMap Bar0 { get; }

    /// <inheritdoc/>
    public ulong DmaMask => EduRegisters.DmaMask;

    /// <inheritdoc/>
    public IEduInterrupts? Interrupts { get; }

    /// <inheritdoc/>
    public IEduDmaAllocator? Dma { get; }

    /// <summary>
    /// Opens edu through VFIO: the device must be bound to vfio-pci (<c>iosys bind ADDR vfio-pci</c>) and its group
    /// readable and writable by this process. Turns on memory decoding and bus mastering (edu's DMA needs it).
    /// </summary>
    /// <param name="device">A PCI address (<c>0000:00:02.0</c>, <c>00:02.0</c>) or <c>vvvv:dddd</c>.</param>
    /// <param name="interrupt">MSI (the default) or INTx.</param>
    /// <returns>The open target; dispose it to give the device and its buffers back.</returns>
    /// <exception cref="VfioException">The device cannot be opened through VFIO; the message says what to do.</exception>
    public static VfioEduTarget Open(string device, VfioIrqKind interrupt = VfioIrqKind.Msi)
    {
        // edu's DMA engine drives 28 address bits by default: every buffer's device address must stay below that.
        int bits = 64 - BitOperations.LeadingZeroCount(EduRegisters.DmaMask);
        VfioDevice vfio = VfioDevice.Open(device, new VfioOpenOptions { DmaAddressBits = bits });
        IoSysMap? bar0 = null;
        try
        {
            vfio.MemoryDecoding = true;
            vfio.BusMaster = true;
            bar0 = vfio.OpenBar(0, EduRegisters.MapOptions);
            VfioInterrupts interrupts = vfio.EnableInterrupts(interrupt);
            return new VfioEduTarget(vfio, bar0, interrupts, string.Create(CultureInfo.InvariantCulture, $"vfio:{vfio.Address} ({interrupt})"));
        }
        catch
        {
            bar0?.Dispose();
            vfio.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string WhyMissing(EduScenarioNeeds need) => string.Create(CultureInfo.InvariantCulture, $"{Name} lacks {need}");

    /// <inheritdoc/>
    public void Dispose()
    {
        _interrupts.Dispose();
        Bar0.Dispose();
        _device.BusMaster = false; // The device may not master DMA once its buffers are gone.
        _device.Dispose();
    }

    private sealed class Irq(VfioInterrupts interrupts) : IEduInterrupts
    {
        // The eventfd is armed when the interrupts are enabled (at open). INTx is also masked by vfio-pci at each
        // interrupt, including one nobody waited for (irq-raise-ack raises and acknowledges without waiting): Enable
        // unmasks it, as UIO's does, so the driver's re-arm after a stale wake-up lets the next interrupt through.
        // Unmasking an unmasked INTx changes nothing. (Without it the arm64 VFIO boot's INTx scenarios timed out
        // whenever the stale interrupt had been taken before the acknowledgement.)
        public void Enable()
        {
            if (interrupts.Kind == VfioIrqKind.Intx)
            {
                interrupts.Unmask();
            }
        }

        public uint Wait(TimeSpan timeout, CancellationToken cancellationToken = default) =>
            (uint)Math.Min(interrupts[0].Wait(timeout, cancellationToken), uint.MaxValue);

        // MSI needs nothing more; INTx is masked by vfio-pci at each interrupt and unmasked once the device is acked.
        public void Acknowledge()
        {
            if (interrupts.Kind == VfioIrqKind.Intx)
            {
                interrupts.Unmask();
            }
        }
    }

    private sealed class Allocator(VfioDevice device) : IEduDmaAllocator
    {
        public bool IsIsolated => true;

        // The IOMMU's fault lines go to the kernel log (DMAR on x86-64, arm-smmu-v3 on arm64), which the guest suite
        // reads itself; the scenario checks the buffer's bytes.
        public IReadOnlyList<string>? FaultLog => null;

        public IEduDmaBuffer Allocate(long size) => new Buffer(device.AllocateDmaBuffer(size));
    }

    private sealed class Buffer(VfioDmaBuffer buffer) : IEduDmaBuffer
    {
        public IoSysMap Map => buffer.Map;

        public ulong BusAddress => buffer.DeviceAddress;

        public bool IsMapped => buffer.IsMapped;

        public void Unmap() => buffer.Unmap();

        public void Dispose() => buffer.Dispose();
    }
}
