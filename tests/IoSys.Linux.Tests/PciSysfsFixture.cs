using System.Buffers.Binary;

namespace IoSys.Testing;

/// <summary>
/// A fixture sysfs tree for PCI binding (shared by the Linux and CLI tests as a linked source): devices with drivers
/// and IOMMU groups laid out with symbolic links as the kernel lays them out, and, once <see cref="StartKernel"/> is
/// called, a stand-in for the kernel that acts on writes to <c>drivers_probe</c> and each driver's <c>bind</c> and
/// <c>unbind</c> (polling the files: they are regular files here).
/// </summary>
public sealed class PciSysfsFixture : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Thread? _kernel;

    public PciSysfsFixture()
    {
        Root = Path.Join(Path.GetTempPath(), "iosys-pci-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Combine("bus", "pci", "devices"));
        Directory.CreateDirectory(Combine("bus", "pci", "drivers"));
        Directory.CreateDirectory(Combine("kernel", "iommu_groups"));
        File.WriteAllText(Combine("bus", "pci", "drivers_probe"), "");
    }

    /// <summary>The sysfs root (what --sysfs-root takes).</summary>
    public string Root { get; }

    /// <summary>Drivers that refuse every device offered to them (probe fails).</summary>
    public HashSet<string> Refusing { get; } = [];

    /// <summary>What the kernel binds a device to on a probe without an override (its matching driver).</summary>
    public Dictionary<string, string> DefaultDriver { get; } = [];

    public string Combine(params string[] parts) => Path.Join([Root, .. parts]);

    public void AddDriver(string name)
    {
        string dir = Combine("bus", "pci", "drivers", name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Join(dir, "bind"), "");
        File.WriteAllText(Path.Join(dir, "unbind"), "");
    }

    /// <summary>Adds a device (edu's ids and BAR0 unless told otherwise), bound to <paramref name="driver"/> if given, in <paramref name="group"/> if given.</summary>
    public string AddDevice(string address, string? driver = null, int? group = null, ushort vendor = 0x1234, ushort device = 0x11e8)
    {
        string dir = Combine("devices", "pci0000:00", address);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Join(dir, "vendor"), $"0x{vendor:x4}\n");
        File.WriteAllText(Path.Join(dir, "device"), $"0x{device:x4}\n");
        File.WriteAllText(Path.Join(dir, "class"), "0x00ff00\n");
        File.WriteAllText(Path.Join(dir, "resource"),
            "0x00000000fea00000 0x00000000feafffff 0x0000000000040200\n" + string.Concat(Enumerable.Repeat("0x0000000000000000 0x0000000000000000 0x0000000000000000\n", 6)));
        var config = new byte[256];
        BinaryPrimitives.WriteUInt16LittleEndian(config, vendor);
        BinaryPrimitives.WriteUInt16LittleEndian(config.AsSpan(2), device);
        BinaryPrimitives.WriteUInt16LittleEndian(config.AsSpan(4), 0x0002); // Memory decoding on.
        config[8] = 0x10; // Revision, as QEMU's edu.
        File.WriteAllBytes(Path.Join(dir, "config"), config);
        File.WriteAllText(Path.Join(dir, "driver_override"), "(null)\n");
        File.CreateSymbolicLink(Combine("bus", "pci", "devices", address), $"../../../devices/pci0000:00/{address}");
        if (driver is not null)
        {
            if (!Directory.Exists(Combine("bus", "pci", "drivers", driver)))
            {
                AddDriver(driver);
            }

            Link(address, driver);
        }

        if (group is { } g)
        {
            string members = Combine("kernel", "iommu_groups", g.ToString(System.Globalization.CultureInfo.InvariantCulture), "devices");
            Directory.CreateDirectory(members);
            File.CreateSymbolicLink(Path.Join(members, address), $"../../../../devices/pci0000:00/{address}");
            File.CreateSymbolicLink(Path.Join(dir, "iommu_group"), $"../../../kernel/iommu_groups/{g}");
        }

        return dir;
    }

    public string? DriverOf(string address)
    {
        string? target = new FileInfo(Combine("devices", "pci0000:00", address, "driver")).LinkTarget;
        return target is null ? null : Path.GetFileName(target);
    }

    public string Override(string address) => File.ReadAllText(Combine("devices", "pci0000:00", address, "driver_override")).Trim();

    /// <summary>Starts the stand-in kernel: from now on writes to drivers_probe, bind and unbind move the devices' driver links.</summary>
    public void StartKernel()
    {
        _kernel = new Thread(() =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    Step();
                }
                catch (IOException)
                {
                    // A test removed a file under the kernel's feet (an unloaded driver): try again next round.
                }

                Thread.Sleep(2);
            }
        }) { IsBackground = true };
        _kernel.Start();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _kernel?.Join();
        _stop.Dispose();
        Directory.Delete(Root, recursive: true);
    }

    private void Step()
    {
        // In the order the kernel would have finished them (each write is synchronous there): unbinds, binds, probes.
        string[] drivers = Directory.GetDirectories(Combine("bus", "pci", "drivers"));
        foreach (string driverDir in drivers)
        {
            if (Take(Path.Join(driverDir, "unbind")) is { } gone && DriverOf(gone) == Path.GetFileName(driverDir))
            {
                File.Delete(Combine("devices", "pci0000:00", gone, "driver"));
            }
        }

        foreach (string driverDir in drivers)
        {
            string driver = Path.GetFileName(driverDir);
            if (Take(Path.Join(driverDir, "bind")) is { } added && DriverOf(added) is null && !Refusing.Contains(driver))
            {
                Link(added, driver);
            }
        }

        if (Take(Combine("bus", "pci", "drivers_probe")) is { } probed && DriverOf(probed) is null)
        {
            string ovr = Override(probed);
            string? driver = ovr is "" or "(null)" ? DefaultDriver.GetValueOrDefault(probed) : ovr;
            if (driver is not null && Directory.Exists(Combine("bus", "pci", "drivers", driver)) && !Refusing.Contains(driver))
            {
                Link(probed, driver);
            }
        }
    }

    // Reads and empties an attribute the kernel acts on; null while it is empty.
    private static string? Take(string path)
    {
        string text = File.ReadAllText(path).Trim();
        if (text.Length == 0)
        {
            return null;
        }

        File.WriteAllText(path, "");
        return text;
    }

    private void Link(string address, string driver) =>
        File.CreateSymbolicLink(Combine("devices", "pci0000:00", address, "driver"), $"../../../bus/pci/drivers/{driver}");
}
