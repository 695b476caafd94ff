using System.Globalization;
using IoSys.Devices.Edu;
using IoSys.Linux;

namespace IoSys.Samples.Edu;

/// <summary>
/// edu through Linux UIO (<c>uio_pci_generic</c>): the interrupt is INTx through <c>/dev/uioN</c>, and BAR0 is the UIO
/// device's map 0 or, for <c>uio_pci_generic</c>, which exposes no maps, the PCI device's sysfs <c>resource0</c>. UIO gives no DMA buffers and no IOMMU: the DMA scenarios are skipped (use <c>vfio:</c>).
/// </summary>
/// <example>
/// <code>
/// using var target = UioEduTarget.Open("0");            // /dev/uio0, root or a udev rule
/// int exitCode = EduDemo.Run(target, Console.Out);
/// </code>
/// </example>
public sealed class UioEduTarget : IEduTarget
{
    private readonly UioDevice _device;

    private UioEduTarget(UioDevice device, IoSysMap bar0, string name)
    {
        _device = device;
        Bar0 = bar0;
        Name = name;
        Interrupts = new UioInterrupts(device);
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
    public IEduDmaAllocator? Dma => null;

    /// <summary>Opens <c>/dev/uioN</c> and maps BAR0: its map 0, or the sysfs <c>resource0</c> of the PCI device behind it.</summary>
    /// <param name="numberOrName">The UIO device: <c>0</c>, <c>uio0</c> or its name.</param>
    /// <param name="sysfsRoot">The sysfs mount point. Default: <c>/sys</c>.</param>
    /// <param name="devRoot">Where the device nodes are. Default: <c>/dev</c>.</param>
    /// <returns>The target; dispose it to unmap and close the device.</returns>
    /// <exception cref="FileNotFoundException">No such UIO device.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied (root or a udev rule).</exception>
    /// <exception cref="IOException">The device node or its map could not be opened.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The device has no map and no PCI device behind it.</exception>
    public static UioEduTarget Open(string numberOrName, string sysfsRoot = "/sys", string devRoot = "/dev")
    {
        UioDevice device = UioDevice.Open(numberOrName, sysfsRoot, devRoot);
        try
        {
            IoSysMap bar0 = device.Info.Maps.Count == 0 && device.Info.PciAddress is { } pci
                ? PciDevices.OpenBar(pci, 0, new PciOpenOptions { MapOptions = EduRegisters.MapOptions, SysfsRoot = sysfsRoot })
                : device.MapRegion(0, EduRegisters.MapOptions);
            return new UioEduTarget(device, bar0, "uio:" + numberOrName);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string WhyMissing(EduScenarioNeeds need) => need switch
    {
        EduScenarioNeeds.Dma => "UIO gives no DMA buffers (use vfio:ADDR for IOMMU-mapped buffers)",
        EduScenarioNeeds.Isolation => "UIO has no IOMMU isolation (use vfio:ADDR)",
        _ => string.Create(CultureInfo.InvariantCulture, $"{_device.DevicePath} lacks {need}"),
    };

    /// <summary>Unmaps BAR0 and closes the device.</summary>
    public void Dispose()
    {
        Bar0.Dispose();
        _device.Dispose();
    }

    /// <summary>INTx through UIO: unmask to enable and again after each acknowledged interrupt.</summary>
    private sealed class UioInterrupts(UioDevice device) : IEduInterrupts
    {
        public void Enable() => device.EnableInterrupts();

        public uint Wait(TimeSpan timeout, CancellationToken cancellationToken = default) => device.WaitForInterrupt(timeout, cancellationToken);

        public void Acknowledge() => device.EnableInterrupts();
    }
}
