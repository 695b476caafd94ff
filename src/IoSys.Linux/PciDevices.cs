using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux;

/// <summary>Enumerates PCI devices from sysfs and maps their memory BARs through <c>resourceN</c>.</summary>
/// <remarks>
/// Mapping a BAR needs read-write access to <c>/sys/bus/pci/devices/ADDR/resourceN</c>, which is root-only by
/// default; see docs/targets.md for a udev rule. The BAR's size is checked before mapping, so no access through
/// the map can reach past the BAR.
/// </remarks>
public static class PciDevices
{
    private const int BarCount = 6;
    private const ulong IoResourceIo = 0x100;
    private const ulong IoResourceMem = 0x200;
    private const ulong IoResourcePrefetch = 0x2000;
    private const ulong IoResourceMem64 = 0x100000;

    private const string PermissionHint =
        "sysfs resource files are read-write for root only: run as root, or add a udev rule that grants your user access to them (see docs/targets.md)";

    /// <summary>Lists the PCI devices under <c>SYSFSROOT/bus/pci/devices</c>, sorted by address; malformed entries are left out.</summary>
    /// <param name="sysfsRoot">The sysfs mount point. Default: <c>/sys</c>.</param>
    /// <returns>The devices; empty if the system has no PCI bus.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="sysfsRoot"/> does not exist.</exception>
    public static IReadOnlyList<PciDeviceInfo> Enumerate(string sysfsRoot = "/sys") => Enumerate(sysfsRoot, out _);

    /// <summary>Lists the PCI devices, and the entries left out because a sysfs file was missing or malformed.</summary>
    /// <param name="sysfsRoot">The sysfs mount point.</param>
    /// <param name="skipped">The entries left out, each with its reason.</param>
    /// <returns>The devices, sorted by address.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="sysfsRoot"/> does not exist.</exception>
    public static IReadOnlyList<PciDeviceInfo> Enumerate(string sysfsRoot, out IReadOnlyList<SkippedEntry> skipped)
    {
        ArgumentException.ThrowIfNullOrEmpty(sysfsRoot);
        if (!Directory.Exists(sysfsRoot))
        {
            throw new DirectoryNotFoundException($"The sysfs root '{sysfsRoot}' does not exist.");
        }

        var devices = new List<PciDeviceInfo>();
        var left = new List<SkippedEntry>();
        string dir = DevicesDirectory(sysfsRoot);
        if (Directory.Exists(dir))
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
            {
                try
                {
                    devices.Add(ReadDevice(entry));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
                {
                    left.Add(new SkippedEntry(entry, e.Message));
                }
            }
        }

        skipped = left;
        return devices;
    }

    /// <summary>Finds one PCI device.</summary>
    /// <param name="selector">
    /// An address, <c>0000:00:04.0</c> (or <c>00:04.0</c> in domain 0); or a <c>vendor:device</c> id in hex,
    /// <c>1234:11e8</c>, for the first such device by address, or <c>1234:11e8#1</c> for the second (counting from 0).
    /// </param>
    /// <param name="sysfsRoot">The sysfs mount point. Default: <c>/sys</c>.</param>
    /// <returns>The device.</returns>
    /// <exception cref="ArgumentException">The selector is neither an address nor an id.</exception>
    /// <exception cref="FileNotFoundException">No device matches, or the device at the address lacks one of its sysfs files.</exception>
    /// <exception cref="InvalidDataException">The device's sysfs files are malformed.</exception>
    public static PciDeviceInfo Find(string selector, string sysfsRoot = "/sys") => FindCore(selector, sysfsRoot, throwIfNone: true)!;

    /// <summary>Finds one PCI device, or returns false if none matches (see <see cref="Find"/>).</summary>
    /// <param name="selector">An address or <c>vendor:device[#n]</c> id.</param>
    /// <param name="device">The device, or null.</param>
    /// <param name="sysfsRoot">The sysfs mount point. Default: <c>/sys</c>.</param>
    /// <returns>True if found; false only if no device matches.</returns>
    /// <exception cref="ArgumentException">The selector is neither an address nor an id.</exception>
    /// <exception cref="FileNotFoundException">A device is at the address but lacks one of its sysfs files (as <see cref="Find"/> says).</exception>
    /// <exception cref="InvalidDataException">The device's sysfs files are malformed.</exception>
    public static bool TryFind(string selector, out PciDeviceInfo? device, string sysfsRoot = "/sys")
    {
        device = FindCore(selector, sysfsRoot, throwIfNone: false);
        return device is not null;
    }

