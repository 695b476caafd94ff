namespace IoSys.Linux;

/// <summary>How <see cref="PciDevices.OpenBar(string, int, PciOpenOptions?)"/> maps a BAR.</summary>
public sealed record PciOpenOptions
{
    /// <summary>
    /// Map through <c>resourceN_wc</c> (write-combining) instead of <c>resourceN</c> (uncached). Only prefetchable
    /// memory BARs have one. Default: false.
    /// </summary>
    public bool WriteCombining { get; init; }

    /// <summary>Map read-only: the map refuses every write with <see cref="IoAccessError.ReadOnly"/>. Default: false.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Overrides the space. Default (null): <see cref="IoSpace.IoMemory"/>, or <see cref="MapOptions"/>'s.</summary>
    public IoSpace? Space { get; init; }

    /// <summary>The widths and width rules the device accepts. Default (null): <see cref="IoMapOptions.IoMemory"/>.</summary>
    public IoMapOptions? MapOptions { get; init; }

    /// <summary>
    /// If the device's memory decoding is off, turn the device on first by writing 1 to its sysfs <c>enable</c>
    /// (root only; the kernel's <c>pci_enable_device</c>, which also sets the decoding bits). The device stays
    /// enabled after the map is disposed. Default: false (such a device is refused with an <see cref="IOException"/>
    /// that says how to turn it on).
    /// </summary>
    public bool EnableDevice { get; init; }

    /// <summary>
    /// The sysfs mount point. Default: <c>/sys</c>, where every file must live on sysfs; tests point it at a fixture
    /// tree, which only this explicit option (never the environment) can do.
    /// </summary>
    public string SysfsRoot { get; init; } = "/sys";
}
