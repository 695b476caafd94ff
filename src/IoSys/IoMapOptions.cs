namespace IoSys;

/// <summary>
/// How a map treats its memory: its space, the widths its device accepts, alignment and write access.
/// Validated when a map is created; an inconsistent combination throws <see cref="ArgumentException"/> then.
/// </summary>
public sealed record IoMapOptions
{
    /// <summary>Options for ordinary RAM: every width, aligned accesses, writable.</summary>
    public static IoMapOptions SystemMemory { get; } = new();

    /// <summary>Options for device memory that accepts every width: aligned single accesses, writable.</summary>
    public static IoMapOptions IoMemory { get; } = new() { Space = IoSpace.IoMemory };

    /// <summary>Whether the memory is RAM or device memory. Default: <see cref="IoSpace.SystemMemory"/>.</summary>
    public IoSpace Space { get; init; } = IoSpace.SystemMemory;

    /// <summary>
    /// The widths accepted wherever no <see cref="WidthRules"/> rule applies. Default: <see cref="AccessWidths.All"/>.
    /// Restricting widths is meaningful for <see cref="IoSpace.IoMemory"/> only.
    /// </summary>
    public AccessWidths Widths { get; init; } = AccessWidths.All;

    /// <summary>Ranges that accept other widths than <see cref="Widths"/> (I/O memory only). Default: none.</summary>
    public IReadOnlyList<IoWidthRule> WidthRules { get; init; } = [];

    /// <summary>
    /// Allow typed accesses at offsets that are not a multiple of their width. System memory only: device
    /// memory is never accessed unaligned (it faults on arm64 and splices two registers on x86-64).
    /// Unaligned accesses are plain, not volatile, because volatile unaligned accesses fault on arm64 even in RAM.
    /// Default: false.
    /// </summary>
    public bool AllowUnaligned { get; init; }

    /// <summary>Refuse every write with <see cref="IoAccessError.ReadOnly"/>. Default: false.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>
    /// What the map is over, for error messages: a path (<c>/sys/bus/pci/devices/0000:00:03.0/resource0</c>), a device
    /// and region (<c>uio0 map 1</c>, <c>vfio:0000:00:04.0/bar0</c>), a shared-memory name (<c>shm:/name</c>). Set by
    /// whoever opens the memory; carried into every <see cref="IoAccessException"/> the map (or a window of it) throws,
    /// as <see cref="IoAccessException.Target"/>, and exposed as <see cref="IoSysMap.Description"/>. Not checked; it
    /// changes no access. Default: null (errors name no target).
    /// </summary>
    /// <example>
    /// <code>
    /// using IoSysMap map = IoSysMap.Allocate(0x100, IoMapOptions.SystemMemory with { Description = "scratch buffer" });
    /// // map.Read32(0x100) throws IoAccessException: "scratch buffer: The 4-byte read at offset 0x100 is outside the map: ..."
    /// </code>
    /// </example>
    public string? Description { get; init; }

    /// <summary>Returns a copy of these options with <see cref="ReadOnly"/> set.</summary>
    /// <returns>The read-only options.</returns>
    public IoMapOptions AsReadOnly() => ReadOnly ? this : this with { ReadOnly = true };

    /// <summary>
    /// Checks that the options are consistent, as every map factory does before it maps anything (so that a target
    /// can refuse bad options before it opens a device).
    /// </summary>
    /// <exception cref="ArgumentException">The space is unknown; <see cref="Widths"/> or a rule's widths have bits that
    /// are not access widths; width restrictions are given for system memory; <see cref="AllowUnaligned"/> is given for
    /// I/O memory; or a width rule's range is negative, empty or overflows.</exception>
    public void Validate()
    {
        if (Space is not (IoSpace.SystemMemory or IoSpace.IoMemory))
        {
            throw new ArgumentException($"Unknown space {(int)Space}.", nameof(Space));
        }

        if ((Widths & ~AccessWidths.All) != 0)
        {
            throw new ArgumentException($"Widths 0x{(int)Widths:x} has bits that are not access widths.", nameof(Widths));
        }

        if (Space == IoSpace.SystemMemory && (Widths != AccessWidths.All || WidthRules.Count != 0))
        {
            throw new ArgumentException(
                "Access-width restrictions describe a device: use them with Space = IoSpace.IoMemory.", nameof(Widths));
        }

        if (AllowUnaligned && Space == IoSpace.IoMemory)
        {
            throw new ArgumentException(
                "AllowUnaligned is for system memory only: device memory is never accessed unaligned.", nameof(AllowUnaligned));
        }

        foreach (IoWidthRule rule in WidthRules)
        {
            if (rule.Offset < 0 || rule.Length <= 0 || rule.Offset > long.MaxValue - rule.Length)
            {
                throw new ArgumentException(
                    $"Width rule at offset 0x{rule.Offset:x} with length 0x{rule.Length:x} is not a valid range.", nameof(WidthRules));
            }

            if ((rule.Widths & ~AccessWidths.All) != 0)
            {
                throw new ArgumentException(
                    $"Width rule at offset 0x{rule.Offset:x} has bits that are not access widths.", nameof(WidthRules));
            }
        }
    }
}