    /// <summary>
    /// Find, which returns null when no device matches unless <paramref name="throwIfNone"/>; a device that
    /// matches but cannot be read throws either way.
    /// </summary>
    private static PciDeviceInfo? FindCore(string selector, string sysfsRoot, bool throwIfNone)
    {
        ArgumentException.ThrowIfNullOrEmpty(sysfsRoot);
        Selector parsed = Selector.Parse(selector);
        if (parsed.Address is { } address)
        {
            string path = Path.Join(DevicesDirectory(sysfsRoot), address);
            if (!Directory.Exists(path))
            {
                if (!throwIfNone)
                {
                    return null;
                }

                throw new FileNotFoundException(
                    $"No PCI device at {address}: '{path}' does not exist. List devices with `lspci -Dnn`.", path);
            }

            return ReadDevice(path);
        }

        IReadOnlyList<PciDeviceInfo> all = Enumerate(sysfsRoot, out IReadOnlyList<SkippedEntry> skipped);
        PciDeviceInfo[] matches = all.Where(d => d.VendorId == parsed.VendorId && d.DeviceId == parsed.DeviceId).ToArray();
        if (parsed.Index < matches.Length)
        {
            return matches[parsed.Index];
        }

        if (!throwIfNone)
        {
            return null;
        }

        string id = $"{parsed.VendorId:x4}:{parsed.DeviceId:x4}";
        string found = matches.Length == 0 ? "none is present" : $"only {matches.Length} {(matches.Length == 1 ? "is" : "are")} present";
        string note = skipped.Count == 0 ? "" : $" ({skipped.Count} unreadable entries were skipped, e.g. {skipped[0].Path}: {skipped[0].Reason})";
        throw new FileNotFoundException(
            $"No PCI device {selector.Trim()} under '{DevicesDirectory(sysfsRoot)}': {(parsed.Index == 0 ? "" : $"asked for match #{parsed.Index} of {id}, ")}{found}{note}.",
            DevicesDirectory(sysfsRoot));
    }

    /// <summary>
    /// Maps a memory BAR of a PCI device through sysfs <c>resourceN</c> (or <c>resourceN_wc</c>), as I/O memory
    /// by default. The map is exactly the BAR's size.
    /// </summary>
    /// <param name="selector">The device: an address or a <c>vendor:device[#n]</c> id (see <see cref="Find"/>).</param>
    /// <param name="bar">The BAR number, 0 to 5. Default: 0.</param>
    /// <param name="options">Write-combining, read-only, widths, sysfs root.</param>
    /// <returns>A map of the BAR's size in bytes that owns the mapping.</returns>
    /// <exception cref="ArgumentException">The selector is malformed, or the map options are inconsistent.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bar"/> is not 0-5, or the device does not implement it.</exception>
    /// <exception cref="NotSupportedException">The BAR is an I/O-port BAR, or write-combining was asked for a non-prefetchable BAR.</exception>
    /// <exception cref="FileNotFoundException">No such device, or its <c>resourceN</c> or <c>config</c> file is missing.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied (needs root or a udev rule).</exception>
    /// <exception cref="InvalidDataException">The device's sysfs files are malformed.</exception>
    /// <exception cref="IOException">The resource file is a symbolic link, not a regular file, not on sysfs (under <c>/sys</c>), or smaller than the BAR;
    /// the device's memory decoding is off (and <see cref="PciOpenOptions.EnableDevice"/> was not given, or did not turn it on); or the kernel refused the mapping.</exception>
    public static IoSysMap OpenBar(string selector, int bar = 0, PciOpenOptions? options = null)
    {
        options ??= new PciOpenOptions();
        ThrowIfNoSuchBar(bar);
        return OpenBar(Find(selector, options.SysfsRoot), bar, options);
    }

