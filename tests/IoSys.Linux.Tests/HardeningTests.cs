using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux.Tests;

/// <summary>
/// Regression tests for issue 16 (library side): each reproduces a failure the outside probe found (SIGBUS,
/// SIGSEGV, a hang, a file left behind, a followed symbolic link) against a fixture tree, and checks it is now a
/// clear exception naming the path and the sizes at fault.
/// </summary>
public sealed class HardeningTests : IDisposable
{
    private static readonly int Page = Environment.SystemPageSize;
    private readonly TempDir _root = new();

    public void Dispose() => _root.Dispose();

    /// <summary>Runs <paramref name="action"/> on another thread and fails (instead of hanging the run) if it blocks.</summary>
    private static T WithinSeconds<T>(int seconds, Func<T> action)
    {
        Task<T> task = Task.Run(action);
        Assert.True(task.Wait(TimeSpan.FromSeconds(seconds)), $"The call blocked for more than {seconds} s.");
        return task.Result;
    }

    private static Exception ThrowsWithin(int seconds, Action action) =>
        WithinSeconds(seconds, () => Record.Exception(action)) ?? throw new Xunit.Sdk.XunitException("Expected an exception; none was thrown.");

    // ---- Row 2: a UIO device node that is a regular file smaller than sysfs says --------------------------------

    private string AddUio(int number, params (ulong Addr, ulong Size, ulong Offset)[] maps)
    {
        string dir = _root.Combine("class", "uio", $"uio{number}");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Join(dir, "name"), "fixture\n");
        File.WriteAllText(Path.Join(dir, "version"), "1\n");
        for (int i = 0; i < maps.Length; i++)
        {
            string m = Path.Join(dir, "maps", $"map{i}");
            Directory.CreateDirectory(m);
            File.WriteAllText(Path.Join(m, "addr"), $"0x{maps[i].Addr:x}\n");
            File.WriteAllText(Path.Join(m, "size"), $"0x{maps[i].Size:x}\n");
            File.WriteAllText(Path.Join(m, "offset"), $"0x{maps[i].Offset:x}\n");
        }

