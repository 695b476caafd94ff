using IoSys.Cli;
using IoSys.Cli.Parsing;

namespace IoSys.Cli.Tests;

/// <summary>The <c>vfio:</c> target: parsing, and the errors before any ioctl against a fixture sysfs (no /dev/vfio here).</summary>
public sealed class VfioTargetTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _sys;
    private readonly string _dev;

    public VfioTargetTests()
    {
        _sys = Path.Combine(_dir.Path, "sys");
        _dev = Path.Combine(_dir.Path, "dev");
        Directory.CreateDirectory(_dev);
        // edu at 00:02.0, bound to vfio-pci in IOMMU group 3; a second device with no IOMMU group.
        string edu = AddPci("0000:00:02.0", "0x1234", "0x11e8");
        Directory.CreateDirectory(Path.Combine(_sys, "kernel/iommu_groups/3/devices"));
        File.CreateSymbolicLink(Path.Combine(edu, "iommu_group"), Path.Combine(_sys, "kernel/iommu_groups/3"));
        Directory.CreateDirectory(Path.Combine(_sys, "bus/pci/drivers/vfio-pci"));
        File.CreateSymbolicLink(Path.Combine(edu, "driver"), Path.Combine(_sys, "bus/pci/drivers/vfio-pci"));
        AddPci("0000:00:03.0", "0x1af4", "0x1110");
    }

    public void Dispose() => _dir.Dispose();

    private string AddPci(string address, string vendor, string device)
    {
        string dir = Path.Combine(_sys, "bus/pci/devices", address);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "vendor"), vendor + "\n");
        File.WriteAllText(Path.Combine(dir, "device"), device + "\n");
        File.WriteAllText(Path.Combine(dir, "class"), "0x00ff00\n");
        File.WriteAllText(Path.Combine(dir, "resource"), string.Join('\n', Enumerable.Repeat("0x0 0x0 0x0", 13)) + "\n");
        File.WriteAllBytes(Path.Combine(dir, "config"), new byte[256]);
        return dir;
    }

    private CliResult Run(params string[] args) => CliProcess.Run([.. args, "--sysfs-root", _sys, "--dev-root", _dev]);

    [Theory]
    [InlineData("vfio:0000:00:02.0", "0000:00:02.0", 0)]
    [InlineData("vfio:00:02.0/bar2", "0000:00:02.0", 2)]
    [InlineData("vfio:1234:11E8/bar5", "1234:11e8", 5)]
    [InlineData("vfio:00:02.0/config", "0000:00:02.0", 7)]
    public void Parses(string text, string name, int index)
    {
        TargetSpec spec = TargetSpec.Parse(text);
        Assert.Equal(TargetKind.Vfio, spec.Kind);
        Assert.Equal(name, spec.Name);
        Assert.Equal(index, spec.Index);
    }

    [Theory]
    [InlineData("vfio:", "needs a device address")]
    [InlineData("vfio:garbage", "needs a device address")]
    [InlineData("vfio:1234:11e8#1", "needs a device address")]
    [InlineData("vfio:00:02.0/bar6", "/bar0 to /bar5 or /config")]
    [InlineData("vfio:00:02.0/rom", "/bar0 to /bar5 or /config")]
    [InlineData("vfio:00:02.0/", "/bar0 to /bar5 or /config")]
    public void Refuses_malformed_targets_naming_them(string text, string why)
    {
        var e = Assert.Throws<UsageException>(() => TargetSpec.Parse(text));
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_dev_vfio_the_tool_says_to_load_the_modules()
    {
        CliResult r = Run("read", "vfio:00:02.0", "0");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("modprobe vfio-pci", r.StdErr, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_dev, "vfio", "vfio"), r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_without_an_iommu_group_is_a_clear_error()
    {
        CliResult r = Run("read", "vfio:1af4:1110/bar0", "0");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no IOMMU group", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_absent_device_is_a_clear_error()
    {
        CliResult r = Run("read", "vfio:00:09.0", "0");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("00:09.0", r.StdErr, StringComparison.Ordinal);
    }
}
