using IoSys.Linux.Vfio;

namespace IoSys.Linux.Tests;

/// <summary>
/// Opening a VFIO device against a fixture sysfs tree: name resolution, the binding and IOMMU checks, the group
/// report, and the setup errors that come before any ioctl. (The ioctl path itself runs in the QEMU guests.)
/// </summary>
public sealed class VfioDeviceTests : IDisposable
{
    private readonly TempDir _root = new();

    public VfioDeviceTests()
    {
        // Two edus in IOMMU group 5 with a NIC; one edu alone in group 6; a device with no IOMMU group.
        AddDevice("0000:00:02.0", "0x1234", "0x11e8", group: 5, driver: "vfio-pci");
        AddDevice("0000:00:03.0", "0x8086", "0x100e", group: 5, driver: "e1000e");
        AddDevice("0000:00:04.0", "0x1234", "0x11e8", group: 6, driver: null);
        AddDevice("0000:00:05.0", "0x1af4", "0x1110", group: null, driver: "uio_pci_generic");
    }

    public void Dispose() => _root.Dispose();

    private VfioOpenOptions Options => new() { SysfsRoot = _root.Path, DevRoot = _root.Combine("dev") };

    private void AddDevice(string address, string vendor, string device, int? group, string? driver)
    {
        string dir = _root.Combine("devices", "pci0000:00", address);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Join(dir, "vendor"), vendor + "\n");
        File.WriteAllText(Path.Join(dir, "device"), device + "\n");
        File.WriteAllText(Path.Join(dir, "class"), "0x00ff00\n");
        File.WriteAllText(Path.Join(dir, "resource"), string.Join("\n", Enumerable.Repeat("0x0 0x0 0x0", 7)) + "\n");
        PciDevicesTests.WriteConfig(dir, 0x0002);
        Directory.CreateDirectory(_root.Combine("bus", "pci", "devices"));
        File.CreateSymbolicLink(_root.Combine("bus", "pci", "devices", address), $"../../../devices/pci0000:00/{address}");
        if (group is { } g)
        {
            string groupDir = _root.Combine("kernel", "iommu_groups", g.ToString(System.Globalization.CultureInfo.InvariantCulture), "devices");
            Directory.CreateDirectory(groupDir);
            File.CreateSymbolicLink(Path.Join(dir, "iommu_group"), $"../../../kernel/iommu_groups/{g}");
            File.CreateSymbolicLink(Path.Join(groupDir, address), $"../../../../devices/pci0000:00/{address}");
        }

