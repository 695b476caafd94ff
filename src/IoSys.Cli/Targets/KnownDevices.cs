using IoSys.Linux;
using IoSys.Devices.Edu;

namespace IoSys.Cli.Targets;

/// <summary>
/// The access rules of PCI devices the tool knows, applied when one of their BARs is opened, so that the tool refuses
/// an access the device would not accept instead of making it (edu reads all ones and drops writes of a width it
/// refuses; other devices may do worse). A library user gets the same by passing the device's map options.
/// </summary>
internal static class KnownDevices
{
    /// <summary>The map options for BAR <paramref name="bar"/> of <paramref name="device"/>, or null when the tool knows no rules for it.</summary>
    public static IoMapOptions? MapOptionsFor(PciDeviceInfo device, int bar) =>
        device.VendorId == EduRegisters.VendorId && device.DeviceId == EduRegisters.DeviceId && bar == 0
            ? EduRegisters.MapOptions
            : null;
}
