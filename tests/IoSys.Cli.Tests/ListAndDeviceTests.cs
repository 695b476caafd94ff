namespace IoSys.Cli.Tests;

/// <summary><c>list</c>, <c>pci:</c> and <c>uio:</c> against a fixture sysfs tree (the --sysfs-root and --dev-root options).</summary>
public sealed class ListAndDeviceTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _sys;
    private readonly string _dev;

    public ListAndDeviceTests()
    {
        string sys = Path.Combine(_dir.Path, "sys");
        string dev = Path.Combine(_dir.Path, "dev");
        Directory.CreateDirectory(dev);

        // edu: BAR0 4 KiB memory (32-bit, non-prefetchable); ivshmem: BAR0 256 B, BAR2 64-bit prefetchable 1 MiB.
        AddPci(sys, "0000:00:04.0", "0x1234", "0x11e8", "0x00ff00",
            ["0x00000000fea00000 0x00000000fea00fff 0x0000000000040200"]);
        AddPci(sys, "0000:00:05.0", "0x1af4", "0x1110", "0x050000",
        [
            "0x00000000feb00000 0x00000000feb000ff 0x0000000000040200",
            "0x0000000000000000 0x0000000000000000 0x0000000000000000",
            "0x0000004000000000 0x00000040000fffff 0x000000000014220c",
        ]);
        byte[] bar = new byte[4096];
        BitConverter.GetBytes(0x010000edu).CopyTo(bar, 0);
        File.WriteAllBytes(Path.Combine(sys, "bus/pci/devices/0000:00:04.0/resource0"), bar);

        string uio = Path.Combine(sys, "class/uio/uio0");
        Directory.CreateDirectory(Path.Combine(uio, "maps/map0"));
        File.WriteAllText(Path.Combine(uio, "name"), "edu\n");
        File.WriteAllText(Path.Combine(uio, "version"), "0.1\n");
        File.WriteAllText(Path.Combine(uio, "maps/map0/addr"), "0xfea00000\n");
        File.WriteAllText(Path.Combine(uio, "maps/map0/size"), "0x1000\n");
        File.WriteAllText(Path.Combine(uio, "maps/map0/offset"), "0x0\n");
        File.WriteAllText(Path.Combine(uio, "maps/map0/name"), "edu-bar0\n");
        File.WriteAllBytes(Path.Combine(dev, "uio0"), bar);
        _sys = sys;
        _dev = dev;
    }

    /// <summary>Runs the tool against the fixture: the roots move only through the explicit options.</summary>
    private CliResult Run(params string[] args) => CliProcess.Run([.. args, "--sysfs-root", _sys, "--dev-root", _dev]);

    public void Dispose() => _dir.Dispose();

    private static void AddPci(string sys, string address, string vendor, string device, string cls, string[] bars)
    {
        string dir = Path.Combine(sys, "bus/pci/devices", address);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "vendor"), vendor + "\n");
        File.WriteAllText(Path.Combine(dir, "device"), device + "\n");
        File.WriteAllText(Path.Combine(dir, "class"), cls + "\n");
        var lines = new List<string>(bars);
        while (lines.Count < 13)
        {
            lines.Add("0x0000000000000000 0x0000000000000000 0x0000000000000000");
        }

        File.WriteAllText(Path.Combine(dir, "resource"), string.Join('\n', lines) + "\n");
        WriteConfig(dir, command: 0x0002); // memory decoding on
        File.WriteAllText(Path.Combine(dir, "enable"), "1\n");
    }

    /// <summary>A 256-byte PCI config space whose command register (offset 4) is <paramref name="command"/>.</summary>
    private static void WriteConfig(string dir, ushort command)
    {
        byte[] config = new byte[256];
        config[4] = (byte)command;
        config[5] = (byte)(command >> 8);
        File.WriteAllBytes(Path.Combine(dir, "config"), config);
    }

    private string DisableEdu()
    {
        string dir = Path.Combine(_sys, "bus/pci/devices/0000:00:04.0");
        WriteConfig(dir, command: 0x0000);
        File.WriteAllText(Path.Combine(dir, "enable"), "0\n");
        return dir;
    }

    [Fact]
    public void List_ShowsWhichDevicesHaveMemoryDecodingOff_TextAndJson()
    {
        DisableEdu();
        CliResult text = Run("list");
        Expect.Ok(text);
        Assert.Contains("0000:00:04.0  1234:11e8  class 0x00ff00  DISABLED (memory decoding off: use --enable)", text.StdOut);
        Assert.DoesNotContain("0000:00:05.0  1af4:1110  class 0x050000  DISABLED", text.StdOut);

        CliResult json = Run("list", "--json");
        Expect.Ok(json);
        using var doc = System.Text.Json.JsonDocument.Parse(json.StdOut);
        Assert.False(doc.RootElement.GetProperty("pci")[0].GetProperty("memoryDecoding").GetBoolean());
        Assert.True(doc.RootElement.GetProperty("pci")[1].GetProperty("memoryDecoding").GetBoolean());
    }

    [Fact]
    public void A_bar_with_memory_decoding_off_is_refused_and_enable_turns_it_on_first()
    {
        string dir = DisableEdu();
        Expect.Error(Run("read", "pci:1234:11e8", "0"), 1, "memory decoding turned off", "--enable");
        Assert.Equal("0\n", File.ReadAllText(Path.Combine(dir, "enable")));

        // A fixture cannot play the kernel, which sets the command bits on enable: --enable writes 1 to enable, and
        // the re-read of the command register still finds decoding off.
        Expect.Error(Run("read", "pci:1234:11e8", "0", "--enable"), 1, "still off after writing 1");
        Assert.StartsWith("1", File.ReadAllText(Path.Combine(dir, "enable")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_of_a_pci_device_that_is_removed_stops_with_exit_1_saying_it_is_gone()
    {
        using System.Diagnostics.Process watch = CliProcess.Start(null,
            ["watch", "pci:1234:11e8", "0", "--interval", "50ms", "--timeout", "30s", "--sysfs-root", _sys, "--dev-root", _dev], redirectInput: false);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task<string> stderr = watch.StandardError.ReadToEndAsync(bound.Token);
        // The first value is printed (and flushed) once the BAR is mapped; then take the device away as
        // `echo 1 > remove` does.
        string? first = await watch.StandardOutput.ReadLineAsync(bound.Token);
        Assert.EndsWith("0x010000ed", first, StringComparison.Ordinal);
        Task<string> rest = watch.StandardOutput.ReadToEndAsync(bound.Token);
        Directory.Delete(Path.Combine(_sys, "bus/pci/devices/0000:00:04.0"), recursive: true);
        await watch.WaitForExitAsync(bound.Token);
        Assert.Equal(1, watch.ExitCode);
        Assert.Equal("", await rest);
        string error = await stderr;
        Assert.Contains("pci:1234:11e8 is gone", error, StringComparison.Ordinal);
        Assert.Contains("was removed", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Poll_of_a_pci_device_that_is_removed_stops_with_exit_1_saying_it_is_gone()
    {
        // The condition never holds (edu's id register reads 0x010000ed), so only the removal can end the poll early.
        using System.Diagnostics.Process poll = CliProcess.Start(null,
            ["poll", "pci:1234:11e8", "0", "--equals", "0x5", "--timeout", "60s", "--interval", "10ms", "--sysfs-root", _sys, "--dev-root", _dev],
            redirectInput: false);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        Task<string> stdout = poll.StandardOutput.ReadToEndAsync(bound.Token);
        Task<string> stderr = poll.StandardError.ReadToEndAsync(bound.Token);

        // Poll prints nothing while it waits: it is polling once the BAR's resource file is mapped in the process.
        const string bar = "0000:00:04.0/resource0";
        string maps = $"/proc/{poll.Id}/maps";
        while (!poll.HasExited && !(File.Exists(maps) && (await File.ReadAllTextAsync(maps, bound.Token)).Contains(bar, StringComparison.Ordinal)))
        {
            await Task.Delay(20, bound.Token);
        }

        if (poll.HasExited)
        {
            Assert.Fail($"poll ended before the removal: {await stderr}");
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Directory.Delete(Path.Combine(_sys, "bus/pci/devices/0000:00:04.0"), recursive: true);
        await poll.WaitForExitAsync(bound.Token);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"poll ran on for {clock.Elapsed} after the removal"); // Not the 60 s timeout.
        Assert.Equal(1, poll.ExitCode);
        Assert.Equal("", await stdout);
        string error = await stderr;
        Assert.Contains("pci:1234:11e8 is gone, stopped polling", error, StringComparison.Ordinal);
        Assert.Contains("was removed", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_environment_no_longer_moves_the_sysfs_root()
    {
        // IOSYS_SYSFS_ROOT used to redirect every sysfs lookup, so whoever set the environment of a privileged iosys
        // chose which files it wrote. Now only --sysfs-root does.
        CliResult r = CliProcess.RunWithEnv(new Dictionary<string, string> { ["IOSYS_SYSFS_ROOT"] = _sys, ["IOSYS_DEV_ROOT"] = _dev }, "list");
        Expect.Ok(r);
        Assert.Contains("PCI devices (/sys/bus/pci/devices):", r.StdOut);
        Assert.DoesNotContain(_sys, r.StdOut);
    }

    [Fact]
    public void List_ShowsPciBarsUioMapsAndSimulatedDevices()
    {
        CliResult r = Run("list");
        Expect.Ok(r);
        Assert.Contains("0000:00:04.0  1234:11e8  class 0x00ff00", r.StdOut);
        Assert.Contains("bar0  memory  0x00000000fea00000  4 KiB (0x1000)", r.StdOut);
        Assert.Contains("pci:0000:00:05.0/bar2", r.StdOut);
        Assert.Contains("64-bit prefetchable", r.StdOut);
        Assert.DoesNotContain("bar1", r.StdOut);
        Assert.Contains("uio0  edu  version 0.1", r.StdOut);
        Assert.Contains("map0  0x00000000fea00000  4 KiB (0x1000)", r.StdOut);
        Assert.Contains("uio:0/map0", r.StdOut);
        Assert.Contains("sim:edu", r.StdOut);
    }

    [Fact]
    public void List_Json()
    {
        CliResult r = Run("list", "--json");
        Expect.Ok(r);
        using var doc = System.Text.Json.JsonDocument.Parse(r.StdOut);
        var pci = doc.RootElement.GetProperty("pci");
        Assert.Equal(2, pci.GetArrayLength());
        Assert.Equal("1234", pci[0].GetProperty("vendorId").GetString());
        Assert.Equal("11e8", pci[0].GetProperty("deviceId").GetString());
        var bar2 = pci[1].GetProperty("bars")[1];
        Assert.Equal(2, bar2.GetProperty("index").GetInt32());
        Assert.Equal(0x4000000000UL, bar2.GetProperty("address").GetUInt64());
        Assert.Equal(1 << 20, bar2.GetProperty("size").GetInt64());
        Assert.True(bar2.GetProperty("prefetchable").GetBoolean());
        Assert.Equal("edu", doc.RootElement.GetProperty("uio")[0].GetProperty("name").GetString());
        Assert.Equal(0x1000, doc.RootElement.GetProperty("uio")[0].GetProperty("maps")[0].GetProperty("size").GetInt64());
        Assert.Equal("sim:edu", doc.RootElement.GetProperty("simulated")[0].GetProperty("target").GetString());
    }

    [Fact]
    public void List_EmptySysfs_StillListsSimulatedDevices()
    {
        string empty = Path.Combine(_dir.Path, "empty");
        Directory.CreateDirectory(empty);
        CliResult r = CliProcess.Run("list", "--sysfs-root", empty);
        Expect.Ok(r);
        Assert.Contains("(none)", r.StdOut);
        Assert.Contains("sim:edu", r.StdOut);
    }

    [Theory]
    [InlineData("pci:0000:00:04.0")]
    [InlineData("pci:00:04.0/bar0")]
    [InlineData("pci:1234:11e8")]
    [InlineData("pci:1234:11e8#0/bar0")]
    [InlineData("uio:0")]
    [InlineData("uio:edu/map0")]
    public void DeviceTargets_ReadThroughTheFixture(string target) =>
        Expect.Output(Run("read", target, "0"), "0x010000ed\n");

    [Fact]
    public void A_known_device_bar_carries_its_width_rules_and_an_unknown_one_does_not()
    {
        // edu takes only 4-byte accesses below 0x80: the tool refuses the others before touching the device.
        Expect.Error(Run("read", "pci:1234:11e8", "0", "--width", "8"), 1, "1-byte read at offset 0x0", "refused");
        Expect.Error(Run("write", "pci:0000:00:04.0", "0x4", "0x1", "--width", "16"), 1, "2-byte write at offset 0x4", "refused");
        Expect.Output(Run("read", "pci:1234:11e8", "0x80", "--width", "64"), "0x0000000000000000\n");
        // The same file as a plain sysfs resource path has no device identity, so no rules: a byte read works.
        Expect.Output(Run("read", Path.Combine(_sys, "bus/pci/devices/0000:00:04.0/resource0"), "0", "--width", "8"), "0xed\n");
    }

    [Fact]
    public void DeviceTargets_Errors()
    {
        Expect.Error(Run("read", "pci:1234:11e8#1", "0"), 1, "1234:11e8");
        Expect.Error(Run("read", "pci:0000:00:05.0/bar1", "0"), 1, "not implemented");
        Expect.Error(Run("read", "pci:0000:00:09.0", "0"), 1, "0000:00:09.0");
        Expect.Error(Run("read", "uio:3", "0"), 1, "uio3");
        Expect.Error(Run("read", "pci:0000:00:04.0", "0x1000"), 1, "outside");
        Expect.Error(Run("read", "pci:12345:1", "0"), 2, "pci:12345:1");
        Expect.Error(Run("read", "pci:1234:11e8/bar7", "0"), 2, "bar7", "0 to 5");
        Expect.Error(Run("read", "mem:0x1000", "0"), 2, "ADDRESS+LENGTH");
    }
}