        if (driver is not null)
        {
            Directory.CreateDirectory(_root.Combine("bus", "pci", "drivers", driver));
            File.CreateSymbolicLink(Path.Join(dir, "driver"), $"../../../bus/pci/drivers/{driver}");
        }
    }

    [Theory]
    [InlineData("0000:00:02.0", "0000:00:02.0")]
    [InlineData("00:02.0", "0000:00:02.0")]
    [InlineData(" 0000:00:04.0 ", "0000:00:04.0")]
    [InlineData("8086:100E", "0000:00:03.0")]
    public void Names_resolve_to_an_address(string name, string address) =>
        Assert.Equal(address, VfioDevice.ResolveAddress(name, _root.Path));

    [Theory]
    [InlineData("0000:00:02.0", true, false, "0000:00:02.0")]
    [InlineData("00:1F.7", true, false, "0000:00:1f.7")]
    [InlineData("ABCD:12:00.0", true, false, "abcd:12:00.0")]
    [InlineData("1234:11E8", false, true, "1234:11e8")]
    [InlineData("00:20.0", false, false, null)] // slot above 0x1f
    [InlineData("00:02.8", false, false, null)] // function above 7
    [InlineData("0:02.0", false, false, null)]
    [InlineData("1234:11e8#0", false, false, null)]
    [InlineData("12345:11e8", false, false, null)]
    [InlineData("+123:11e8", false, false, null)]
    [InlineData("", false, false, null)]
    public void Device_names_are_an_address_or_an_id(string text, bool address, bool id, string? normal)
    {
        Assert.Equal(address, VfioDeviceName.IsAddress(text));
        Assert.Equal(id, VfioDeviceName.IsId(text));
        if (normal is null)
        {
            Assert.ThrowsAny<ArgumentException>(() => VfioDeviceName.Normalize(text));
        }
        else
        {
            Assert.Equal(normal, VfioDeviceName.Normalize(text));
        }
    }

    [Fact]
    public void An_id_that_matches_several_devices_lists_them()
    {
        var e = Assert.Throws<ArgumentException>(() => VfioDevice.ResolveAddress("1234:11e8", _root.Path));
        Assert.Contains("2 PCI devices match 1234:11e8: 0000:00:02.0, 0000:00:04.0", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1234:0000")]
    [InlineData("0000:00:09.0")]
    public void An_absent_device_is_not_found(string name) =>
        Assert.Throws<FileNotFoundException>(() => VfioDevice.ResolveAddress(name, _root.Path));

    [Theory]
    [InlineData("garbage")]
    [InlineData("1234:11e")]
    [InlineData("00:02.9")]
    [InlineData("1234:11e8#1")]
    public void Malformed_names_are_refused(string name) =>
        Assert.Throws<ArgumentException>(() => VfioDevice.ResolveAddress(name, _root.Path));

    [Fact]
    public void A_device_without_an_iommu_group_says_the_iommu_is_off_and_what_to_do()
    {
        var e = Assert.Throws<VfioException>(() => VfioDevice.Open("0000:00:05.0", Options));
        Assert.Contains("no IOMMU group", e.Message, StringComparison.Ordinal);
        Assert.Contains("intel_iommu=on", e.Message, StringComparison.Ordinal);
        Assert.Contains("PinnedPhysicalBuffer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_not_bound_to_vfio_pci_says_how_to_bind_it()
    {
        var e = Assert.Throws<VfioException>(() => VfioDevice.Open("0000:00:04.0", Options));
        Assert.Contains("bound to no driver, not vfio-pci", e.Message, StringComparison.Ordinal);
        Assert.Contains("echo vfio-pci > /sys/bus/pci/devices/0000:00:04.0/driver_override", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_vfio_modules_are_named_with_the_modprobe_to_run()
    {
        var e = Assert.Throws<VfioException>(() => VfioDevice.Open("0000:00:02.0", Options));
        Assert.Contains(Path.Join(_root.Path, "dev", "vfio", "vfio"), e.Message, StringComparison.Ordinal);
        Assert.Contains("modprobe vfio-pci", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_container_that_is_not_a_device_is_refused_before_any_ioctl()
    {
        _root.Write("dev/vfio/vfio", "not a device");
        var e = Assert.Throws<IOException>(() => VfioDevice.Open("0000:00:02.0", Options));
        Assert.Contains("a regular file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_group_report_names_every_member_with_its_driver_and_the_blocking_one()
    {
        string text = VfioDevice.DescribeGroup(5, _root.Path);
        Assert.Equal("Group 5 holds: 0000:00:02.0 (vfio-pci), 0000:00:03.0 (e1000e). Bind 0000:00:03.0 to vfio-pci too, or unbind it.", text);
        Assert.Equal("Group 6 holds: 0000:00:04.0 (no driver).", VfioDevice.DescribeGroup(6, _root.Path));
        Assert.Contains("could not be listed", VfioDevice.DescribeGroup(99, _root.Path), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bridge_on_pcieport_in_the_group_is_not_named_as_blocking()
    {
        // The kernel lets pcieport share a viable group (it claims no DMA): binding a root port to vfio-pci is bad advice.
        AddDevice("0000:00:1c.0", "0x1b36", "0x000c", group: 7, driver: "pcieport");
        AddDevice("0000:01:00.0", "0x1234", "0x11e8", group: 7, driver: "vfio-pci");
        Assert.Equal("Group 7 holds: 0000:00:1c.0 (pcieport), 0000:01:00.0 (vfio-pci).", VfioDevice.DescribeGroup(7, _root.Path));
    }

    [Fact]
    public void No_reset_names_the_kernels_reset_methods_and_what_gives_a_device_one()
    {
        string text = VfioErrors.NoReset("0000:00:02.0", "");
        Assert.Contains("0000:00:02.0 reports no reset method", text, StringComparison.Ordinal);
        Assert.Contains("reset_method for it is ''", text, StringComparison.Ordinal);
        Assert.Contains("behind a PCIe root port", text, StringComparison.Ordinal);
        Assert.Contains("VFIO_DEVICE_PCI_HOT_RESET", text, StringComparison.Ordinal);
        Assert.Contains("reset_method for it is unreadable", VfioErrors.NoReset("0000:00:02.0", null), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(11, "retry")] // EAGAIN: pci_try_reset_function could not take the device lock
    [InlineData(25, "reset_method for it is 'bus'")] // ENOTTY from the reset itself: no usable method now; not "type1 support"
    [InlineData(22, "reset_method for it is 'bus'")] // EINVAL: vfio-pci found the reset not working
    [InlineData(1, "permission denied")]
    public void Reset_errors_say_why(int errno, string advice)
    {
        VfioException e = VfioErrors.ForReset("0000:01:00.0", errno, "bus");
        Assert.Equal(errno, e.Errno);
        Assert.Contains("VFIO_DEVICE_RESET on 0000:01:00.0 failed", e.Message, StringComparison.Ordinal);
        Assert.Contains(advice, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("CONFIG_VFIO_IOMMU_TYPE1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentException>(() => VfioDevice.Open("0000:00:02.0", Options with { DmaAddressBits = 8 }));
        Assert.Throws<ArgumentException>(() => VfioDevice.Open("0000:00:02.0", Options with { SysfsRoot = "" }));
    }

    [Theory]
    [InlineData("VFIO_IOMMU_MAP_DMA", 25, "CONFIG_VFIO_IOMMU_TYPE1")]
    [InlineData("VFIO_SET_IOMMU(type1v2, IOMMU)", 1, "allow_unsafe_interrupts=1")]
    [InlineData("VFIO_GROUP_SET_CONTAINER", 1, "interrupt remapping")]
    [InlineData("VFIO_SET_IOMMU(type1v2, IOMMU)", 1, "gic-version=3")] // arm64 virt with a GICv2 (no ITS): measured EPERM
    [InlineData("VFIO_DEVICE_RESET", 1, "permission denied")]
    [InlineData("VFIO_IOMMU_MAP_DMA", 12, "ulimit -l")]
    [InlineData("VFIO_IOMMU_MAP_DMA", 28, "65535")]
    [InlineData("VFIO_GROUP_GET_DEVICE_FD", 16, "another process")]
    public void Errno_maps_to_advice(string what, int errno, string advice)
    {
        VfioException e = VfioErrors.ForIoctl(what, "0000:00:02.0", errno);
        Assert.Equal(errno, e.Errno);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
        Assert.Contains("0000:00:02.0", e.Message, StringComparison.Ordinal);
        Assert.Contains(advice, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_memlock_advice_gives_the_limit_and_the_bytes_needed()
    {
        string text = VfioErrors.MemlockAdvice(2 * 1024 * 1024);
        Assert.Contains("RLIMIT_MEMLOCK", text, StringComparison.Ordinal);
        Assert.Contains("2097152 more bytes were needed", text, StringComparison.Ordinal);
        Assert.Contains("limits.conf", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pinned_physical_buffer_gives_page_addresses_or_says_it_needs_cap_sys_admin()
    {
        PinnedPhysicalBuffer buffer;
        try
        {
            buffer = PinnedPhysicalBuffer.Allocate(3 * 4096 - 100);
        }
        catch (VfioException e)
        {
            // Without CAP_SYS_ADMIN the kernel reports frame 0; without lockable memory, mlock fails: both say so.
            Assert.True(e.Message.Contains("CAP_SYS_ADMIN", StringComparison.Ordinal) || e.Message.Contains("ulimit -l", StringComparison.Ordinal), e.Message);
            return;
        }

        using (buffer)
        {
            Assert.Equal(3 * 4096 - 100, buffer.Size);
            Assert.False(buffer.IsHugePage);
            for (long offset = 0; offset < buffer.Size; offset += 4096)
            {
                ulong physical = buffer.GetPhysicalAddress(offset);
                Assert.NotEqual(0UL, physical);
                Assert.Equal(0UL, physical % 4096);
                Assert.Equal(4096, buffer.ContiguousBytesAt(offset) + (offset + 4096 > buffer.Size ? 100 : 0));
            }

            Assert.Equal(buffer.GetPhysicalAddress(4096) + 5, buffer.GetPhysicalAddress(4096 + 5));
            Assert.Equal(4091, buffer.ContiguousBytesAt(4096 + 5));
            Assert.Throws<ArgumentOutOfRangeException>(() => buffer.GetPhysicalAddress(buffer.Size));
            Assert.Throws<ArgumentOutOfRangeException>(() => buffer.GetPhysicalAddress(-1));
            string status = File.ReadAllText("/proc/self/status");
            Assert.Contains("VmLck", status, StringComparison.Ordinal);
        }
    }
}
