namespace IoSys.Linux;

/// <summary>How <see cref="SharedMemory.Open"/> opens a POSIX shared-memory object.</summary>
public sealed record SharedMemoryOptions
{
    /// <summary>
    /// Create the object if it does not exist (mode 0600: the creating user only) and extend it with zeros to
    /// <see cref="Size"/> bytes if it is shorter. Requires <see cref="Size"/>; not allowed with <see cref="ReadOnly"/>.
    /// Default: false.
    /// </summary>
    public bool Create { get; init; }

    /// <summary>Bytes to map from the start of the object. Default (null): the object's whole current size, which must not be 0.</summary>
    public long? Size { get; init; }

    /// <summary>Open and map read-only: the map refuses every write with <see cref="IoAccessError.ReadOnly"/>. Default: false.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Overrides the space. Default (null): <see cref="IoSpace.SystemMemory"/>, or <see cref="MapOptions"/>'s.</summary>
    public IoSpace? Space { get; init; }

    /// <summary>Widths and alignment for the map. Default (null): <see cref="IoMapOptions.SystemMemory"/>.</summary>
    public IoMapOptions? MapOptions { get; init; }

    /// <summary>Where POSIX shared memory lives (glibc's <c>shm_open</c> uses the tmpfs at <c>/dev/shm</c>). Default: <c>/dev/shm</c>.</summary>
    public string Directory { get; init; } = "/dev/shm";
}
