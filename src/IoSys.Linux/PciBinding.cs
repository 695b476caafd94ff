using System.Globalization;

namespace IoSys.Linux;

/// <summary>A device in the same IOMMU group as another, and the driver that holds it.</summary>
/// <param name="address">Its PCI address, e.g. <c>0000:00:02.0</c>.</param>
/// <param name="driver">Its driver, or null if none is bound.</param>
public sealed class PciGroupMember(string address, string? driver)
{
    /// <summary>Its PCI address, e.g. <c>0000:00:02.0</c>.</summary>
    public string Address { get; } = address;

    /// <summary>Its driver, or null if none is bound.</summary>
    public string? Driver { get; } = driver;
}

/// <summary>Who holds a PCI device: its driver, its <c>driver_override</c>, and its IOMMU group with the group's other members.</summary>
/// <param name="address">The device's PCI address.</param>
/// <param name="driver">The bound driver, or null.</param>
/// <param name="driverOverride">The device's <c>driver_override</c>, or null when unset.</param>
/// <param name="iommuGroup">The IOMMU group number, or null.</param>
/// <param name="groupMembers">The group's other devices.</param>
public sealed class PciBindingInfo(string address, string? driver, string? driverOverride, int? iommuGroup, IReadOnlyList<PciGroupMember> groupMembers)
{
    /// <summary>The device's PCI address.</summary>
    public string Address { get; } = address;

    /// <summary>The bound driver (the name of <c>driver</c>'s link target), or null if none.</summary>
    public string? Driver { get; } = driver;

    /// <summary>The device's <c>driver_override</c>, or null when unset (the kernel reads <c>(null)</c>).</summary>
    public string? DriverOverride { get; } = driverOverride;

    /// <summary>The IOMMU group number (<c>iommu_group</c>'s link target), or null when the device has none (no IOMMU).</summary>
    public int? IommuGroup { get; } = iommuGroup;

    /// <summary>The group's other devices, by address; empty without a group.</summary>
    public IReadOnlyList<PciGroupMember> GroupMembers { get; } = groupMembers;
}

/// <summary>What <see cref="PciBinding.Bind"/> or <see cref="PciBinding.Unbind"/> did.</summary>
/// <param name="address">The device.</param>
/// <param name="previousDriver">The driver it had before, or null.</param>
/// <param name="driver">The driver it has now, or null.</param>
/// <param name="changed">False when the device already was where it was asked to go.</param>
public sealed class PciBindResult(string address, string? previousDriver, string? driver, bool changed)
{
    /// <summary>The device.</summary>
    public string Address { get; } = address;

    /// <summary>The driver it had before, or null.</summary>
    public string? PreviousDriver { get; } = previousDriver;

    /// <summary>The driver it has now, or null.</summary>
    public string? Driver { get; } = driver;

    /// <summary>False when the device already was where it was asked to go.</summary>
    public bool Changed { get; } = changed;
}

/// <summary>
/// Reports which driver holds each PCI device and its IOMMU group, and moves a device between drivers the way VFIO
/// users do: <c>driver_override</c>, unbind from the current driver, <c>drivers_probe</c>. The driver a device had
/// before the first <see cref="Bind"/> is remembered in a state directory, so <see cref="Unbind"/> hands the device back
/// to it (or leaves it unbound, if it had none), even from another process.
/// </summary>
/// <remarks>
/// Every path comes from <c>sysfsRoot</c> (default <c>/sys</c>; test fixtures elsewhere); files are read and written with
/// <see cref="Sysfs"/>'s checks (regular files, no final symbolic link, on sysfs under <c>/sys</c>). Writing needs root.
/// Before binding to <c>vfio-pci</c>, every other member of the IOMMU group must be unbound or held by
/// <c>vfio-pci</c>, <c>pci-stub</c> or <c>pcieport</c> (a bridge), or VFIO refuses the group as not viable: the error
/// names the member that blocks it.
/// </remarks>
/// <example>
/// <code>
/// PciBindingInfo info = PciBinding.Get("0000:00:02.0");          // Driver "uio_pci_generic", IommuGroup 5, ...
/// PciBinding.Bind("0000:00:02.0", "vfio-pci");                    // remembers uio_pci_generic
/// PciBinding.Unbind("0000:00:02.0");                              // back to uio_pci_generic
/// </code>
/// </example>
public static class PciBinding
{
    /// <summary>Where the driver a device had before <see cref="Bind"/> is remembered, one file per device: <c>/run/iosys/pci-bindings</c>.</summary>
    public const string DefaultStateDirectory = "/run/iosys/pci-bindings";