    /// <summary>
    /// Maps a memory BAR of a device already found (by <see cref="Find"/>, <see cref="TryFind"/> or
    /// <see cref="Enumerate(string)"/>): see <see cref="OpenBar(string, int, PciOpenOptions?)"/>. The BAR's size and kind
    /// are the ones <paramref name="device"/> describes; <see cref="PciOpenOptions.SysfsRoot"/> is not used.
    /// </summary>
    /// <param name="device">The device.</param>
    /// <param name="bar">The BAR number, 0 to 5. Default: 0.</param>
    /// <param name="options">Write-combining, read-only, widths.</param>
    /// <returns>A map of the BAR's size in bytes that owns the mapping.</returns>
    /// <exception cref="ArgumentException">The map options are inconsistent.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bar"/> is not 0-5, or the device does not implement it.</exception>
    /// <exception cref="NotSupportedException">The BAR is an I/O-port BAR, or write-combining was asked for a non-prefetchable BAR.</exception>
    /// <exception cref="FileNotFoundException">The device's <c>resourceN</c> or <c>config</c> file is missing (or the device is gone).</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied (needs root or a udev rule).</exception>
    /// <exception cref="IOException">The resource file is a symbolic link, not a regular file, not on sysfs (under <c>/sys</c>), or smaller than the BAR;
    /// the device's memory decoding is off (and <see cref="PciOpenOptions.EnableDevice"/> was not given, or did not turn it on); or the kernel refused the mapping.</exception>
    public static IoSysMap OpenBar(PciDeviceInfo device, int bar = 0, PciOpenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        options ??= new PciOpenOptions();
        ThrowIfNoSuchBar(bar);
        PciBarInfo info = device.Bars[bar];
        string name = $"BAR {bar} of PCI device {device.Address} ({device.Id})";
        switch (info.Kind)
        {
            case PciBarKind.Unused:
                string implemented = string.Join(", ", device.Bars.Where(b => b.Kind != PciBarKind.Unused)
                    .Select(b => $"{b.Index} ({(b.Kind == PciBarKind.Io ? "I/O" : "memory")}, {b.Size} bytes)"));
                throw new ArgumentOutOfRangeException(nameof(bar), bar,
                    $"{name} is not implemented (size 0{(bar > 0 && device.Bars[bar - 1].Is64Bit ? $"; it is the upper half of 64-bit BAR {bar - 1}" : "")}). " +
                    $"Implemented BARs: {(implemented.Length == 0 ? "none" : implemented)}.");
            case PciBarKind.Io:
                throw new NotSupportedException(
                    $"{name} is an I/O-port BAR ({info.Size} bytes at port {LinuxErrors.Hex(info.PhysicalAddress)}): I/O ports cannot be memory-mapped. Use a memory BAR.");
        }

        if (options.WriteCombining && !info.IsPrefetchable)
        {
            throw new NotSupportedException($"{name} is not prefetchable, so it has no write-combining resource{bar}_wc; map it without WriteCombining.");
        }

        string path = Path.Join(device.SysfsPath, options.WriteCombining ? $"resource{bar}_wc" : $"resource{bar}");
        bool readOnly = options.ReadOnly || options.MapOptions?.ReadOnly == true;
        IoMapOptions mapOptions = NativeFile.Resolve(options.MapOptions, options.Space, IoSpace.IoMemory, readOnly);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"Cannot map {name}: '{path}' does not exist. The kernel creates resourceN files only for memory BARs it can mmap; " +
                "this platform or sysfs mount may not support mapping PCI resources.", path);
        }

        // The resource file: never through a symbolic link, and the kernel's own (on sysfs) under /sys.
        using SafeFileHandle file = NativeFile.OpenChecked(path, readOnly ? LibC.O_RDONLY : LibC.O_RDWR, StatKinds.Regular,
            $"the resource file of {name}", PermissionHint, noFollow: true, requireSysfs: Sysfs.IsKernelPath(path));
        long fileLength = NativeFile.Stat(file, path).Size;
        if (fileLength < info.Size)
        {
            throw new IOException(
                $"Cannot map {name}: '{path}' is {fileLength} bytes but the BAR is {info.Size} bytes; refusing to map a range that could fault.");
        }

        EnsureMemoryDecoding(device, name, options.EnableDevice);
        MmapRegion region = MmapRegion.Map(file, path, 0, 0, info.Size, !readOnly, PermissionHint, StatKinds.Regular, $"the resource file of {name}");
        return region.CreateMap(mapOptions, path);
    }

    /// <summary>
    /// Refuses a device whose memory decoding is off (command bit 1 clear: every BAR read gives all-ones, writes
    /// vanish), after turning it on through sysfs <c>enable</c> when <paramref name="enable"/>.
    /// </summary>
    private static void EnsureMemoryDecoding(PciDeviceInfo device, string name, bool enable)
    {
        PciCommand command;
        using (PciConfigSpace config = OpenConfig(device, name))
        {
            command = config.Command;
        }

        if ((command & PciCommand.MemorySpace) != 0)
        {
            return;
        }

        string enablePath = Path.Join(device.SysfsPath, "enable");
        if (enable && device.Driver is { } driver)
        {
            // The kernel's enable_store refuses (EBUSY) while a driver is bound: enabling is that driver's business.
            throw new IOException(
                $"Cannot map {name}: the device has memory decoding turned off (PCI command register 0x{(ushort)command:x4}, bit 1 clear) and is bound to " +
                $"driver '{driver}', which has not turned it on; the kernel lets sysfs enable only an unbound device. Unbind it " +
                $"(echo {device.Address} > /sys/bus/pci/drivers/{driver}/unbind) and try again.");
        }

        if (enable)
        {
            Sysfs.WriteText(enablePath, "1", $"the enable file of PCI device {device.Address}");
            using PciConfigSpace config = OpenConfig(device, name);
            command = config.Command;
            if ((command & PciCommand.MemorySpace) != 0)
            {
                return;
            }

            throw new IOException(
                $"Cannot map {name}: memory decoding is still off after writing 1 to '{enablePath}' (PCI command register 0x{(ushort)command:x4}, " +
                "bit 1 clear); the kernel could not enable the device (see dmesg), or its BARs have no addresses assigned.");
        }

        throw new IOException(
            $"Cannot map {name}: the device has memory decoding turned off (PCI command register 0x{(ushort)command:x4}: bit 1, Memory Space, is clear), " +
            "so every read would return all-ones and every write would be lost. Turn it on first: PciOpenOptions.EnableDevice (iosys --enable), " +
            $"or as root `echo 1 > {enablePath}`. No driver enabled it (on boards without PCI firmware, or after a driver unbinds, nothing does).");
    }

    private static PciConfigSpace OpenConfig(PciDeviceInfo device, string name)
    {
        try
        {
            return PciConfigSpace.Open(device);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException(
                $"Cannot map {name}: its config space '{e.FileName}' is missing, so whether it decodes memory cannot be checked.", e.FileName, e);
        }
    }

    /// <summary>
    /// Whether <paramref name="device"/> is still there: its sysfs directory exists and still names the same
    /// vendor and device. A device removed while mapped (<c>echo 1 > .../remove</c>, hot unplug) keeps its mapping,
    /// and reads through it go on returning whatever the bus answers, so a long-running reader asks this between
    /// accesses to notice the removal.
    /// </summary>
    /// <param name="device">The device, as found by <see cref="Find"/> or <see cref="Enumerate(string)"/>.</param>
    /// <returns>True if present; false if its directory is gone or now describes another device.</returns>
    public static bool IsPresent(PciDeviceInfo device)
    {
        ArgumentNullException.ThrowIfNull(device);
        try
        {
            return Sysfs.ReadHex(Path.Join(device.SysfsPath, "vendor")) == device.VendorId &&
                   Sysfs.ReadHex(Path.Join(device.SysfsPath, "device")) == device.DeviceId;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return false;
        }
    }

    private static void ThrowIfNoSuchBar(int bar)
    {
        if ((uint)bar >= BarCount)
        {
            throw new ArgumentOutOfRangeException(nameof(bar), bar, $"A PCI device has BARs 0 to 5; {bar} is not one of them.");
        }
    }

    private static string DevicesDirectory(string sysfsRoot) => Path.Join(sysfsRoot, "bus", "pci", "devices");

    /// <summary>Reads one device directory; throws naming the file that is missing or malformed.</summary>
    internal static PciDeviceInfo ReadDevice(string directory)
    {
        string address = Path.GetFileName(directory);
        ulong vendor = Sysfs.ReadHex(Path.Join(directory, "vendor"));
        ulong deviceId = Sysfs.ReadHex(Path.Join(directory, "device"));
        ulong classCode = Sysfs.ReadHex(Path.Join(directory, "class"));
        if (vendor > 0xffff || deviceId > 0xffff || classCode > 0xffffff)
        {
            throw new InvalidDataException(
                $"The PCI device '{directory}' has an out-of-range id: vendor {LinuxErrors.Hex(vendor)}, device {LinuxErrors.Hex(deviceId)}, class {LinuxErrors.Hex(classCode)}.");
        }

        PciBarInfo[] bars = ParseResource(Path.Join(directory, "resource"));
        var info = new PciDeviceInfo(address, (ushort)vendor, (ushort)deviceId, (uint)classCode, bars)
        {
            SysfsPath = directory,
            Driver = Sysfs.LinkName(Path.Join(directory, "driver")),
        };
        return info with { IsMemoryDecodingEnabled = ReadMemoryDecoding(info) };
    }

    /// <summary>Command bit 1 from config space, or null if config space cannot be read (missing, permission, not a sysfs file).</summary>
    private static bool? ReadMemoryDecoding(PciDeviceInfo device)
    {
        try
        {
            using PciConfigSpace config = PciConfigSpace.Open(device);
            return config.IsMemoryDecodingEnabled;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Parses sysfs <c>resource</c>: one line per resource, "0xSTART 0xEND 0xFLAGS"; lines 0-5 are the BARs.</summary>
    internal static PciBarInfo[] ParseResource(string path)
    {
        string[] lines = Sysfs.ReadText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < BarCount)
        {
            throw new InvalidDataException($"The sysfs file '{path}' is malformed: it has {lines.Length} lines, expected at least {BarCount} (one per BAR).");
        }

        var bars = new PciBarInfo[BarCount];
        for (int i = 0; i < BarCount; i++)
        {
            string[] fields = lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 3)
            {
                throw new InvalidDataException(
                    $"The sysfs file '{path}' is malformed: line {i + 1} is '{Sysfs.Shorten(lines[i])}', expected \"0xSTART 0xEND 0xFLAGS\".");
            }

            string where = $"{path} (line {i + 1})";
            ulong start = Sysfs.ParseHex(fields[0], where);
            ulong end = Sysfs.ParseHex(fields[1], where);
            ulong flags = Sysfs.ParseHex(fields[2], where);
            if (start == 0 && end == 0)
            {
                bars[i] = new PciBarInfo(i, 0, 0, PciBarKind.Unused, false, false);
                continue;
            }

            if (end < start || end - start >= long.MaxValue)
            {
                throw new InvalidDataException(
                    $"The sysfs file '{path}' is malformed: line {i + 1} has start {LinuxErrors.Hex(start)} and end {LinuxErrors.Hex(end)}, which is not a valid range.");
            }

            long size = (long)(end - start + 1);
            // Kind comes from the flags; a range with neither flag is a resource the kernel did not classify.
            // size is at least 1: end >= start and end - start < long.MaxValue were checked above.
            PciBarKind kind = (flags & IoResourceIo) != 0 ? PciBarKind.Io
                : (flags & IoResourceMem) != 0 ? PciBarKind.Memory
                : PciBarKind.Unused;
            bool memory = kind == PciBarKind.Memory;
            bars[i] = new PciBarInfo(i, kind == PciBarKind.Unused ? 0 : start, kind == PciBarKind.Unused ? 0 : size, kind,
                memory && (flags & IoResourcePrefetch) != 0, memory && (flags & IoResourceMem64) != 0);
        }

        return bars;
    }

    /// <summary>A parsed device selector: an address, or an id with a match index.</summary>
    private readonly record struct Selector(string? Address, ushort VendorId, ushort DeviceId, int Index)
    {
        public static Selector Parse(string selector)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(selector);
            string s = selector.Trim().ToLowerInvariant();
            if (s.Contains('.'))
            {
                string[] parts = s.Split(':');
                if (parts.Length == 2)
                {
                    s = "0000:" + s;
                    parts = s.Split(':');
                }

                if (parts.Length == 3 && IsHex(parts[0], 4, 8) && IsHex(parts[1], 2, 2) && parts[2].Length == 4 && parts[2][2] == '.' &&
                    IsHex(parts[2][..2], 2, 2) && parts[2][3] is >= '0' and <= '7')
                {
                    return new Selector(s, 0, 0, 0);
                }
            }
            else
            {
                int hash = s.IndexOf('#', StringComparison.Ordinal);
                string id = hash < 0 ? s : s[..hash];
                int index = 0;
                bool indexOk = hash < 0 || (int.TryParse(s[(hash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out index) && index >= 0);
                string[] parts = id.Split(':');
                if (indexOk && parts.Length == 2 && IsHex(parts[0], 4, 4) && IsHex(parts[1], 4, 4))
                {
                    return new Selector(null,
                        ushort.Parse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture),
                        ushort.Parse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture), index);
                }
            }

            throw new ArgumentException(
                $"'{selector}' is not a PCI device selector: use an address such as 0000:00:04.0 (or 00:04.0), or a vendor:device id such as 1234:11e8, optionally with #N for the N-th match counting from 0.",
                nameof(selector));
        }

        private static bool IsHex(string text, int minLength, int maxLength) =>
            text.Length >= minLength && text.Length <= maxLength && text.All(char.IsAsciiHexDigit);
    }
}
