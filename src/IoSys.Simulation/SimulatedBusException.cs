using System.Globalization;

namespace IoSys.Simulation;

/// <summary>The direction of one access: a read from the device or a write to it.</summary>
public enum AccessDirection
{
    /// <summary>A read.</summary>
    Read,

    /// <summary>A write.</summary>
    Write,
}

/// <summary>
/// An access a simulated device did not accept, as the bus saw it: the offset (bytes from the start of the device's
/// region), the width (bytes), the direction and why. Recorded in <see cref="SimulatedDevice.Faults"/>.
/// </summary>
/// <param name="Offset">Offset of the access, in bytes from the start of the device's region.</param>
/// <param name="Width">Width of the access in bytes (0 for faults that are not a single access, such as a DMA error).</param>
/// <param name="Direction">Read or write.</param>
/// <param name="Reason">Why the device did not accept it, in one line.</param>
public sealed record SimulatedBusFault(long Offset, int Width, AccessDirection Direction, string Reason)
{
    /// <summary>Describes the fault in one line, e.g. <c>8-byte read at 0x8: ...</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Width > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{Width}-byte {(Direction == AccessDirection.Read ? "read" : "write")} at 0x{Offset:x}: {Reason}")
        : string.Create(CultureInfo.InvariantCulture, $"at 0x{Offset:x}: {Reason}");
}

/// <summary>
/// Thrown by a simulated device configured as strict (<see cref="SimulatedDeviceOptions.Strict"/>) for an access the
/// real bus would have answered with all ones or dropped: a refused width, a misaligned or out-of-range offset (all
/// reachable through <see cref="UnsafeIoSysMap"/>, which skips the map's checks), the middle of a register, a write
/// to a read-only register or a read of a write-only one. Names the offset and width, so a test shows the driver's
/// mistake.
/// </summary>
public sealed class SimulatedBusException : Exception
{
    /// <summary>Creates the exception for <paramref name="fault"/>.</summary>
    /// <param name="device">Name of the device.</param>
    /// <param name="fault">The refused access.</param>
    public SimulatedBusException(string device, SimulatedBusFault fault)
        : base($"Simulated device '{device}' refused a {fault}")
    {
        ArgumentNullException.ThrowIfNull(fault);
        Device = device;
        Fault = fault;
    }

    /// <summary>Name of the device that refused the access.</summary>
    public string Device { get; }

    /// <summary>The refused access.</summary>
    public SimulatedBusFault Fault { get; }

    /// <summary>Offset of the refused access, in bytes from the start of the device's region.</summary>
    public long Offset => Fault.Offset;

    /// <summary>Width of the refused access, in bytes.</summary>
    public int Width => Fault.Width;
}