    private static readonly string[] VfioCompatible = ["vfio-pci", "pci-stub", "pcieport"];

    /// <summary>How long a bind waits for the driver to take the device (drivers may probe asynchronously).</summary>
    private static readonly TimeSpan ProbeWait = TimeSpan.FromSeconds(2);

    /// <summary>Reads who holds <paramref name="selector"/>'s device.</summary>
    /// <param name="selector">An address or <c>vendor:device[#n]</c> id (see <see cref="PciDevices.Find"/>).</param>
    /// <param name="sysfsRoot">The sysfs mount point. Default: <c>/sys</c>.</param>
    /// <returns>Driver, override, IOMMU group and the group's other members.</returns>
    /// <exception cref="ArgumentException">The selector is malformed.</exception>
    /// <exception cref="FileNotFoundException">No such device.</exception>
    /// <exception cref="InvalidDataException">The device's sysfs files are malformed (e.g. an IOMMU group link that is not a number).</exception>
    public static PciBindingInfo Get(string selector, string sysfsRoot = "/sys") => Get(PciDevices.Find(selector, sysfsRoot), sysfsRoot);

    /// <summary>Reads who holds <paramref name="device"/> (see <see cref="Get(string, string)"/>).</summary>
    /// <param name="device">The device.</param>
    /// <param name="sysfsRoot">The sysfs mount point the device was found under.</param>
    /// <returns>Driver, override, IOMMU group and the group's other members.</returns>
    /// <exception cref="InvalidDataException">The IOMMU group link is not a number.</exception>
    public static PciBindingInfo Get(PciDeviceInfo device, string sysfsRoot = "/sys")
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentException.ThrowIfNullOrEmpty(sysfsRoot);
        int? group = IommuGroupOf(device.SysfsPath);
        var members = new List<PciGroupMember>();
        if (group is { } g && Directory.Exists(GroupDirectory(sysfsRoot, g)))
        {
            members.AddRange(ListGroup(sysfsRoot, g).Where(m => m.Address != device.Address));
        }