        Directory.CreateDirectory(_root.Combine("dev"));
        return dir;
    }

    [Fact]
    public void Uio_node_shorter_than_its_map_is_refused_before_mapping_naming_path_and_sizes()
    {
        AddUio(0, (0xfe000000, 0x1000, 0), (0xfe001000, 0x1000, 0));
        string node = _root.Write("dev/uio0", new byte[100]);

        using UioDevice device = UioDevice.Open("0", _root.Path, _root.Combine("dev"));
        IOException e = Assert.Throws<IOException>(() => device.MapRegion(0));
        Assert.Contains(node, e.Message, StringComparison.Ordinal);
        Assert.Contains("100 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("4096 bytes", e.Message, StringComparison.Ordinal);
        Assert.Empty(ProcMaps.For(node));

        // Map 1 lives one page further in: the node must hold two pages for it.
        File.WriteAllBytes(node, new byte[Page]);
        e = Assert.Throws<IOException>(() => device.MapRegion(1));
        Assert.Contains($"{2 * Page} bytes", e.Message, StringComparison.Ordinal);
        using IoSysMap first = device.MapRegion(0);
        Assert.Equal(0u, first.Read32(0));
    }

    [Fact]
    public void Uio_node_that_is_a_symbolic_link_or_a_directory_is_refused()
    {
        AddUio(0, (0xfe000000, 0x1000, 0));
        string target = _root.Write("elsewhere.bin", new byte[Page]);
        File.CreateSymbolicLink(_root.Combine("dev", "uio0"), target);
        IOException link = Assert.Throws<IOException>(() => UioDevice.Open("0", _root.Path, _root.Combine("dev")));
        Assert.Contains("symbolic link", link.Message, StringComparison.Ordinal);

        File.Delete(_root.Combine("dev", "uio0"));
        Directory.CreateDirectory(_root.Combine("dev", "uio0"));
        Assert.ThrowsAny<IOException>(() => UioDevice.Open("0", _root.Path, _root.Combine("dev")));
    }

    [Fact]
    public void Uio_map_errors_name_the_device_and_map()
    {
        AddUio(0, (0xfe000000, 0x1000, 0), (0xfe001000, 0x1000, 0));
        _root.Write("dev/uio0", new byte[2 * Page]);
        using UioDevice device = UioDevice.Open("0", _root.Path, _root.Combine("dev"));
        using IoSysMap map = device.MapRegion(1);
        Assert.Equal("uio0 map 1", map.Description);
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.Read32(0x1000));
        Assert.Equal("uio0 map 1", e.Target);
        Assert.StartsWith("uio0 map 1: ", e.Reason, StringComparison.Ordinal);
        Assert.Contains("0x1000", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Uio_node_that_is_a_fifo_opens_for_interrupts_but_is_never_mapped()
    {
        AddUio(0, (0xfe000000, 0x1000, 0));
        Fifo.Make(_root.Combine("dev", "uio0"));
        using UioDevice device = WithinSeconds(10, () => UioDevice.Open("0", _root.Path, _root.Combine("dev")));
        IOException e = Assert.Throws<IOException>(() => device.MapRegion(0));
        Assert.Contains("FIFO", e.Message, StringComparison.Ordinal);
    }

    // ---- Row 3: /dev/mem replaced by a regular file, an empty one included ----------------------------------------

    [Fact]
    public void Physical_memory_from_an_empty_regular_file_is_refused_not_taken_for_a_device()
    {
        string empty = _root.Write("empty.bin", []);
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(
            () => PhysicalMemory.Open(0, 0x10000, new() { DevicePath = empty }));
        Assert.Contains(empty, e.Message, StringComparison.Ordinal);
        Assert.Contains("regular file of only 0 bytes", e.Message, StringComparison.Ordinal);
        Assert.Empty(ProcMaps.For(empty));
    }

    [Fact]
    public void Physical_memory_from_a_fifo_or_directory_is_refused_without_blocking()
    {
        string fifo = _root.Combine("fifo");
        Fifo.Make(fifo);
        // Read-only opens O_RDONLY, which blocks on a FIFO until a writer comes, unless opened non-blocking.
        Exception e = ThrowsWithin(10, () => PhysicalMemory.Open(0, 16, new() { DevicePath = fifo, ReadOnly = true }));
        Assert.IsType<IOException>(e);
        Assert.Contains("FIFO", e.Message, StringComparison.Ordinal);
        Assert.Contains(fifo, e.Message, StringComparison.Ordinal);

        IOException dir = Assert.Throws<IOException>(() => PhysicalMemory.Open(0, 16, new() { DevicePath = _root.Path, ReadOnly = true }));
        Assert.Contains(_root.Path, dir.Message, StringComparison.Ordinal);
    }

    // ---- Row 6: FIFOs and /dev/zero as sysfs attributes ------------------------------------------------------------

    private string AddPci(string address, ushort command = 0x0002)
    {
        string dir = _root.Combine("devices", "pci0000:00", address);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Join(dir, "vendor"), "0x1234\n");
        File.WriteAllText(Path.Join(dir, "device"), "0x11e8\n");
        File.WriteAllText(Path.Join(dir, "class"), "0x00ff00\n");
        string zero = "0x0000000000000000 0x0000000000000000 0x0000000000000000";
        File.WriteAllText(Path.Join(dir, "resource"),
            "0x00000000fe000000 0x00000000fe0fffff 0x0000000000040200\n" + string.Join("\n", Enumerable.Repeat(zero, 5)) + "\n");
        using (var f = new FileStream(Path.Join(dir, "resource0"), FileMode.Create))
        {
            f.SetLength(1 << 20);
        }

        PciDevicesTests.WriteConfig(dir, command);
        File.WriteAllText(Path.Join(dir, "enable"), command == 0 ? "0\n" : "1\n");
        Directory.CreateDirectory(_root.Combine("bus", "pci", "devices"));
        File.CreateSymbolicLink(_root.Combine("bus", "pci", "devices", address), $"../../../devices/pci0000:00/{address}");
        return dir;
    }

    [Theory]
    [InlineData("vendor")]
    [InlineData("resource")]
    [InlineData("class")]
    public void A_fifo_as_a_sysfs_attribute_is_skipped_without_blocking(string attribute)
    {
        string dir = AddPci("0000:00:04.0");
        File.Delete(Path.Join(dir, attribute));
        Fifo.Make(Path.Join(dir, attribute));

        (IReadOnlyList<PciDeviceInfo> devices, IReadOnlyList<SkippedEntry> skipped) = WithinSeconds(10, () =>
        {
            IReadOnlyList<PciDeviceInfo> d = PciDevices.Enumerate(_root.Path, out IReadOnlyList<SkippedEntry> s);
            return (d, s);
        });
        Assert.Empty(devices);
        SkippedEntry entry = Assert.Single(skipped);
        Assert.Contains("FIFO", entry.Reason, StringComparison.Ordinal);
        Assert.Contains(attribute, entry.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Dev_zero_linked_as_an_attribute_is_refused_and_never_read()
    {
        string dir = AddPci("0000:00:04.0");
        File.Delete(Path.Join(dir, "vendor"));
        File.CreateSymbolicLink(Path.Join(dir, "vendor"), "/dev/zero");

        IReadOnlyList<PciDeviceInfo> devices = WithinSeconds(10, () => PciDevices.Enumerate(_root.Path, out _));
        Assert.Empty(devices);
        IOException e = Assert.Throws<IOException>(() => PciDevices.Find("0000:00:04.0", _root.Path));
        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_attribute_larger_than_a_page_is_refused_with_a_bounded_read()
    {
        string dir = AddPci("0000:00:04.0");
        File.WriteAllText(Path.Join(dir, "vendor"), "0x1234" + new string(' ', Sysfs.MaxAttributeBytes * 4));
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => PciDevices.Find("0000:00:04.0", _root.Path));
        Assert.Contains($"more than {Sysfs.MaxAttributeBytes} bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fifo_or_dev_zero_link_as_a_uio_attribute_is_skipped_without_blocking()
    {
        string fifoDevice = AddUio(0, (0xfe000000, 0x1000, 0));
        File.Delete(Path.Join(fifoDevice, "name"));
        Fifo.Make(Path.Join(fifoDevice, "name"));
        string zeroDevice = AddUio(1, (0xfe000000, 0x1000, 0));
        string size = Path.Join(zeroDevice, "maps", "map0", "size");
        File.Delete(size);
        File.CreateSymbolicLink(size, "/dev/zero");

        IReadOnlyList<SkippedEntry> skipped = WithinSeconds(10, () =>
        {
            _ = UioDevices.Enumerate(_root.Path, out IReadOnlyList<SkippedEntry> s);
            return s;
        });
        Assert.Equal(2, skipped.Count);
        Assert.Contains(skipped, s => s.Reason.Contains("FIFO", StringComparison.Ordinal));
        Assert.Contains(skipped, s => s.Reason.Contains("symbolic link", StringComparison.Ordinal));
    }

    [Fact]
    public void A_fifo_as_resource_or_config_is_refused_without_blocking()
    {
        string dir = AddPci("0000:00:04.0");
        File.Delete(Path.Join(dir, "resource0"));
        Fifo.Make(Path.Join(dir, "resource0"));
        Exception resource = ThrowsWithin(10, () => PciDevices.OpenBar("0000:00:04.0", 0, new() { SysfsRoot = _root.Path, ReadOnly = true }));
        Assert.IsType<IOException>(resource);
        Assert.Contains("FIFO", resource.Message, StringComparison.Ordinal);

        string other = AddPci("0000:00:05.0");
        File.Delete(Path.Join(other, "config"));
        Fifo.Make(Path.Join(other, "config"));
        PciDeviceInfo device = WithinSeconds(10, () => PciDevices.Find("0000:00:05.0", _root.Path));
        Assert.Null(device.IsMemoryDecodingEnabled);
        Exception config = ThrowsWithin(10, () => PciDevices.OpenBar(device, 0, new() { ReadOnly = true }));
        Assert.IsType<IOException>(config);
        Assert.Contains("FIFO", config.Message, StringComparison.Ordinal);
    }

    // ---- Row 7: symbolic links and sysfs ----------------------------------------------------------------------------

    [Fact]
    public void A_resource_file_that_is_a_symbolic_link_is_never_followed_or_written()
    {
        string dir = AddPci("0000:00:04.0");
        byte[] secret = "root:x:0:0:root:/root:/bin/bash\n"u8.ToArray();
        string victim = _root.Write("passwd", secret.Concat(new byte[(1 << 20) - secret.Length]).ToArray());
        File.Delete(Path.Join(dir, "resource0"));
        File.CreateSymbolicLink(Path.Join(dir, "resource0"), victim);

        IOException e = Assert.Throws<IOException>(() => PciDevices.OpenBar("0000:00:04.0", 0, new() { SysfsRoot = _root.Path }));
        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
        Assert.Contains(_root.Combine("bus", "pci", "devices", "0000:00:04.0", "resource0"), e.Message, StringComparison.Ordinal);
        Assert.Empty(ProcMaps.For(victim));
        Assert.Equal(secret, File.ReadAllBytes(victim).Take(secret.Length));
    }

    [Fact]
    public void A_config_file_that_is_a_symbolic_link_is_never_followed()
    {
        string dir = AddPci("0000:00:04.0");
        string elsewhere = _root.Write("config-elsewhere", new byte[256]);
        File.Delete(Path.Join(dir, "config"));
        File.CreateSymbolicLink(Path.Join(dir, "config"), elsewhere);
        IOException e = Assert.Throws<IOException>(() => PciConfigSpace.Open(Path.Join(dir, "config"), writable: true));
        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_under_the_real_sys_must_live_on_sysfs_and_fixture_files_do_not()
    {
        string plain = _root.Write("attr", "1\n");
        Assert.False(Sysfs.IsKernelPath(plain));
        Assert.True(Sysfs.IsKernelPath("/sys/bus/pci/devices/0000:00:04.0/resource0"));
        Assert.False(Sysfs.IsKernelPath("/sys/../tmp/resource0"));
        Assert.False(Sysfs.IsKernelPath("/system/resource0"));

        IOException e = Assert.Throws<IOException>(
            () => NativeFile.OpenChecked(plain, LibC.O_RDONLY, StatKinds.Regular, "the sysfs file", "hint", noFollow: true, requireSysfs: true));
        Assert.Contains("does not live on sysfs", e.Message, StringComparison.Ordinal);
        Assert.Contains(plain, e.Message, StringComparison.Ordinal);

        // Where this machine has a real sysfs, its files pass the same check.
        string? real = Directory.Exists("/sys/bus/pci/devices")
            ? Directory.EnumerateDirectories("/sys/bus/pci/devices").Select(d => Path.Join(d, "vendor")).FirstOrDefault(File.Exists)
            : null;
        if (real is not null)
        {
            using SafeFileHandle file = NativeFile.OpenChecked(real, LibC.O_RDONLY, StatKinds.Regular, "the sysfs file", "hint", noFollow: true, requireSysfs: true);
            Assert.True(NativeFile.IsOnSysfs(file, real));
        }
    }

    [Fact]
    public void Shared_memory_never_follows_a_symbolic_link_planted_in_its_directory()
    {
        string victim = _root.Write("victim", new byte[4096]);
        string name = $"iosys-link-{Environment.ProcessId}-{Guid.NewGuid():N}";
        string link = Path.Join(_root.Path, name);
        File.CreateSymbolicLink(link, victim);

        IOException e = Assert.Throws<IOException>(() => SharedMemory.Open(name, new() { Directory = _root.Path, Create = true, Size = 8192 }));
        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
        Assert.Equal(4096, new FileInfo(victim).Length);
        Assert.NotNull(new FileInfo(link).LinkTarget);
    }

    // ---- Row 11: a failed create leaves nothing behind, and never removes what existed -------------------------------

    [Fact]
    public void Mapped_file_create_that_fails_removes_the_file_it_created()
    {
        string path = _root.Combine("huge.bin");
        Assert.ThrowsAny<IOException>(() => MappedFile.Open(path, new() { Create = true, Size = 1L << 62 }));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Mapped_file_create_that_fails_keeps_an_existing_file_and_its_size()
    {
        byte[] content = [1, 2, 3, 4, 5];
        string path = _root.Write("existing.bin", content);
        Assert.ThrowsAny<IOException>(() => MappedFile.Open(path, new() { Create = true, Size = 1L << 62 }));
        Assert.Equal(content, File.ReadAllBytes(path));
    }

    [Fact]
    public void Shared_memory_create_that_fails_removes_the_object_it_created_but_not_one_that_existed()
    {
        string name = $"iosys-test-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            Assert.ThrowsAny<IOException>(() => SharedMemory.Open(name, new() { Create = true, Size = 1L << 62 }));
            Assert.False(File.Exists($"/dev/shm/{name}"));

            using (IoSysMap made = SharedMemory.Open(name, new() { Create = true, Size = 4096 }))
            {
                made.Write32(0, 0xfeedf00d);
            }

            Assert.ThrowsAny<IOException>(() => SharedMemory.Open(name, new() { Create = true, Size = 1L << 62 }));
            Assert.Equal(4096, new FileInfo($"/dev/shm/{name}").Length);
            using IoSysMap again = SharedMemory.Open(name);
            Assert.Equal(0xfeedf00du, again.Read32(0));
        }
        finally
        {
            SharedMemory.Delete(name);
        }
    }

    // ---- memfd seals -------------------------------------------------------------------------------------------------

    [Fact]
    public void Anonymous_shared_memory_is_sealed_so_it_cannot_shrink_but_may_grow()
    {
        using SafeFileHandle memfd = SharedMemory.CreateSealedMemfd(3 * Page, "iosys-seal-test");
        int fd = (int)memfd.DangerousGetHandle();
        Assert.Equal(LibC.F_SEAL_SHRINK, LibC.Fcntl(fd, LibC.F_GET_SEALS, 0) & LibC.F_SEAL_SHRINK);

        Assert.NotEqual(0, LibC.FTruncate(fd, Page));
        Assert.Equal(LibC.EPERM, LibC.LastError);
        Assert.NotEqual(0, LibC.FTruncate(fd, 0));
        Assert.Equal(3 * Page, RandomAccess.GetLength(memfd));
        Assert.Equal(0, LibC.FTruncate(fd, 4 * Page));

        using IoSysMap map = SharedMemory.CreateAnonymous(Page);
        map.Write64(Page - 8, ulong.MaxValue);
        Assert.Equal(ulong.MaxValue, map.Read64(Page - 8));
    }

    // ---- Kinds checked by the one helper ----------------------------------------------------------------------------

    [Fact]
    public void Mapped_file_refuses_a_fifo_without_blocking_and_a_device()
    {
        string fifo = _root.Combine("fifo");
        Fifo.Make(fifo);
        Exception e = ThrowsWithin(10, () => MappedFile.Open(fifo, new() { ReadOnly = true }));
        Assert.IsType<IOException>(e);
        Assert.Contains("FIFO", e.Message, StringComparison.Ordinal);

        IOException device = Assert.Throws<IOException>(() => MappedFile.Open("/dev/zero", new() { ReadOnly = true, Size = 4096 }));
        Assert.Contains("character device", device.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_mapping_helper_refuses_a_regular_file_shorter_than_the_range_whatever_the_caller_checked()
    {
        string path = _root.Write("short.bin", new byte[10]);
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        IOException e = Assert.Throws<IOException>(() => MmapRegion.Map(file, path, 0, 4, 8, writable: false, "hint", StatKinds.Regular, "fixture"));
        Assert.Contains("10 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("needs 12 bytes", e.Message, StringComparison.Ordinal);
        Assert.Empty(ProcMaps.For(path));
    }

    // ---- PCI memory decoding -------------------------------------------------------------------------------------

    [Fact]
    public void A_bar_of_a_device_with_memory_decoding_off_is_refused_saying_how_to_turn_it_on()
    {
        string dir = AddPci("0000:00:04.0", command: 0x0000);
        PciDeviceInfo device = PciDevices.Find("1234:11e8", _root.Path);
        Assert.False(device.IsMemoryDecodingEnabled);

        IOException e = Assert.Throws<IOException>(() => PciDevices.OpenBar(device, 0, new() { ReadOnly = true }));
        Assert.Contains("memory decoding turned off", e.Message, StringComparison.Ordinal);
        Assert.Contains("EnableDevice", e.Message, StringComparison.Ordinal);
        Assert.Contains("--enable", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Join(device.SysfsPath, "enable"), e.Message, StringComparison.Ordinal);
        Assert.Empty(ProcMaps.For(Path.Join(device.SysfsPath, "resource0")));
        Assert.Equal("0\n", File.ReadAllText(Path.Join(dir, "enable")));
    }

    [Fact]
    public void EnableDevice_writes_1_to_enable_and_still_refuses_if_decoding_stays_off()
    {
        // A fixture cannot play the kernel (which sets the command bits on enable): the write is checked, and the
        // re-read of the command register that follows it.
        string dir = AddPci("0000:00:04.0", command: 0x0000);
        IOException e = Assert.Throws<IOException>(
            () => PciDevices.OpenBar("0000:00:04.0", 0, new() { SysfsRoot = _root.Path, ReadOnly = true, EnableDevice = true }));
        Assert.StartsWith("1", File.ReadAllText(Path.Join(dir, "enable")), StringComparison.Ordinal);
        Assert.Contains("still off after writing 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnableDevice_on_a_device_bound_to_a_driver_says_to_unbind_and_does_not_write()
    {
        string dir = AddPci("0000:00:04.0", command: 0x0000);
        Directory.CreateDirectory(_root.Combine("bus", "pci", "drivers", "uio_pci_generic"));
        File.CreateSymbolicLink(Path.Join(dir, "driver"), "../../../bus/pci/drivers/uio_pci_generic");
        IOException e = Assert.Throws<IOException>(
            () => PciDevices.OpenBar("0000:00:04.0", 0, new() { SysfsRoot = _root.Path, ReadOnly = true, EnableDevice = true }));
        Assert.Contains("bound to driver 'uio_pci_generic'", e.Message, StringComparison.Ordinal);
        Assert.Contains("unbind", e.Message, StringComparison.Ordinal);
        Assert.Equal("0\n", File.ReadAllText(Path.Join(dir, "enable")));
    }

    [Fact]
    public void A_device_that_decodes_memory_is_mapped_and_enable_is_not_touched()
    {
        string dir = AddPci("0000:00:04.0", command: 0x0106);
        File.WriteAllText(Path.Join(dir, "enable"), "untouched");
        PciDeviceInfo device = PciDevices.Find("0000:00:04.0", _root.Path);
        Assert.True(device.IsMemoryDecodingEnabled);
        using IoSysMap bar = PciDevices.OpenBar(device, 0, new() { EnableDevice = true });
        Assert.Equal(1 << 20, bar.Size);
        Assert.Equal("untouched", File.ReadAllText(Path.Join(dir, "enable")));
    }

    [Fact]
    public void A_device_without_config_space_is_listed_as_unknown_and_refused()
    {
        string dir = AddPci("0000:00:04.0");
        File.Delete(Path.Join(dir, "config"));
        PciDeviceInfo device = PciDevices.Find("0000:00:04.0", _root.Path);
        Assert.Null(device.IsMemoryDecodingEnabled);
        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => PciDevices.OpenBar(device, 0, new() { ReadOnly = true }));
        Assert.Contains("config", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsPresent_notices_a_removed_or_replaced_device()
    {
        string dir = AddPci("0000:00:04.0");
        PciDeviceInfo device = PciDevices.Find("0000:00:04.0", _root.Path);
        Assert.True(PciDevices.IsPresent(device));

        File.WriteAllText(Path.Join(dir, "device"), "0x1111\n");
        Assert.False(PciDevices.IsPresent(device));

        File.WriteAllText(Path.Join(dir, "device"), "0x11e8\n");
        using IoSysMap bar = PciDevices.OpenBar(device, 0, new() { ReadOnly = true });
        Directory.Delete(dir, recursive: true); // as `echo 1 > remove` takes the directory away
        Assert.False(PciDevices.IsPresent(device));
        Assert.Equal(0u, bar.Read32(0)); // the mapping itself stays valid: no fault
    }

    // ---- PciConfigSpace ----------------------------------------------------------------------------------------------

    [Fact]
    public void Config_space_reads_and_writes_are_width_exact_little_endian_and_bounded()
    {
        string dir = AddPci("0000:00:04.0", command: 0x0407);
        string path = Path.Join(dir, "config");
        byte[] bytes = File.ReadAllBytes(path);
        bytes[0] = 0x34;
        bytes[1] = 0x12;
        bytes[2] = 0xe8;
        bytes[3] = 0x11;
        File.WriteAllBytes(path, bytes);

        using (PciConfigSpace config = PciConfigSpace.Open(path))
        {
            Assert.Equal(256, config.Length);
            Assert.Equal(0x11e81234u, config.ReadUInt32(0));
            Assert.Equal((ushort)0x1234, config.ReadUInt16(0));
            Assert.Equal((byte)0xe8, config.ReadByte(2));
            Assert.Equal(PciCommand.InterruptDisable | PciCommand.BusMaster | PciCommand.MemorySpace | PciCommand.IoSpace, config.Command);
            Assert.True(config.IsMemoryDecodingEnabled);

            ArgumentOutOfRangeException past = Assert.Throws<ArgumentOutOfRangeException>(() => config.ReadUInt32(256));
            Assert.Contains("0x100", past.Message, StringComparison.Ordinal);
            Assert.Contains("256 bytes", past.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentOutOfRangeException>(() => config.ReadUInt32(254));
            Assert.Throws<ArgumentOutOfRangeException>(() => config.ReadByte(-1));
            ArgumentOutOfRangeException misaligned = Assert.Throws<ArgumentOutOfRangeException>(() => config.ReadUInt16(5));
            Assert.Contains("misaligned", misaligned.Message, StringComparison.Ordinal);
            Assert.Throws<InvalidOperationException>(() => config.WriteUInt16(4, 0));
        }

        using (PciConfigSpace config = PciConfigSpace.Open(path, writable: true))
        {
            Assert.Equal(PciCommand.BusMaster | PciCommand.MemorySpace | PciCommand.IoSpace,
                config.UpdateCommand(PciCommand.None, PciCommand.InterruptDisable));
            config.WriteUInt32(0x10, 0xfe00000c);
            config.WriteByte(0x3c, 11);
        }

        byte[] after = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x07, 0x00 }, after[4..6]);
        Assert.Equal(new byte[] { 0x0c, 0x00, 0x00, 0xfe }, after[0x10..0x14]);
        Assert.Equal(11, after[0x3c]);
        Assert.Equal(0x12, after[1]);
        Assert.Equal(256, after.Length);
    }

    [Fact]
    public void Config_space_shorter_than_the_header_is_refused()
    {
        string path = _root.Write("config", new byte[63]);
        IOException e = Assert.Throws<IOException>(() => PciConfigSpace.Open(path));
        Assert.Contains("63 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Real_sysfs_devices_report_their_decoding_state_when_present()
    {
        if (!Directory.Exists("/sys/bus/pci/devices"))
        {
            return; // No PCI bus on this machine: nothing real to read.
        }

        foreach (PciDeviceInfo device in PciDevices.Enumerate("/sys"))
        {
            // Read-only: the header (first 64 bytes) is readable by anyone, so the state is known for every device.
            using PciConfigSpace config = PciConfigSpace.Open(device);
            Assert.Equal(config.IsMemoryDecodingEnabled, device.IsMemoryDecodingEnabled);
        }
    }

    [Fact]
    public void A_uio_pci_device_unmasks_interrupts_through_config_space_and_refuses_a_linked_config()
    {
        string dir = AddUio(0);
        string pci = AddPci("0000:00:04.0", command: 0x0406);
        File.CreateSymbolicLink(Path.Join(dir, "device"), pci);
        UioDevice.SetPciInterruptMask(Path.Join(dir, "device", "config"), masked: false);
        using (PciConfigSpace config = PciConfigSpace.Open(Path.Join(pci, "config")))
        {
            Assert.Equal(PciCommand.BusMaster | PciCommand.MemorySpace, config.Command);
        }

        File.Move(Path.Join(pci, "config"), Path.Join(pci, "config.real"));
        File.CreateSymbolicLink(Path.Join(pci, "config"), Path.Join(pci, "config.real"));
        Assert.Throws<IOException>(() => UioDevice.SetPciInterruptMask(Path.Join(dir, "device", "config"), masked: true));
    }
}
