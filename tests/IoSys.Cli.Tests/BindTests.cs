using System.Text.Json;
using IoSys.Testing;

namespace IoSys.Cli.Tests;

/// <summary><c>list</c>'s driver and IOMMU group, <c>bind</c>/<c>unbind</c>, and the <c>pci:ADDR/config</c> target, against a fixture sysfs with a stand-in kernel.</summary>
public sealed class BindTests : IDisposable
{
    private const string Edu = "0000:00:02.0";
    private readonly PciSysfsFixture _sys = new();
    private readonly string _state;

    public BindTests()
    {
        _sys.AddDriver("vfio-pci");
        _sys.AddDevice(Edu, driver: "uio_pci_generic", group: 3);
        _sys.AddDevice("0000:00:02.1", group: 3, device: 0x0001);
        _sys.AddDevice("0000:00:03.0", driver: "e1000e", group: 4, vendor: 0x8086, device: 0x10d3);
        _sys.AddDevice("0000:00:03.1", group: 4, device: 0x0002);
        _state = _sys.Combine("state");
        _sys.StartKernel();
    }

    public void Dispose() => _sys.Dispose();

    private CliResult Run(params string[] args) => CliProcess.Run([.. args, "--sysfs-root", _sys.Root]);

    private CliResult RunBind(params string[] args) => Run([.. args, "--state-dir", _state]);

    [Fact]
    public void List_shows_driver_and_iommu_group_with_its_members()
    {
        CliResult r = Run("list");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"  {Edu}  1234:11e8  class 0x00ff00  driver uio_pci_generic  iommu group 3 (with 0000:00:02.1)\n", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("  0000:00:02.1  1234:0001  class 0x00ff00  iommu group 3 (with 0000:00:02.0)\n", r.StdOut, StringComparison.Ordinal);

        CliResult json = Run("list", "--json");
        Assert.Equal(0, json.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(json.StdOut);
        JsonElement edu = doc.RootElement.GetProperty("pci").EnumerateArray().Single(d => d.GetProperty("address").GetString() == Edu);
        Assert.Equal("uio_pci_generic", edu.GetProperty("driver").GetString());
        Assert.Equal(3, edu.GetProperty("iommuGroup").GetInt32());
        Assert.Equal(["0000:00:02.1"], edu.GetProperty("iommuGroupMembers").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public void Bind_and_unbind_move_the_device_and_hand_it_back()
    {
        CliResult bind = RunBind("bind", Edu, "vfio-pci");
        Assert.True(bind.ExitCode == 0, bind.ToString());
        Assert.Equal($"{Edu}: uio_pci_generic -> vfio-pci\n", bind.StdOut);
        Assert.Equal("vfio-pci", _sys.DriverOf(Edu));

        CliResult again = RunBind("bind", "1234:11e8", "vfio-pci", "--json");
        Assert.Equal(0, again.ExitCode);
        using (JsonDocument doc = JsonDocument.Parse(again.StdOut))
        {
            Assert.False(doc.RootElement.GetProperty("changed").GetBoolean());
        }

        CliResult unbind = RunBind("unbind", "00:02.0");
        Assert.True(unbind.ExitCode == 0, unbind.ToString());
        Assert.Equal($"{Edu}: vfio-pci -> uio_pci_generic\n", unbind.StdOut);
        Assert.Equal("uio_pci_generic", _sys.DriverOf(Edu));
    }

    [Theory]
    [InlineData("0000:00:09.0", "vfio-pci", 1, "No PCI device at 0000:00:09.0")]
    [InlineData("00:0g.0", "vfio-pci", 2, "is not a PCI device selector")]
    [InlineData(Edu, "no-such-driver", 1, "no such driver is loaded")]
    [InlineData(Edu, "../../../../etc", 2, "is not a driver name")]
    [InlineData("0000:00:03.1", "vfio-pci", 1, "IOMMU group 4 also holds 0000:00:03.0, bound to the host driver e1000e")]
    public void Bind_refuses_hostile_or_impossible_requests_naming_what_blocks(string device, string driver, int exit, string message)
    {
        CliResult r = RunBind("bind", device, driver);
        Assert.True(r.ExitCode == exit, r.ToString());
        Assert.Contains(message, r.StdErr, StringComparison.Ordinal);
        Assert.Empty(r.StdOut);
        Assert.Equal("uio_pci_generic", _sys.DriverOf(Edu));
        Assert.Null(_sys.DriverOf("0000:00:03.1"));
    }

    [Fact]
    public void A_sysfs_file_that_cannot_be_written_is_named()
    {
        // What a read-only sysfs looks like to a writer here (root ignores file modes): driver_override is no regular file.
        string ovr = _sys.Combine("devices", "pci0000:00", Edu, "driver_override");
        File.Delete(ovr);
        Directory.CreateDirectory(ovr);
        CliResult r = RunBind("bind", Edu, "vfio-pci");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("driver_override", r.StdErr, StringComparison.Ordinal);
        Assert.Equal("uio_pci_generic", _sys.DriverOf(Edu));
    }

    [Fact]
    public void Config_target_reads_ids_with_exact_widths_and_refuses_wider_ones()
    {
        CliResult vendor = Run("read", $"pci:{Edu}/config", "0", "--width", "16");
        Assert.True(vendor.ExitCode == 0, vendor.ToString());
        Assert.Equal("0x1234\n", vendor.StdOut);
        Assert.Equal("0x11e81234\n", Run("read", "pci:1234:11e8/config", "0").StdOut);
        Assert.Equal("0x10\n", Run("read", $"pci:{Edu}/config", "8", "--width", "8").StdOut);

        CliResult wide = Run("read", $"pci:{Edu}/config", "0", "--width", "64");
        Assert.Equal(1, wide.ExitCode);
        Assert.Contains("8-byte", wide.StdErr, StringComparison.Ordinal);
        CliResult past = Run("read", $"pci:{Edu}/config", "0x100");
        Assert.Equal(1, past.ExitCode);
        Assert.Contains("0x100", past.StdErr, StringComparison.Ordinal);
        CliResult misaligned = Run("read", $"pci:{Edu}/config", "2");
        Assert.Equal(1, misaligned.ExitCode);
        Assert.Equal(2, Run("read", "pci:00:02.0/configx", "0").ExitCode);
        Assert.Equal(1, Run("read", "pci:0000:00:09.0/config", "0").ExitCode);
    }

    [Fact]
    public void Config_target_writes_one_access_and_dumps()
    {
        CliResult w = Run("write", $"pci:{Edu}/config", "0x3c", "0x0b", "--width", "8");
        Assert.True(w.ExitCode == 0, w.ToString());
        Assert.Equal(0x0b, File.ReadAllBytes(_sys.Combine("devices", "pci0000:00", Edu, "config"))[0x3c]);
        CliResult dump = Run("dump", $"pci:{Edu}/config", "0", "0x10");
        Assert.True(dump.ExitCode == 0, dump.ToString());
        Assert.StartsWith("00000000  34 12 e8 11 02 00 00 00  10 00 00 00 00 00 00 00", dump.StdOut, StringComparison.Ordinal);
    }
}
