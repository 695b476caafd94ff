namespace IoSys.Linux;

/// <summary>How <see cref="MappedFile.Open"/> opens and maps a file.</summary>
public sealed record MappedFileOptions
{
    /// <summary>
    /// Create the file if it does not exist (mode 0666 minus the umask), and extend it with zeros to
    /// <see cref="Offset"/> + <see cref="Size"/> bytes if it is shorter. Requires <see cref="Size"/>; not
    /// allowed with <see cref="ReadOnly"/>. Default: false (the file must exist and be large enough).
    /// </summary>
    public bool Create { get; init; }

    /// <summary>
    /// Bytes to map, from <see cref="Offset"/>. Default (null): from <see cref="Offset"/> to the end of the file,
    /// which must then not be empty.
    /// </summary>
    public long? Size { get; init; }

    /// <summary>Where the map starts in the file, in bytes; need not be page aligned. Default: 0.</summary>
    public long Offset { get; init; }

    /// <summary>
    /// Open and map the file read-only: the map refuses every write with <see cref="IoAccessError.ReadOnly"/>.
    /// Default: false (read-write).
    /// </summary>
    public bool ReadOnly { get; init; }

    /// <summary>Overrides the space. Default (null): <see cref="IoSpace.SystemMemory"/>, or <see cref="MapOptions"/>'s.</summary>
    public IoSpace? Space { get; init; }

    /// <summary>Widths, width rules and alignment for the map. Default (null): <see cref="IoMapOptions.SystemMemory"/>.</summary>
    public IoMapOptions? MapOptions { get; init; }
}
