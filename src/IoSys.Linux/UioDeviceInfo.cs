namespace IoSys.Linux;

/// <summary>One memory map of a UIO device, from <c>/sys/class/uio/uioN/maps/mapI</c>.</summary>
/// <param name="Index">The map number I; it is mapped at file offset I × page size of <c>/dev/uioN</c>.</param>
/// <param name="Name">The map's name (empty if the driver gave none).</param>
/// <param name="PhysicalAddress">The map's physical (or kernel) address, for diagnostics.</param>
/// <param name="Size">Size of the map in bytes.</param>
/// <param name="Offset">Where the map starts within its first page, in bytes (0 when page aligned).</param>
public sealed record UioMapInfo(int Index, string Name, ulong PhysicalAddress, long Size, long Offset);

/// <summary>A UIO device found in <c>/sys/class/uio</c>.</summary>
/// <param name="Number">N in <c>uioN</c>.</param>
/// <param name="Name">The driver's name for the device (e.g. <c>uio_pci_generic</c>).</param>
/// <param name="Version">The driver's version string.</param>
/// <param name="Maps">The memory maps, by index; empty for drivers that expose none (uio_pci_generic: map the BARs through <see cref="PciDevices.OpenBar(string, int, PciOpenOptions?)"/>).</param>
public sealed record UioDeviceInfo(int Number, string Name, string Version, IReadOnlyList<UioMapInfo> Maps)
{
    /// <summary>The PCI address of the device behind it (e.g. <c>0000:00:04.0</c>), or null if it is not a PCI device.</summary>
    public string? PciAddress { get; init; }
}
