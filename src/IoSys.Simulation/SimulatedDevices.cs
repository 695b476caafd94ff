namespace IoSys.Simulation;

/// <summary>The built-in simulated devices, by name: what the command-line tool's <c>sim:NAME</c> targets use.</summary>
public static class SimulatedDevices
{
    /// <summary>The names <see cref="Create(string, SimulatedDeviceOptions?)"/> accepts: <c>edu</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["edu"];

    /// <summary>Creates the built-in device called <paramref name="name"/> (case-insensitive), in its reset state.</summary>
    /// <param name="name">A name from <see cref="Names"/>.</param>
    /// <param name="options">Strictness and clock. Default: lenient, system clock.</param>
    /// <returns>The device; its <see cref="SimulatedDevice.Map"/> is the region to access. Dispose it when done.</returns>
    /// <exception cref="ArgumentException">No built-in device has that name; the message lists the names.</exception>
    public static SimulatedDevice Create(string name, SimulatedDeviceOptions? options = null) =>
        TryCreate(name, out SimulatedDevice? device, options)
            ? device
            : throw new ArgumentException($"No simulated device '{name}'; known: {string.Join(", ", Names)}.", nameof(name));

    /// <summary>Creates the built-in device called <paramref name="name"/>, or returns false.</summary>
    /// <param name="name">A name from <see cref="Names"/> (case-insensitive).</param>
    /// <param name="device">The device, if the name is known.</param>
    /// <param name="options">Strictness and clock. Default: lenient, system clock.</param>
    /// <returns>True if the name is known.</returns>
    public static bool TryCreate(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SimulatedDevice? device, SimulatedDeviceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        device = name.ToUpperInvariant() switch
        {
            "EDU" => new EduDevice(options as EduDeviceOptions ?? new EduDeviceOptions { Strict = options?.Strict ?? false, Time = options?.Time }),
            _ => null,
        };
        return device is not null;
    }
}
