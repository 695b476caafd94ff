namespace IoSys.Linux;

/// <summary>What a PCI Base Address Register decodes.</summary>
public enum PciBarKind
{
    /// <summary>The BAR is not implemented (size 0), or is the upper half of a 64-bit BAR.</summary>
    Unused = 0,

    /// <summary>Memory space: mappable through <c>resourceN</c>.</summary>
    Memory,

    /// <summary>I/O-port space: not mappable (x86 port I/O, <c>in</c>/<c>out</c> instructions).</summary>
    Io,
}

/// <summary>One Base Address Register of a PCI device, from sysfs <c>resource</c>.</summary>
/// <param name="Index">The BAR number, 0 to 5.</param>
/// <param name="PhysicalAddress">The bus address the BAR is assigned (0 when unused).</param>
/// <param name="Size">Size of the BAR in bytes (0 when unused).</param>
/// <param name="Kind">Memory, I/O ports, or unused.</param>
/// <param name="IsPrefetchable">Memory BAR marked prefetchable (<c>resourceN_wc</c> exists for it).</param>
/// <param name="Is64Bit">64-bit memory BAR (it also occupies the next BAR slot).</param>
public sealed record PciBarInfo(int Index, ulong PhysicalAddress, long Size, PciBarKind Kind, bool IsPrefetchable, bool Is64Bit);

/// <summary>A PCI device found in <c>/sys/bus/pci/devices</c>.</summary>
/// <param name="Address">The device's address, <c>DDDD:BB:DD.F</c>, e.g. <c>0000:00:04.0</c>.</param>
/// <param name="VendorId">The vendor ID, e.g. 0x1234.</param>
/// <param name="DeviceId">The device ID, e.g. 0x11e8.</param>
/// <param name="ClassCode">The 24-bit class code: class, subclass, programming interface (e.g. 0x00ff00).</param>
/// <param name="Bars">BARs 0 to 5, always six entries.</param>
public sealed record PciDeviceInfo(string Address, ushort VendorId, ushort DeviceId, uint ClassCode, IReadOnlyList<PciBarInfo> Bars)
{
    /// <summary>The <c>vendor:device</c> selector for this device, e.g. <c>1234:11e8</c>.</summary>
    public string Id => $"{VendorId:x4}:{DeviceId:x4}";

    /// <summary>The device's sysfs directory, e.g. <c>/sys/bus/pci/devices/0000:00:04.0</c>.</summary>
    public string SysfsPath { get; init; } = "";

    /// <summary>
    /// Whether the device decodes its memory BARs (PCI command register bit 1), read from config space when the
    /// device was found; null if config space could not be read. A device with decoding off reads as all-ones:
    /// <see cref="PciDevices.OpenBar(PciDeviceInfo, int, PciOpenOptions?)"/> refuses it unless <see cref="PciOpenOptions.EnableDevice"/>.
    /// </summary>
    public bool? IsMemoryDecodingEnabled { get; init; }

    /// <summary>The name of the bound driver (e.g. <c>uio_pci_generic</c>), or null if none is bound.</summary>
    public string? Driver { get; init; }
}
