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

    /// <summary>The sysfs mount point. Default: <c>/sys</c>; tests point it at a fixture tree.</summary>
    public string SysfsRoot { get; init; } = "/sys";
}
