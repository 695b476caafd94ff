using System.Diagnostics;

namespace IoSys.Linux.Tests;

/// <summary>
/// UIO against a fixture: sysfs under class/uio (device directories reached through symlinks, as on a real
/// system), and device nodes that are a regular file (for maps: map I at file offset I × page size) or a FIFO
/// (for interrupts: poll says readable when 4 bytes are waiting, and the read returns them as the count; what
/// EnableInterrupts writes comes back out of it).
/// </summary>
public sealed class UioDeviceTests : IDisposable
{
    private static readonly int Page = Environment.SystemPageSize;
    private readonly TempDir _root = new();
    private readonly byte[] _node;

    public UioDeviceTests()
    {
        AddDevice(0, "fpga", "0.1", "../../../devices/platform/fe000000.fpga",
            ("regs", 0xfe000000, 0x1000, 0), ("buffer", 0xfe001100, 0x200, 0x100),
            // As uio_pci_generic describes a BAR that is not page aligned: addr page aligned, size rounded up from it.
            ("bar", 0xfe002000, 0x1000, 0x100));
        AddDevice(1, "uio_pci_generic", "0.01.0", "../../../devices/pci0000:00/0000:00:04.0");
        string noVersion = AddDevice(2, "broken", "1", null);
        File.Delete(Path.Join(noVersion, "version"));
        string badSize = AddDevice(3, "badsize", "1", null, ("m", 0x1000, 0x1000, 0));
        File.WriteAllText(Path.Join(badSize, "maps", "map0", "size"), "zz\n");
        string gap = AddDevice(4, "gap", "1", null, ("a", 0x1000, 0x1000, 0));
        Directory.Move(Path.Join(gap, "maps", "map0"), Path.Join(gap, "maps", "map1"));
        AddDevice(6, "twin", "1", null);
        AddDevice(7, "twin", "1", null);
        Directory.CreateDirectory(_root.Combine("class", "uio", "power"));

        // /dev/uio0: three pages; map 1 (offset 0x100 within its page) starts at page + 0x100.
        _node = new byte[3 * Page];
        for (int i = 0; i < _node.Length; i++)
        {
            _node[i] = (byte)(i * 13 + (i / Page));
        }

        _root.Write("dev/uio0", _node);
        Fifo.Make(_root.Combine("dev", "uio1"));
    }

    private string Sysfs => _root.Path;

    private string Dev => _root.Combine("dev");

    public void Dispose() => _root.Dispose();

    private string AddDevice(int number, string name, string version, string? parent, params (string Name, ulong Addr, ulong Size, ulong Offset)[] maps)
    {
        string dir = _root.Combine("devices", "virtual", "uio", $"uio{number}");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Join(dir, "name"), name + "\n");
        File.WriteAllText(Path.Join(dir, "version"), version + "\n");
        for (int i = 0; i < maps.Length; i++)
        {
            string m = Path.Join(dir, "maps", $"map{i}");
            Directory.CreateDirectory(m);
            File.WriteAllText(Path.Join(m, "name"), maps[i].Name + "\n");
            File.WriteAllText(Path.Join(m, "addr"), $"0x{maps[i].Addr:x16}\n");
            File.WriteAllText(Path.Join(m, "size"), $"0x{maps[i].Size:x16}\n");
            File.WriteAllText(Path.Join(m, "offset"), $"0x{maps[i].Offset:x}\n");
        }

        if (parent is not null)
        {
            Directory.CreateDirectory(Path.GetFullPath(Path.Join(dir, parent)));
            File.CreateSymbolicLink(Path.Join(dir, "device"), Path.GetFullPath(Path.Join(dir, parent)));
        }