        return new PciBindingInfo(device.Address, Sysfs.LinkName(Path.Join(device.SysfsPath, "driver")), ReadOverride(device.SysfsPath), group, members);
    }

    /// <summary>The IOMMU group number of the device whose sysfs directory is <paramref name="deviceDirectory"/>, or null without one.</summary>
    /// <param name="deviceDirectory">E.g. <c>/sys/bus/pci/devices/0000:00:02.0</c>.</param>
    /// <returns>The group, or null.</returns>
    /// <exception cref="InvalidDataException">The link's target does not end in a number.</exception>
    public static int? IommuGroupOf(string deviceDirectory)
    {
        string link = Path.Join(deviceDirectory, "iommu_group");
        string? name = Sysfs.LinkName(link);
        if (name is null)
        {
            return null;
        }

        return int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int group)
            ? group
            : throw new InvalidDataException($"The sysfs link '{link}' points at '{Sysfs.Shorten(name)}', which is not an IOMMU group number.");
    }

    /// <summary>
    /// Binds the device to <paramref name="driver"/>: sets <c>driver_override</c>, unbinds it from its current driver,
    /// and asks the kernel to probe it (<c>drivers_probe</c>); then checks that <paramref name="driver"/> holds it. The
    /// driver it had is remembered (only the first time: binding again keeps the original) for <see cref="Unbind"/>.
    /// </summary>
    /// <param name="selector">An address or <c>vendor:device[#n]</c> id.</param>
    /// <param name="driver">A loaded PCI driver's name, e.g. <c>vfio-pci</c>.</param>
    /// <param name="sysfsRoot">The sysfs mount point. Default: <c>/sys</c>.</param>
    /// <param name="stateDirectory">Where previous drivers are remembered. Default: <see cref="DefaultStateDirectory"/>.</param>
    /// <returns>The previous and the new driver.</returns>
    /// <exception cref="ArgumentException">The selector or the driver name is malformed.</exception>
    /// <exception cref="FileNotFoundException">No such device, or no such driver loaded (the message says which module to load).</exception>
    /// <exception cref="InvalidOperationException">Another member of the device's IOMMU group is bound to a host driver (named), or the driver did not take the device.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied writing a sysfs file (root needed; the file is named).</exception>
    /// <exception cref="IOException">A sysfs write failed, e.g. the device is busy (the file and error are named).</exception>
    public static PciBindResult Bind(string selector, string driver, string sysfsRoot = "/sys", string stateDirectory = DefaultStateDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        CheckDriverName(driver);
        PciDeviceInfo device = PciDevices.Find(selector, sysfsRoot);
        PciBindingInfo info = Get(device, sysfsRoot);
        if (info.Driver == driver)
        {
            return new PciBindResult(device.Address, driver, driver, changed: false);
        }

        string driverDirectory = DriverDirectory(sysfsRoot, driver);
        if (!Directory.Exists(driverDirectory))
        {
            throw new FileNotFoundException(
                $"Cannot bind {device.Address} to {driver}: no such driver is loaded ('{driverDirectory}' does not exist); load its module first, e.g. modprobe {driver.Replace('-', '_')}.",
                driverDirectory);
        }

        if (driver == "vfio-pci" && info.GroupMembers.FirstOrDefault(m => m.Driver is { } d && !VfioCompatible.Contains(d)) is { } blocker)
        {
            throw new InvalidOperationException(
                $"Cannot bind {device.Address} to vfio-pci: IOMMU group {info.IommuGroup} also holds {blocker.Address}, bound to the host driver {blocker.Driver}, " +
                $"so VFIO would refuse the group as not viable. Bind {blocker.Address} to vfio-pci too, or unbind it first.");
        }

        Remember(stateDirectory, device.Address, info.Driver);
        Sysfs.WriteText(Path.Join(device.SysfsPath, "driver_override"), driver, $"the driver_override of {device.Address}");
        if (info.Driver is { } current)
        {
            Detach(sysfsRoot, device.SysfsPath, device.Address, current);
        }

        Sysfs.WriteText(Path.Join(sysfsRoot, "bus", "pci", "drivers_probe"), device.Address, $"drivers_probe (for {device.Address})");
        string? now = WaitForDriver(device.SysfsPath, driver);
        if (now != driver)
        {
            throw new InvalidOperationException(
                $"{driver} did not take {device.Address} (its driver is now {now ?? "none"}); driver_override is set to {driver}. The kernel's log (dmesg) says why; " +
                $"'iosys unbind {device.Address}' hands it back to {info.Driver ?? "no driver"}.");
        }

        return new PciBindResult(device.Address, info.Driver, now, changed: true);
    }

    /// <summary>
    /// Hands the device back: clears <c>driver_override</c>, unbinds it from its current driver, and binds it to the
    /// driver it had before the first <see cref="Bind"/> (remembered in <paramref name="stateDirectory"/>), or leaves it
    /// unbound if it had none or nothing was remembered.
    /// </summary>
    /// <param name="selector">An address or <c>vendor:device[#n]</c> id.</param>
    /// <param name="sysfsRoot">The sysfs mount point. Default: <c>/sys</c>.</param>
    /// <param name="stateDirectory">Where previous drivers are remembered. Default: <see cref="DefaultStateDirectory"/>.</param>
    /// <returns>The driver it had and the driver it has now.</returns>
    /// <exception cref="ArgumentException">The selector is malformed.</exception>
    /// <exception cref="FileNotFoundException">No such device, or the remembered driver is no longer loaded (named).</exception>
    /// <exception cref="InvalidOperationException">The remembered driver did not take the device back.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied writing a sysfs file (root needed; the file is named).</exception>
    /// <exception cref="IOException">A sysfs write failed, e.g. the device is busy (the file and error are named).</exception>
    public static PciBindResult Unbind(string selector, string sysfsRoot = "/sys", string stateDirectory = DefaultStateDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        PciDeviceInfo device = PciDevices.Find(selector, sysfsRoot);
        PciBindingInfo info = Get(device, sysfsRoot);
        string state = StateFile(stateDirectory, device.Address);
        string? previous = File.Exists(state) ? NullIfEmpty(File.ReadAllText(state).Trim()) : null;
        if (previous is not null)
        {
            CheckDriverName(previous);
        }

        if (info.Driver == previous && info.DriverOverride is null)
        {
            Forget(state);
            return new PciBindResult(device.Address, info.Driver, info.Driver, changed: false);
        }

        if (previous is not null && !Directory.Exists(DriverDirectory(sysfsRoot, previous)))
        {
            throw new FileNotFoundException(
                $"Cannot hand {device.Address} back to {previous}: that driver is no longer loaded; load it (modprobe {previous.Replace('-', '_')}) and retry.",
                DriverDirectory(sysfsRoot, previous));
        }

        // The kernel clears driver_override on an empty write ("\n").
        Sysfs.WriteText(Path.Join(device.SysfsPath, "driver_override"), "\n", $"the driver_override of {device.Address}");
        if (info.Driver is { } current)
        {
            Detach(sysfsRoot, device.SysfsPath, device.Address, current);
        }

        string? now = null;
        if (previous is not null)
        {
            Sysfs.WriteText(Path.Join(DriverDirectory(sysfsRoot, previous), "bind"), device.Address, $"the bind file of {previous} (for {device.Address})");
            now = WaitForDriver(device.SysfsPath, previous);
            if (now != previous)
            {
                throw new InvalidOperationException($"{previous} did not take {device.Address} back (its driver is now {now ?? "none"}); see the kernel's log (dmesg).");
            }
        }

        Forget(state);
        return new PciBindResult(device.Address, info.Driver, now, changed: true);
    }

    private const string InUseHint = "If the device is in use (an open VFIO group, a mounted disk, an interface that is up), release it first.";

    private static void Detach(string sysfsRoot, string deviceDirectory, string address, string driver)
    {
        try
        {
            Sysfs.WriteText(Path.Join(DriverDirectory(sysfsRoot, driver), "unbind"), address, $"the unbind file of {driver} (for {address})");
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new IOException($"Cannot unbind {address} from {driver}: {e.Message} {InUseHint}", e);
        }

        if (WaitForDriver(deviceDirectory, null) is { } still)
        {
            throw new IOException($"{address} is still bound to {still} after writing to {driver}'s unbind file. {InUseHint}");
        }
    }

    // Drivers may probe asynchronously: wait a little for the link, returning as soon as it names the driver (null: no driver).
    private static string? WaitForDriver(string deviceDirectory, string? driver)
    {
        long deadline = Environment.TickCount64 + (long)ProbeWait.TotalMilliseconds;
        while (true)
        {
            string? now = Sysfs.LinkName(Path.Join(deviceDirectory, "driver"));
            if (now == driver || Environment.TickCount64 >= deadline)
            {
                return now;
            }

            Thread.Sleep(10);
        }
    }

    private static void Remember(string stateDirectory, string address, string? driver)
    {
        string file = StateFile(stateDirectory, address);
        if (File.Exists(file))
        {
            return; // Bound before: keep the driver it had originally.
        }

        Directory.CreateDirectory(stateDirectory);
        File.WriteAllText(file, (driver ?? "") + "\n");
    }

    // File.Delete throws when the directory is missing (nothing was ever remembered): nothing to forget then.
    private static void Forget(string stateFile)
    {
        if (File.Exists(stateFile))
        {
            File.Delete(stateFile);
        }
    }

    private static string? ReadOverride(string deviceDirectory)
    {
        try
        {
            string text = Sysfs.ReadText(Path.Join(deviceDirectory, "driver_override"));
            return text is "" or "(null)" ? null : text;
        }
        catch (FileNotFoundException)
        {
            return null; // Kernels before 3.16 have no driver_override.
        }
    }

    // A driver name becomes a path component: refuse anything that could leave the drivers directory.
    private static void CheckDriverName(string driver)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(driver);
        if (driver is "." or ".." || driver.Length > 64 || !driver.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"'{Sysfs.Shorten(driver)}' is not a driver name (letters, digits, '-', '_' and '.' only, e.g. vfio-pci).", nameof(driver));
        }
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private static string StateFile(string stateDirectory, string address) => Path.Join(stateDirectory, address);

    /// <summary>The sysfs directory that lists the devices of IOMMU group <paramref name="group"/>.</summary>
    internal static string GroupDirectory(string sysfsRoot, int group) =>
        Path.Join(sysfsRoot, "kernel", "iommu_groups", group.ToString(CultureInfo.InvariantCulture), "devices");

    /// <summary>
    /// Every device of IOMMU group <paramref name="group"/>, by address, with its driver: the one listing behind
    /// <see cref="Get(PciDeviceInfo, string)"/> and VFIO's "group not viable" report.
    /// </summary>
    /// <exception cref="IOException">The group's directory is missing or cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The group's directory cannot be listed.</exception>
    internal static List<PciGroupMember> ListGroup(string sysfsRoot, int group) =>
        [.. Directory.EnumerateFileSystemEntries(GroupDirectory(sysfsRoot, group))
            .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
            .Select(address => new PciGroupMember(address, Sysfs.LinkName(Path.Join(DeviceDirectory(sysfsRoot, address), "driver"))))];

    private static string DeviceDirectory(string sysfsRoot, string address) => Path.Join(sysfsRoot, "bus", "pci", "devices", address);

    private static string DriverDirectory(string sysfsRoot, string driver) => Path.Join(sysfsRoot, "bus", "pci", "drivers", driver);
}
