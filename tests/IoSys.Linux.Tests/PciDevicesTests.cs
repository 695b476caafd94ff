namespace IoSys.Linux.Tests;

/// <summary>
/// PCI enumeration and BAR mapping against a fixture tree that mirrors sysfs: devices live under
/// devices/pci0000:00 and bus/pci/devices holds symlinks to them, as on a real system. resourceN files are
/// regular files of the BAR's size, which the kernel's sysfs resource files are too (mmappable, sized).
/// </summary>
public sealed class PciDevicesTests : IDisposable
{
    private const int Mib = 1 << 20;
    private readonly TempDir _root = new();

    public PciDevicesTests()
    {
        // An Intel NIC: 32-bit non-prefetchable BAR0 (128 KiB, no resource0 file), I/O BAR1.
        AddDevice("0000:00:03.0", "0x8086", "0x100e", "0x020000",
            Line(0xfebc0000, 0xfebdffff, 0x40200), Line(0xc000, 0xc03f, 0x40101), Zero, Zero, Zero, Zero, Line(0xfeb80000, 0xfebbffff, 0x46200), Zero, Zero, Zero, Zero, Zero, Zero);
        // edu-like: 64-bit prefetchable BAR0 (1 MiB), BAR1 its upper half, I/O BAR2, others unused; bound to a driver.
        string edu = AddDevice("0000:00:04.0", "0x1234", "0x11e8", "0x00ff00",
            Line(0xfe000000, 0xfe0fffff, 0x14220c), Zero, Line(0xc040, 0xc05f, 0x40101), Zero, Zero, Zero, Zero, Zero, Zero, Zero, Zero, Zero, Zero);
        SizedFile(Path.Join(edu, "resource0"), Mib);
        SizedFile(Path.Join(edu, "resource0_wc"), Mib);
        SizedFile(Path.Join(edu, "resource2"), 0x20);
        Directory.CreateDirectory(_root.Combine("bus", "pci", "drivers", "uio_pci_generic"));
        File.CreateSymbolicLink(Path.Join(edu, "driver"), "../../../bus/pci/drivers/uio_pci_generic");
        // A second edu whose resource0 file is smaller than its BAR (must be refused).
        string second = AddDevice("0000:00:05.0", "0x1234", "0x11e8", "0x00ff00",
            Line(0xfe100000, 0xfe100fff, 0x40200), Zero, Zero, Zero, Zero, Zero, Zero);
        SizedFile(Path.Join(second, "resource0"), 2048);
        // Malformed and incomplete devices.
        AddDevice("0000:00:06.0", "0x1af4", "0x1110", "0x050000", "garbage here", Zero, Zero, Zero, Zero, Zero, Zero);
        string noVendor = AddDevice("0000:00:07.0", "0x1af4", "0x1110", "0x050000", Zero, Zero, Zero, Zero, Zero, Zero, Zero);
        File.Delete(Path.Join(noVendor, "vendor"));
        AddDevice("0000:00:08.0", "0x1af4", "0x1110", "0x050000", Zero, Zero, Zero);
        AddDevice("0000:00:09.0", "0xzz", "0x1110", "0x050000", Zero, Zero, Zero, Zero, Zero, Zero);
    }

    private static string Zero => Line(0, 0, 0);

    private string Sysfs => _root.Path;

    public void Dispose() => _root.Dispose();

    private static string Line(ulong start, ulong end, ulong flags) => $"0x{start:x16} 0x{end:x16} 0x{flags:x16}";

    /// <summary>A 256-byte config space (the PCI header) with the given command register at offset 4.</summary>
    internal static void WriteConfig(string deviceDir, ushort command)
    {
        byte[] config = new byte[256];
        config[4] = (byte)command;
        config[5] = (byte)(command >> 8);
        File.WriteAllBytes(Path.Join(deviceDir, "config"), config);
    }

    private static void SizedFile(string path, long length)
    {
        using var f = new FileStream(path, FileMode.Create);
        f.SetLength(length);
    }