        Directory.CreateDirectory(_root.Combine("class", "uio"));
        File.CreateSymbolicLink(_root.Combine("class", "uio", $"uio{number}"), $"../../devices/virtual/uio/uio{number}");
        return dir;
    }

    private void Raise(uint count)
    {
        using var fifo = new FileStream(_root.Combine("dev", "uio1"), FileMode.Open, FileAccess.Write);
        fifo.Write(BitConverter.GetBytes(count));
    }

    [Fact]
    public void Enumerate_reads_names_versions_and_maps()
    {
        IReadOnlyList<UioDeviceInfo> devices = UioDevices.Enumerate(Sysfs);

        Assert.Equal([0, 1, 6, 7], devices.Select(d => d.Number));
        UioDeviceInfo fpga = devices[0];
        Assert.Equal("fpga", fpga.Name);
        Assert.Equal("0.1", fpga.Version);
        Assert.Null(fpga.PciAddress);
        Assert.Equal(
            [new UioMapInfo(0, "regs", 0xfe000000, 0x1000, 0), new UioMapInfo(1, "buffer", 0xfe001100, 0x200, 0x100),
                new UioMapInfo(2, "bar", 0xfe002000, 0x1000, 0x100)],
            fpga.Maps);
        UioDeviceInfo generic = devices[1];
        Assert.Equal("uio_pci_generic", generic.Name);
        Assert.Empty(generic.Maps);
        Assert.Equal("0000:00:04.0", generic.PciAddress);
    }

    [Fact]
    public void Enumerate_skips_malformed_and_incomplete_devices_and_says_why()
    {
        UioDevices.Enumerate(Sysfs, out IReadOnlyList<SkippedEntry> skipped);

        Assert.Equal(4, skipped.Count);
        Assert.Contains("version", Assert.Single(skipped, s => s.Path.EndsWith("uio2", StringComparison.Ordinal)).Reason, StringComparison.Ordinal);
        string badSize = Assert.Single(skipped, s => s.Path.EndsWith("uio3", StringComparison.Ordinal)).Reason;
        Assert.Contains(Path.Join("map0", "size"), badSize, StringComparison.Ordinal);
        Assert.Contains("'zz'", badSize, StringComparison.Ordinal);
        Assert.Contains("map0 is missing", Assert.Single(skipped, s => s.Path.EndsWith("uio4", StringComparison.Ordinal)).Reason, StringComparison.Ordinal);
        Assert.Contains("not uioN", Assert.Single(skipped, s => s.Path.EndsWith("power", StringComparison.Ordinal)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Enumerate_without_uio_is_empty()
    {
        using var empty = new TempDir();
        Assert.Empty(UioDevices.Enumerate(empty.Path));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("uio0")]
    [InlineData("fpga")]
    public void Open_by_number_or_name(string key)
    {
        using UioDevice uio = UioDevice.Open(key, Sysfs, Dev);
        Assert.Equal(0, uio.Number);
        Assert.Equal("fpga", uio.Name);
        Assert.Equal(Path.Join(Dev, "uio0"), uio.DevicePath);
        Assert.Equal(3, uio.Info.Maps.Count);
    }

    [Fact]
    public void Open_errors_name_the_device_and_what_exists()
    {
        FileNotFoundException noName = Assert.Throws<FileNotFoundException>(() => UioDevice.Open("nope", Sysfs, Dev));
        Assert.Contains("uio0 (fpga)", noName.Message, StringComparison.Ordinal);
        FileNotFoundException noNumber = Assert.Throws<FileNotFoundException>(() => UioDevice.Open("9", Sysfs, Dev));
        Assert.Contains("uio9", noNumber.Message, StringComparison.Ordinal);
        ArgumentException twin = Assert.Throws<ArgumentException>(() => UioDevice.Open("twin", Sysfs, Dev));
        Assert.Contains("uio6, uio7", twin.Message, StringComparison.Ordinal);
        FileNotFoundException noNode = Assert.Throws<FileNotFoundException>(() => UioDevice.Open("6", Sysfs, Dev));
        Assert.Equal(Path.Join(Dev, "uio6"), noNode.FileName);
        Assert.Throws<InvalidDataException>(() => UioDevice.Open("3", Sysfs, Dev));
    }

    [Fact]
    public void MapRegion_maps_map_i_at_offset_i_pages_starting_at_its_offset_within_the_page()
    {
        using UioDevice uio = UioDevice.Open("0", Sysfs, Dev);
        using IoSysMap regs = uio.MapRegion(0);
        using IoSysMap buffer = uio.MapRegion(1);

        Assert.Equal(0x1000, regs.Size);
        Assert.True(regs.IsIoMem);
        Assert.Equal(BitConverter.ToUInt32(_node, 0x40), regs.Read32(0x40));
        Assert.Equal(0x200, buffer.Size);
        for (int i = 0; i < 0x200; i += 8)
        {
            Assert.Equal(BitConverter.ToUInt64(_node, Page + 0x100 + i), buffer.Read64(i));
        }

        Assert.Throws<IoAccessException>(() => buffer.Read8(0x200));
        ProcMaps.Entry[] mappings = ProcMaps.For(uio.DevicePath);
        Assert.Equal(2, mappings.Length);
        Assert.Contains(mappings, m => m.Offset == (ulong)Page && m.Start + 0x100 == buffer.Address.ToUIntPtr());
    }

    [Fact]
    public void MapRegion_never_reaches_past_the_pages_the_kernel_maps()
    {
        using UioDevice uio = UioDevice.Open("0", Sysfs, Dev);
        using IoSysMap bar = uio.MapRegion(2);
        // size counts from the page start here, so the map holds the page minus the offset: one page mapped, not two.
        Assert.Equal(0x1000 - 0x100, bar.Size);
        Assert.Equal(_node[2 * Page + 0x100], bar.Read8(0));
        Assert.Equal(_node[3 * Page - 1], bar.Read8(bar.Size - 1));
        ProcMaps.Entry mapping = Assert.Single(ProcMaps.For(uio.DevicePath));
        Assert.Equal((ulong)Page, mapping.End - mapping.Start);
        Assert.Equal(2UL * (ulong)Page, mapping.Offset);
    }

    [Fact]
    public void Pci_interrupt_mask_flips_only_the_intx_disable_bit_of_the_command_register()
    {
        // uio_pci_generic has no irqcontrol (write gives ENOSYS): interrupts are unmasked in PCI config space.
        var config = new byte[256];
        config[4] = 0x07;
        config[5] = 0x05; // INTx Disable (bit 10) set by the kernel's handler, plus an unrelated bit 8
        string path = _root.Write("config", config);

        UioDevice.SetPciInterruptMask(path, masked: false);
        byte[] after = File.ReadAllBytes(path);
        Assert.Equal(0x01, after[5]);
        Assert.Equal(0x07, after[4]);
        Assert.Equal(256, after.Length);

        UioDevice.SetPciInterruptMask(path, masked: true);
        Assert.Equal(0x05, File.ReadAllBytes(path)[5]);
        Assert.Throws<FileNotFoundException>(() => UioDevice.SetPciInterruptMask(_root.Combine("none"), masked: false));
    }

    [Fact]
    public void MapRegion_with_read_only_options_refuses_writes_and_maps_read_only()
    {
        using UioDevice uio = UioDevice.Open("0", Sysfs, Dev);
        using IoSysMap regs = uio.MapRegion(0, IoMapOptions.IoMemory.AsReadOnly());
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => regs.Write32(0, 0)).Error);
        Assert.StartsWith("r--", Assert.Single(ProcMaps.For(uio.DevicePath)).Permissions, StringComparison.Ordinal);
    }

    [Fact]
    public void MapRegion_out_of_range_lists_the_maps()
    {
        using UioDevice uio = UioDevice.Open("0", Sysfs, Dev);
        Assert.Contains("maps 0 to 2", Assert.Throws<ArgumentOutOfRangeException>(() => uio.MapRegion(3)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => uio.MapRegion(-1));
        using UioDevice generic = UioDevice.Open("uio_pci_generic", Sysfs, Dev);
        Assert.Contains("PciDevices.OpenBar", Assert.Throws<ArgumentOutOfRangeException>(() => generic.MapRegion(0)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Maps_outlive_the_device_and_the_device_refuses_use_after_dispose()
    {
        UioDevice uio = UioDevice.Open("0", Sysfs, Dev);
        using IoSysMap regs = uio.MapRegion(0);
        uio.Dispose();
        uio.Dispose();
        Assert.Equal(BitConverter.ToUInt32(_node, 8), regs.Read32(8));
        Assert.Throws<ObjectDisposedException>(() => uio.MapRegion(0));
        Assert.Throws<ObjectDisposedException>(() => uio.EnableInterrupts());
        Assert.Throws<ObjectDisposedException>(() => uio.WaitForInterrupt(TimeSpan.Zero));
    }

    [Fact]
    public void WaitForInterrupt_returns_the_event_count()
    {
        using UioDevice uio = UioDevice.Open("1", Sysfs, Dev);
        Assert.Null(uio.LastEventCount);
        Raise(41);
        Assert.Equal(41u, uio.WaitForInterrupt(TimeSpan.FromSeconds(5)));
        Raise(43);
        Assert.Equal(43u, uio.WaitForInterrupt(Timeout.InfiniteTimeSpan));
        Assert.Equal(43u, uio.LastEventCount);
    }

    [Fact]
    public void Enable_and_disable_write_a_4_byte_1_and_0()
    {
        using UioDevice uio = UioDevice.Open("1", Sysfs, Dev);
        uio.EnableInterrupts();
        Assert.Equal(1u, uio.WaitForInterrupt(TimeSpan.FromSeconds(5))); // the FIFO hands back what was written
        uio.DisableInterrupts();
        Assert.Equal(0u, uio.WaitForInterrupt(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void WaitForInterrupt_times_out_with_a_message_naming_device_and_timeout()
    {
        using UioDevice uio = UioDevice.Open("1", Sysfs, Dev);
        var clock = Stopwatch.StartNew();
        TimeoutException e = Assert.Throws<TimeoutException>(() => uio.WaitForInterrupt(TimeSpan.FromMilliseconds(150)));
        Assert.InRange(clock.ElapsedMilliseconds, 140, 3000);
        Assert.Contains(uio.DevicePath, e.Message, StringComparison.Ordinal);
        Assert.Contains("150 ms", e.Message, StringComparison.Ordinal);
        Assert.Throws<TimeoutException>(() => uio.WaitForInterrupt(TimeSpan.Zero));
    }

    [Fact]
    public void WaitForInterrupt_observes_cancellation()
    {
        using UioDevice uio = UioDevice.Open("1", Sysfs, Dev);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var clock = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => uio.WaitForInterrupt(Timeout.InfiniteTimeSpan, cts.Token));
        Assert.InRange(clock.ElapsedMilliseconds, 90, 3000);
    }

    [Fact]
    public async Task Dispose_from_another_thread_ends_an_infinite_wait()
    {
        UioDevice uio = UioDevice.Open("1", Sysfs, Dev);
        Task<uint> wait = Task.Run(() => uio.WaitForInterrupt(Timeout.InfiniteTimeSpan));
        await Task.Delay(100);
        Assert.False(wait.IsCompleted);
        var clock = Stopwatch.StartNew();
        uio.Dispose();
        Task finished = await Task.WhenAny(wait, Task.Delay(TimeSpan.FromSeconds(5)));
        Assert.Same(wait, finished);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => wait);
        Assert.InRange(clock.ElapsedMilliseconds, 0, 3000);
    }

    [Fact]
    public void WaitForInterrupt_rejects_a_negative_timeout()
    {
        using UioDevice uio = UioDevice.Open("1", Sysfs, Dev);
        Assert.Throws<ArgumentOutOfRangeException>(() => uio.WaitForInterrupt(TimeSpan.FromMilliseconds(-5)));
    }

    [Fact]
    public void A_short_read_is_an_error_that_says_why()
    {
        using UioDevice uio = UioDevice.Open("1", Sysfs, Dev);
        using (var fifo = new FileStream(_root.Combine("dev", "uio1"), FileMode.Open, FileAccess.Write))
        {
            fifo.Write(new byte[] { 1, 2 });
        }

        IOException e = Assert.Throws<IOException>(() => uio.WaitForInterrupt(TimeSpan.FromSeconds(5)));
        Assert.Contains("2 bytes instead of 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForInterruptAsync_completes_when_the_interrupt_arrives()
    {
        using UioDevice uio = UioDevice.Open("1", Sysfs, Dev);
        Task<uint> wait = uio.WaitForInterruptAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);
        Raise(7);
        Assert.Equal(7u, await wait);
    }

    [Fact]
    public async Task WaitForInterruptAsync_times_out_and_cancels()
    {
        using UioDevice uio = UioDevice.Open("1", Sysfs, Dev);
        await Assert.ThrowsAsync<TimeoutException>(() => uio.WaitForInterruptAsync(TimeSpan.FromMilliseconds(100)));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => uio.WaitForInterruptAsync(Timeout.InfiniteTimeSpan, cts.Token));
    }
}
