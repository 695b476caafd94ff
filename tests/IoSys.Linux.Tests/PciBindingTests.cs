using IoSys.Testing;

namespace IoSys.Linux.Tests;

public sealed class PciBindingTests : IDisposable
{
    private const string Edu = "0000:00:02.0";
    private readonly PciSysfsFixture _sys = new();
    private readonly string _state;

    public PciBindingTests()
    {
        _sys.AddDriver("vfio-pci");
        _sys.AddDriver("pci-stub");
        _sys.AddDevice(Edu, driver: "uio_pci_generic", group: 5);
        _sys.AddDevice("0000:00:02.1", driver: null, group: 5, device: 0x0001);
        _sys.AddDevice("0000:00:01.0", driver: "pcieport", group: 5, vendor: 0x8086, device: 0x29c0);
        _sys.AddDevice("0000:00:03.0", driver: "e1000e", group: 6, vendor: 0x8086, device: 0x10d3);
        _sys.AddDevice("0000:00:03.1", driver: null, group: 6, device: 0x0002);
        _sys.AddDevice("0000:00:04.0", driver: null, group: null, device: 0x0003);
        _state = _sys.Combine("state");
        _sys.StartKernel();
    }

    public void Dispose() => _sys.Dispose();

    private PciBindResult Bind(string device, string driver) => PciBinding.Bind(device, driver, _sys.Root, _state);

    private PciBindResult Unbind(string device) => PciBinding.Unbind(device, _sys.Root, _state);

    private static (string, string?, string?, bool) R(PciBindResult r) => (r.Address, r.PreviousDriver, r.Driver, r.Changed);

    [Fact]
    public void Get_reports_driver_override_iommu_group_and_the_groups_other_members()
    {
        PciBindingInfo info = PciBinding.Get(Edu, _sys.Root);
        Assert.Equal((Edu, "uio_pci_generic", (string?)null, (int?)5), (info.Address, info.Driver, info.DriverOverride, info.IommuGroup));
        Assert.Equal([("0000:00:01.0", "pcieport"), ("0000:00:02.1", (string?)null)], info.GroupMembers.Select(m => (m.Address, m.Driver)));
        PciBindingInfo alone = PciBinding.Get("0000:00:04.0", _sys.Root);
        Assert.Null(alone.IommuGroup);
        Assert.Empty(alone.GroupMembers);
        Assert.Null(alone.Driver);
    }

    [Fact]
    public void Bind_moves_the_device_to_the_driver_and_unbind_hands_it_back_to_the_driver_it_had()
    {
        PciBindResult bound = Bind(Edu, "vfio-pci");
        Assert.Equal((Edu, "uio_pci_generic", "vfio-pci", true), R(bound));
        Assert.Equal("vfio-pci", _sys.DriverOf(Edu));
        Assert.Equal("vfio-pci", _sys.Override(Edu));
        Assert.Equal("uio_pci_generic", File.ReadAllText(Path.Join(_state, Edu)).Trim());

        PciBindResult back = Unbind(Edu);
        Assert.Equal((Edu, "vfio-pci", "uio_pci_generic", true), R(back));
        Assert.Equal("uio_pci_generic", _sys.DriverOf(Edu));
        Assert.Equal("", _sys.Override(Edu));
        Assert.False(File.Exists(Path.Join(_state, Edu)));
    }

    [Fact]
    public void A_device_that_had_no_driver_is_left_with_none_after_unbind()
    {
        Bind("0000:00:04.0", "vfio-pci");
        Assert.Equal("vfio-pci", _sys.DriverOf("0000:00:04.0"));
        Assert.Equal(("0000:00:04.0", "vfio-pci", (string?)null, true), R(Unbind("0000:00:04.0")));
        Assert.Null(_sys.DriverOf("0000:00:04.0"));
    }

    [Fact]
    public void Unbind_with_nothing_remembered_leaves_the_device_without_a_driver()
    {
        // As in the guest: no state directory at all (File.Delete of a file in a missing directory throws).
        Assert.False(Directory.Exists(_state));
        Assert.Equal((Edu, "uio_pci_generic", (string?)null, true), R(Unbind(Edu)));
        Assert.Null(_sys.DriverOf(Edu));
        Assert.Equal("", _sys.Override(Edu));
    }

    [Fact]
    public void Binding_twice_remembers_the_original_driver()
    {
        Bind(Edu, "vfio-pci");
        Bind(Edu, "pci-stub");
        Assert.Equal("pci-stub", _sys.DriverOf(Edu));
        Unbind(Edu);
        Assert.Equal("uio_pci_generic", _sys.DriverOf(Edu));
    }

    [Fact]
    public void Binding_to_the_driver_it_has_changes_nothing()
    {
        Assert.False(Bind(Edu, "uio_pci_generic").Changed);
        Assert.Equal("(null)", _sys.Override(Edu));
        Assert.False(Directory.Exists(_state));
    }

