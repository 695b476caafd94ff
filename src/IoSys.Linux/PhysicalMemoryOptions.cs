namespace IoSys.Linux;

/// <summary>How <see cref="PhysicalMemory.Open"/> maps a physical range.</summary>
public sealed record PhysicalMemoryOptions
{
    /// <summary>Map read-only: the map refuses every write with <see cref="IoAccessError.ReadOnly"/>. Default: false.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Overrides the space. Default (null): <see cref="IoSpace.IoMemory"/>, or <see cref="MapOptions"/>'s.</summary>
    public IoSpace? Space { get; init; }

    /// <summary>Widths and width rules of the device behind the range. Default (null): <see cref="IoMapOptions.IoMemory"/>.</summary>
    public IoMapOptions? MapOptions { get; init; }

    /// <summary>
    /// The device to map from. Default: <c>/dev/mem</c>. It must be a character device or a regular file (a test
    /// fixture, a memory dump); a regular file must hold the whole range, even when it is empty.
    /// </summary>
    public string DevicePath { get; init; } = "/dev/mem";
}
