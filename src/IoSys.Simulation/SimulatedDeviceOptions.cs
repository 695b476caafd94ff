namespace IoSys.Simulation;

/// <summary>How a <see cref="SimulatedDevice"/> treats accesses it does not accept, and which clock it follows.</summary>
public record SimulatedDeviceOptions
{
    /// <summary>
    /// Throw <see cref="SimulatedBusException"/> for an access the device does not accept, instead of what the bus
    /// does (reads of all ones, writes dropped). Either way the access is recorded in
    /// <see cref="SimulatedDevice.Faults"/>. Default: false.
    /// </summary>
    public bool Strict { get; init; }

    /// <summary>
    /// The clock that time-dependent state follows (delays, timers). Default: <see cref="TimeProvider.System"/>;
    /// tests pass a <see cref="ManualClock"/> to step time deterministically.
    /// </summary>
    public TimeProvider? Time { get; init; }
}