    [Fact]
    public void A_driver_that_is_not_loaded_is_named_with_the_module_to_load()
    {
        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => Bind(Edu, "no-such-driver"));
        Assert.Contains("no-such-driver", e.Message, StringComparison.Ordinal);
        Assert.Contains("modprobe no_such_driver", e.Message, StringComparison.Ordinal);
        Assert.Equal("uio_pci_generic", _sys.DriverOf(Edu));
        Assert.Equal("(null)", _sys.Override(Edu));
    }

    [Fact]
    public void A_group_member_bound_to_a_host_driver_blocks_vfio_and_is_named()
    {
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => Bind("0000:00:03.1", "vfio-pci"));
        Assert.Contains("IOMMU group 6 also holds 0000:00:03.0, bound to the host driver e1000e", e.Message, StringComparison.Ordinal);
        Assert.Null(_sys.DriverOf("0000:00:03.1"));
        Assert.Equal("(null)", _sys.Override("0000:00:03.1"));
        Assert.False(Directory.Exists(_state));
        // A bridge's pcieport and an unbound member do not block (group 5).
        Assert.True(Bind(Edu, "vfio-pci").Changed);
    }

    [Fact]
    public void A_driver_that_does_not_take_the_device_is_reported()
    {
        _sys.Refusing.Add("pci-stub");
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => Bind(Edu, "pci-stub"));
        Assert.Contains("pci-stub did not take 0000:00:02.0 (its driver is now none)", e.Message, StringComparison.Ordinal);
        Unbind(Edu); // The way back still works.
        Assert.Equal("uio_pci_generic", _sys.DriverOf(Edu));
    }

    [Theory]
    [InlineData("../../../../tmp/x")]
    [InlineData("vfio/pci")]
    [InlineData("..")]
    [InlineData(" ")]
    [InlineData("vfio-pci\n")]
    public void Hostile_driver_names_are_refused_before_anything_is_written(string driver)
    {
        Assert.ThrowsAny<ArgumentException>(() => Bind(Edu, driver));
        Assert.Equal("(null)", _sys.Override(Edu));
        Assert.Equal("uio_pci_generic", _sys.DriverOf(Edu));
    }

    [Fact]
    public void Unknown_and_malformed_devices_are_refused()
    {
        Assert.Throws<FileNotFoundException>(() => Bind("0000:00:09.0", "vfio-pci"));
        Assert.Throws<ArgumentException>(() => Bind("00:0g.0", "vfio-pci"));
        Assert.Throws<FileNotFoundException>(() => Unbind("0000:00:09.0"));
    }

    [Fact]
    public void A_group_link_that_is_not_a_number_is_malformed_data()
    {
        string link = Path.Join(_sys.Combine("devices", "pci0000:00", "0000:00:04.0"), "iommu_group");
        File.CreateSymbolicLink(link, "../../../kernel/iommu_groups/abc");
        Assert.Contains("not an IOMMU group number", Assert.Throws<InvalidDataException>(() => PciBinding.Get("0000:00:04.0", _sys.Root)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_driver_override_that_is_a_fifo_is_refused_without_blocking()
    {
        string ovr = _sys.Combine("devices", "pci0000:00", Edu, "driver_override");
        File.Delete(ovr);
        Fifo.Make(ovr);
        Assert.ThrowsAny<IOException>(() => Bind(Edu, "vfio-pci"));
        Assert.Equal("uio_pci_generic", _sys.DriverOf(Edu));
    }

    [Fact]
    public void A_driver_that_was_unloaded_since_bind_is_named_by_unbind()
    {
        Bind(Edu, "vfio-pci");
        Directory.Delete(_sys.Combine("bus", "pci", "drivers", "uio_pci_generic"), recursive: true);
        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => Unbind(Edu));
        Assert.Contains("uio_pci_generic: that driver is no longer loaded", e.Message, StringComparison.Ordinal);
        Assert.Equal("vfio-pci", _sys.DriverOf(Edu)); // Not left stranded without a driver.
    }

    [Fact]
    public void Config_space_as_a_map_reads_ids_with_exact_widths_and_refuses_what_config_cycles_cannot_do()
    {
        using PciConfigSpace config = PciConfigSpace.Open(PciDevices.Find(Edu, _sys.Root));
        using IoSysMap map = config.CreateMap();
        Assert.Equal((256L, true, true), (map.Size, map.IsIoMem, map.IsReadOnly));
        Assert.Equal(0x1234, map.Read16(0));
        Assert.Equal(0x11e8_1234u, map.Read32(0));
        Assert.Equal(0x10, map.Read8(8));
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => map.Read64(0)).Error);
        Assert.Equal(IoAccessError.Misaligned, Assert.Throws<IoAccessException>(() => map.Read32(2)).Error);
        Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => map.Read8(256)).Error);
        Assert.Equal(config.Path, Assert.Throws<IoAccessException>(() => map.Read8(256)).Target);
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.Write8(0x3c, 1)).Error);
    }

    [Fact]
    public void A_writable_config_map_writes_one_access_and_a_closed_config_space_is_refused()
    {
        IoSysMap map;
        using (PciConfigSpace config = PciConfigSpace.Open(PciDevices.Find(Edu, _sys.Root), writable: true))
        {
            map = config.CreateMap();
            map.Write8(0x3c, 0x0b);
            map.Write16(0x3e, 0x0102);
        }

        byte[] bytes = File.ReadAllBytes(_sys.Combine("devices", "pci0000:00", Edu, "config"));
        Assert.Equal([0x0b, 0x00, 0x02, 0x01], bytes[0x3c..0x40]);
        Assert.Throws<ObjectDisposedException>(() => map.Read16(0));
        map.Dispose();
    }
}
