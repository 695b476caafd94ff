using System.Globalization;

namespace IoSys.Linux;

/// <summary>Enumerates UIO (userspace I/O) devices from <c>/sys/class/uio</c>.</summary>
public static class UioDevices
{
    /// <summary>Lists the UIO devices, sorted by number; entries with missing or malformed files are left out.</summary>
    /// <param name="sysfsRoot">The sysfs mount point. Default: <c>/sys</c>.</param>
    /// <returns>The devices; empty if none is registered (or the uio module is not loaded).</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="sysfsRoot"/> does not exist.</exception>
    public static IReadOnlyList<UioDeviceInfo> Enumerate(string sysfsRoot = "/sys") => Enumerate(sysfsRoot, out _);

    /// <summary>Lists the UIO devices, and the entries left out because a sysfs file was missing or malformed.</summary>
    /// <param name="sysfsRoot">The sysfs mount point.</param>
    /// <param name="skipped">The entries left out, each with its reason.</param>
    /// <returns>The devices, sorted by number.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="sysfsRoot"/> does not exist.</exception>
    public static IReadOnlyList<UioDeviceInfo> Enumerate(string sysfsRoot, out IReadOnlyList<SkippedEntry> skipped)
    {
        ArgumentException.ThrowIfNullOrEmpty(sysfsRoot);
        if (!Directory.Exists(sysfsRoot))
        {
            throw new DirectoryNotFoundException($"The sysfs root '{sysfsRoot}' does not exist.");
        }

        var devices = new List<UioDeviceInfo>();
        var left = new List<SkippedEntry>();
        string dir = ClassDirectory(sysfsRoot);
        if (Directory.Exists(dir))
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries(dir))
            {
                if (ParseNumber(Path.GetFileName(entry)) is not { } number)
                {
                    left.Add(new SkippedEntry(entry, "The name is not uioN."));
                    continue;
                }

                try
                {
                    devices.Add(ReadDevice(entry, number));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
                {
                    left.Add(new SkippedEntry(entry, e.Message));
                }
            }
        }

        devices.Sort((a, b) => a.Number.CompareTo(b.Number));
        skipped = left;
        return devices;
    }

    /// <summary>Reads the UIO device <c>uioN</c>.</summary>
    /// <param name="number">N.</param>
    /// <param name="sysfsRoot">The sysfs mount point. Default: <c>/sys</c>.</param>
    /// <returns>The device.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="number"/> is negative.</exception>
    /// <exception cref="FileNotFoundException">No such device, or one of its files is missing.</exception>
    /// <exception cref="InvalidDataException">A file of the device is malformed.</exception>
    public static UioDeviceInfo Get(int number, string sysfsRoot = "/sys")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        string path = Path.Join(ClassDirectory(sysfsRoot), $"uio{number}");
        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException(
                $"No UIO device uio{number}: '{path}' does not exist. Is its driver loaded and bound (e.g. modprobe uio_pci_generic)?", path);
        }

        return ReadDevice(path, number);
    }

    internal static string ClassDirectory(string sysfsRoot) => Path.Join(sysfsRoot, "class", "uio");

    internal static int? ParseNumber(string text)
    {
        ReadOnlySpan<char> digits = text.AsSpan();
        if (digits.StartsWith("uio", StringComparison.Ordinal))
        {
            digits = digits[3..];
        }

        return digits.Length is > 0 and <= 9 && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : null;
    }

    private static UioDeviceInfo ReadDevice(string directory, int number)
    {
        string name = Sysfs.ReadText(Path.Join(directory, "name"));
        string version = Sysfs.ReadText(Path.Join(directory, "version"));
        var maps = new List<UioMapInfo>();
        string mapsDir = Path.Join(directory, "maps");
        if (Directory.Exists(mapsDir))
        {
            var indexed = new SortedDictionary<int, string>();
            foreach (string entry in Directory.EnumerateFileSystemEntries(mapsDir))
            {
                string file = Path.GetFileName(entry);
                if (!file.StartsWith("map", StringComparison.Ordinal) ||
                    !int.TryParse(file.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                {
                    throw new InvalidDataException($"The UIO map directory '{entry}' is malformed: expected mapN.");
                }

                indexed[index] = entry;
            }

            foreach ((int index, string entry) in indexed)
            {
                if (index != maps.Count)
                {
                    throw new InvalidDataException($"The UIO maps of '{directory}' are malformed: map{maps.Count} is missing before map{index}.");
                }

                maps.Add(ReadMap(entry, index));
            }
        }

        string? parent = Sysfs.LinkName(Path.Join(directory, "device"));
        return new UioDeviceInfo(number, name, version, maps)
        {
            PciAddress = parent is not null && parent.Contains(':') && parent.Contains('.') ? parent : null,
        };
    }

    private static UioMapInfo ReadMap(string directory, int index)
    {
        string namePath = Path.Join(directory, "name");
        string name = File.Exists(namePath) ? Sysfs.ReadText(namePath) : "";
        ulong address = Sysfs.ReadHex(Path.Join(directory, "addr"));
        ulong size = Sysfs.ReadHex(Path.Join(directory, "size"));
        string offsetPath = Path.Join(directory, "offset");
        ulong offset = File.Exists(offsetPath) ? Sysfs.ReadHex(offsetPath) : 0; // Kernels before 3.x had no offset file.
        if (size == 0 || size > long.MaxValue / 2)
        {
            throw new InvalidDataException($"The UIO map '{directory}' is malformed: size {LinuxErrors.Hex(size)} is not a usable size.");
        }

        if (offset >= (ulong)Environment.SystemPageSize)
        {
            throw new InvalidDataException(
                $"The UIO map '{directory}' is malformed: offset {LinuxErrors.Hex(offset)} is not within the first page ({Environment.SystemPageSize} bytes).");
        }

        return new UioMapInfo(index, name, address, (long)size, (long)offset);
    }
}
