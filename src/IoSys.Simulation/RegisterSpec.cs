using IoSys.Registers;

namespace IoSys.Simulation;

/// <summary>
/// Declares one register of a <see cref="SimulatedDevice"/>: where it is, how wide, how it reacts to reads and
/// writes, and its value after reset.
/// </summary>
/// <remarks>
/// An access reaches a register only at the register's <see cref="Offset"/> and with a width in
/// <see cref="Widths"/>: a read returns the value truncated to the access width; a write passes the written value,
/// zero-extended to 64 bits, to the register's rule (so a 4-byte write to an 8-byte register sets all 8 bytes, as
/// QEMU devices that declare 4- and 8-byte access do). An access that starts inside the register but not at its
/// offset is refused. Declare two 4-byte registers for a device that exposes the halves of a 64-bit value.
/// </remarks>
/// <param name="Name">Name, for diagnostics and traces.</param>
/// <param name="Offset">Offset in bytes from the start of the device's region; a multiple of <paramref name="Width"/>.</param>
/// <param name="Width">Size of the stored value in bytes: 1, 2, 4 or 8.</param>
public sealed record RegisterSpec(string Name, long Offset, int Width)
{
    /// <summary>
    /// What reads and writes do, as the register generator's access kinds (so a generated register block's
    /// <c>Access</c> constants can be passed as they are). Default: <see cref="RegisterAccess.RW"/>.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><see cref="RegisterAccess.RW"/>: reads return the stored value; writes store the written value.</item>
    /// <item><see cref="RegisterAccess.RO"/>: reads return the stored value; writes are dropped (strict devices throw).</item>
    /// <item><see cref="RegisterAccess.WO"/>: writes store; reads return what an unbacked offset returns (strict devices throw).</item>
    /// <item><see cref="RegisterAccess.W1C"/>: reads return the stored value; writing 1 to a bit clears it, writing 0 leaves it.</item>
    /// </list>
    /// </remarks>
    public RegisterAccess Access { get; init; } = RegisterAccess.RW;

    /// <summary>The stored value after construction and <see cref="SimulatedDevice.Reset"/>. Default 0.</summary>
    public ulong ResetValue { get; init; }

    /// <summary>
    /// Access widths the register accepts (each at most <see cref="Width"/>). Default <see cref="AccessWidths.None"/>,
    /// meaning exactly <see cref="Width"/>. The region's width rules apply as well.
    /// </summary>
    public AccessWidths Widths { get; init; }

    /// <summary>
    /// Computes what a read returns from the stored value (and may change device state: read-to-clear, FIFOs).
    /// Runs under the device's lock. Default: the stored value.
    /// </summary>
    public Func<ulong, ulong>? OnRead { get; init; }

    /// <summary>
    /// Computes the new stored value from the current one and the written value, replacing the rule of
    /// <see cref="Access"/> (not called for <see cref="RegisterAccess.RO"/>). Runs under the device's lock.
    /// The result is truncated to <see cref="Width"/> bytes.
    /// </summary>
    public Func<ulong, ulong, ulong>? OnWrite { get; init; }

    /// <summary>A side effect run after a write stored its value, with the new stored value. Runs under the device's lock.</summary>
    public Action<ulong>? AfterWrite { get; init; }

    /// <summary>The widths actually accepted: <see cref="Widths"/>, or <see cref="Width"/> if none were given.</summary>
    public AccessWidths AcceptedWidths => Widths == AccessWidths.None ? AccessWidthsExtensions.FromBytes(Width) : Widths;
}