    private string AddDevice(string address, string vendor, string device, string cls, params string[] resource)
    {
        string dir = _root.Combine("devices", "pci0000:00", address);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Join(dir, "vendor"), vendor + "\n");
        File.WriteAllText(Path.Join(dir, "device"), device + "\n");
        File.WriteAllText(Path.Join(dir, "class"), cls + "\n");
        File.WriteAllText(Path.Join(dir, "resource"), string.Join("\n", resource) + "\n");
        WriteConfig(dir, command: 0x0002); // memory decoding on, as firmware or a driver leaves it
        Directory.CreateDirectory(_root.Combine("bus", "pci", "devices"));
        File.CreateSymbolicLink(_root.Combine("bus", "pci", "devices", address), $"../../../devices/pci0000:00/{address}");
        return dir;
    }

    [Fact]
    public void Enumerate_reads_ids_class_and_every_bar()
    {
        IReadOnlyList<PciDeviceInfo> devices = PciDevices.Enumerate(Sysfs);

        Assert.Equal(["0000:00:03.0", "0000:00:04.0", "0000:00:05.0"], devices.Select(d => d.Address));
        PciDeviceInfo edu = devices[1];
        Assert.Equal(0x1234, edu.VendorId);
        Assert.Equal(0x11e8, edu.DeviceId);
        Assert.Equal(0x00ff00u, edu.ClassCode);
        Assert.Equal("1234:11e8", edu.Id);
        Assert.Equal("uio_pci_generic", edu.Driver);
        Assert.Equal(Path.Join(Sysfs, "bus", "pci", "devices", "0000:00:04.0"), edu.SysfsPath);
        Assert.Equal(6, edu.Bars.Count);
        Assert.Equal(new PciBarInfo(0, 0xfe000000, Mib, PciBarKind.Memory, IsPrefetchable: true, Is64Bit: true), edu.Bars[0]);
        Assert.Equal(new PciBarInfo(1, 0, 0, PciBarKind.Unused, false, false), edu.Bars[1]);
        Assert.Equal(new PciBarInfo(2, 0xc040, 0x20, PciBarKind.Io, false, false), edu.Bars[2]);
        Assert.All(edu.Bars.Skip(3), b => Assert.Equal(PciBarKind.Unused, b.Kind));

        PciDeviceInfo nic = devices[0];
        Assert.Null(nic.Driver);
        Assert.Equal(0x020000u, nic.ClassCode);
        Assert.Equal(new PciBarInfo(0, 0xfebc0000, 0x20000, PciBarKind.Memory, false, false), nic.Bars[0]);
        Assert.Equal(new PciBarInfo(1, 0xc000, 0x40, PciBarKind.Io, false, false), nic.Bars[1]);
    }

    [Fact]
    public void Enumerate_skips_malformed_and_incomplete_devices_and_says_why()
    {
        PciDevices.Enumerate(Sysfs, out IReadOnlyList<SkippedEntry> skipped);

        Assert.Equal(4, skipped.Count);
        SkippedEntry garbage = Assert.Single(skipped, s => s.Path.EndsWith("0000:00:06.0", StringComparison.Ordinal));
        Assert.Contains("resource", garbage.Reason, StringComparison.Ordinal);
        Assert.Contains("line 1", garbage.Reason, StringComparison.Ordinal);
        SkippedEntry noVendor = Assert.Single(skipped, s => s.Path.EndsWith("0000:00:07.0", StringComparison.Ordinal));
        Assert.Contains("vendor", noVendor.Reason, StringComparison.Ordinal);
        Assert.Contains("missing", noVendor.Reason, StringComparison.Ordinal);
        SkippedEntry shortResource = Assert.Single(skipped, s => s.Path.EndsWith("0000:00:08.0", StringComparison.Ordinal));
        Assert.Contains("3 lines", shortResource.Reason, StringComparison.Ordinal);
        SkippedEntry badHex = Assert.Single(skipped, s => s.Path.EndsWith("0000:00:09.0", StringComparison.Ordinal));
        Assert.Contains("'0xzz'", badHex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Enumerate_without_a_pci_bus_is_empty_and_a_missing_root_is_an_error()
    {
        using var empty = new TempDir();
        Assert.Empty(PciDevices.Enumerate(empty.Path));
        Assert.Throws<DirectoryNotFoundException>(() => PciDevices.Enumerate(empty.Combine("nope")));
    }

    [Theory]
    [InlineData("0000:00:04.0", "0000:00:04.0")]
    [InlineData("00:04.0", "0000:00:04.0")]
    [InlineData("1234:11e8", "0000:00:04.0")]
    [InlineData("1234:11E8#0", "0000:00:04.0")]
    [InlineData("1234:11e8#1", "0000:00:05.0")]
    [InlineData("8086:100e", "0000:00:03.0")]
    public void Find_by_address_or_id(string selector, string address)
    {
        Assert.Equal(address, PciDevices.Find(selector, Sysfs).Address);
    }

    [Theory]
    [InlineData("1234:11e8#2")]
    [InlineData("dead:beef")]
    [InlineData("0000:00:1f.0")]
    public void Find_without_a_match_throws_FileNotFoundException(string selector)
    {
        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => PciDevices.Find(selector, Sysfs));
        Assert.Contains(selector, e.Message, StringComparison.Ordinal);
        Assert.False(PciDevices.TryFind(selector, out PciDeviceInfo? none, Sysfs));
        Assert.Null(none);
    }

    [Theory]
    [InlineData("edu")]
    [InlineData("1234")]
    [InlineData("1234:11e8#x")]
    [InlineData("12345:11e8")]
    [InlineData("0000:00:04.9")]
    public void Find_with_a_malformed_selector_throws_ArgumentException(string selector)
    {
        Assert.Throws<ArgumentException>(() => PciDevices.Find(selector, Sysfs));
    }

    [Fact]
    public void Find_by_address_of_a_malformed_device_names_the_file()
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => PciDevices.Find("0000:00:06.0", Sysfs));
        Assert.Contains(Path.Join("0000:00:06.0", "resource"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryFind_of_a_broken_device_throws_what_Find_throws_instead_of_returning_false()
    {
        FileNotFoundException find = Assert.Throws<FileNotFoundException>(() => PciDevices.Find("0000:00:07.0", Sysfs));
        FileNotFoundException tryFind = Assert.Throws<FileNotFoundException>(() => PciDevices.TryFind("0000:00:07.0", out _, Sysfs));
        Assert.Equal(find.Message, tryFind.Message);
        Assert.Contains(Path.Join("0000:00:07.0", "vendor"), tryFind.Message, StringComparison.Ordinal);

        InvalidDataException malformed = Assert.Throws<InvalidDataException>(() => PciDevices.TryFind("0000:00:06.0", out _, Sysfs));
        Assert.Contains(Path.Join("0000:00:06.0", "resource"), malformed.Message, StringComparison.Ordinal);

        Assert.True(PciDevices.TryFind("1234:11e8#1", out PciDeviceInfo? found, Sysfs));
        Assert.Equal("0000:00:05.0", found!.Address);
    }

    [Fact]
    public void OpenBar_errors_name_the_resource_file()
    {
        string resource = Path.Join(PciDevices.Find("1234:11e8", Sysfs).SysfsPath, "resource0");
        using IoSysMap bar = PciDevices.OpenBar("1234:11e8", 0, new() { SysfsRoot = Sysfs, ReadOnly = true });
        Assert.Equal(resource, bar.Description);
        IoAccessException e = Assert.Throws<IoAccessException>(() => bar.Write32(0, 1));
        Assert.Equal((IoAccessError.ReadOnly, resource), (e.Error, e.Target));
        Assert.StartsWith(resource + ": ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenBar_maps_the_bar_as_io_memory_of_its_size()
    {
        // /proc/self/maps shows the resolved path (sysfs device entries are symlinks).
        string resource = _root.Combine("devices", "pci0000:00", "0000:00:04.0", "resource0");
        using (IoSysMap bar = PciDevices.OpenBar("1234:11e8", 0, new() { SysfsRoot = Sysfs }))
        {
            Assert.Equal(Mib, bar.Size);
            Assert.True(bar.IsIoMem);
            bar.Write32(0x04, 0x12345678);
            bar.Write64(Mib - 8, 0xfeedfacecafebeef);
            Assert.Equal(0x12345678u, bar.Read32(0x04));
            Assert.Throws<IoAccessException>(() => bar.Read32(Mib));
            ProcMaps.Entry mapping = Assert.Single(ProcMaps.For(resource));
            Assert.Equal((ulong)Mib, mapping.End - mapping.Start);
            Assert.Equal("rw-s", mapping.Permissions);
        }

        Assert.Empty(ProcMaps.For(resource));
        byte[] file = File.ReadAllBytes(resource);
        Assert.Equal(0x12345678u, BitConverter.ToUInt32(file, 4));
        Assert.Equal(0xfeedfacecafebeefUL, BitConverter.ToUInt64(file, Mib - 8));
    }

    [Fact]
    public void OpenBar_of_a_device_already_found_maps_the_same_bar_without_a_second_lookup()
    {
        PciDeviceInfo device = PciDevices.Find("1234:11e8", Sysfs);
        using (IoSysMap bySelector = PciDevices.OpenBar("1234:11e8", 0, new() { SysfsRoot = Sysfs }))
        {
            bySelector.Write32(0x10, 0xA5A5_0001);
        }

        using IoSysMap bar = PciDevices.OpenBar(device, 0, new() { ReadOnly = true });
        Assert.Equal(Mib, bar.Size);
        Assert.True(bar.IsIoMem && bar.IsReadOnly);
        Assert.Equal(0xA5A5_0001u, bar.Read32(0x10));
        Assert.Throws<ArgumentOutOfRangeException>(() => PciDevices.OpenBar(device, 6));
        Assert.Throws<NotSupportedException>(() => PciDevices.OpenBar(device, 2));
        Assert.Throws<ArgumentNullException>(() => PciDevices.OpenBar((PciDeviceInfo)null!, 0));
    }

    [Fact]
    public void OpenBar_with_write_combining_maps_resourceN_wc()
    {
        string wc = _root.Combine("devices", "pci0000:00", "0000:00:04.0", "resource0_wc");
        using IoSysMap bar = PciDevices.OpenBar("0000:00:04.0", 0, new() { SysfsRoot = Sysfs, WriteCombining = true });
        Assert.Single(ProcMaps.For(wc));
    }

    [Fact]
    public void OpenBar_read_only_refuses_writes()
    {
        using IoSysMap bar = PciDevices.OpenBar("1234:11e8", 0, new() { SysfsRoot = Sysfs, ReadOnly = true });
        Assert.True(bar.IsReadOnly);
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => bar.Write32(0, 1)).Error);
    }

    [Fact]
    public void OpenBar_applies_the_callers_width_rules()
    {
        var edu = IoMapOptions.IoMemory with { WidthRules = [new IoWidthRule(0, 0x80, AccessWidths.Bits32)] };
        using IoSysMap bar = PciDevices.OpenBar("1234:11e8", 0, new() { SysfsRoot = Sysfs, MapOptions = edu });
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => bar.Read8(0)).Error);
        Assert.Equal(0u, bar.Read32(0));
    }

    [Fact]
    public void OpenBar_refuses_an_io_port_bar()
    {
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => PciDevices.OpenBar("1234:11e8", 2, new() { SysfsRoot = Sysfs }));
        Assert.Contains("I/O-port BAR", e.Message, StringComparison.Ordinal);
        Assert.Contains("0000:00:04.0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenBar_refuses_an_unused_bar_and_says_which_exist()
    {
        ArgumentOutOfRangeException upper = Assert.Throws<ArgumentOutOfRangeException>(() => PciDevices.OpenBar("1234:11e8", 1, new() { SysfsRoot = Sysfs }));
        Assert.Contains("upper half of 64-bit BAR 0", upper.Message, StringComparison.Ordinal);
        Assert.Contains("0 (memory, 1048576 bytes)", upper.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => PciDevices.OpenBar("1234:11e8", 4, new() { SysfsRoot = Sysfs }));
        Assert.Throws<ArgumentOutOfRangeException>(() => PciDevices.OpenBar("1234:11e8", 6, new() { SysfsRoot = Sysfs }));
        Assert.Throws<ArgumentOutOfRangeException>(() => PciDevices.OpenBar("1234:11e8", -1, new() { SysfsRoot = Sysfs }));
    }

    [Fact]
    public void OpenBar_refuses_a_resource_file_smaller_than_the_bar()
    {
        IOException e = Assert.Throws<IOException>(() => PciDevices.OpenBar("1234:11e8#1", 0, new() { SysfsRoot = Sysfs }));
        Assert.Contains("2048 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("4096 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenBar_with_a_missing_resource_file_names_it()
    {
        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => PciDevices.OpenBar("8086:100e", 0, new() { SysfsRoot = Sysfs }));
        Assert.EndsWith(Path.Join("0000:00:03.0", "resource0"), e.FileName, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenBar_refuses_write_combining_on_a_non_prefetchable_bar()
    {
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => PciDevices.OpenBar("8086:100e", 0, new() { SysfsRoot = Sysfs, WriteCombining = true }));
        Assert.Contains("resource0_wc", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenBar_on_a_missing_device_throws_FileNotFoundException()
    {
        Assert.Throws<FileNotFoundException>(() => PciDevices.OpenBar("dead:beef", 0, new() { SysfsRoot = Sysfs }));
    }
}
