namespace IoSys.Tests.Units;

/// <summary>
/// IoMapOptions.Description reaches every IoAccessException a map throws (typed, bulk, fill, window, view, lease,
/// cache maintenance), as Target and as the message's prefix; without one, messages are as before.
/// </summary>
public sealed class AccessTargetTests
{
    private const string Target = "/sys/bus/pci/devices/0000:00:03.0/resource0";

    private static IoSysMap Described(long size = 0x100) =>
        IoSysMap.Allocate(size, IoMapOptions.SystemMemory with { Description = Target });

    private static void Names(IoAccessException e, string target)
    {
        Assert.Equal(target, e.Target);
        Assert.StartsWith(target + ": ", e.Reason, StringComparison.Ordinal);
        Assert.StartsWith(target + ": ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_kind_of_refused_access_names_the_target()
    {
        using IoSysMap map = Described();
        Assert.Equal(Target, map.Description);
        Names(Assert.Throws<IoAccessException>(() => map.Read32(0x100)), Target);
        Names(Assert.Throws<IoAccessException>(() => map.Write16(0x101, 1)), Target);
        Names(Assert.Throws<IoAccessException>(() => map.ReadBytes(0xf0, new byte[0x20])), Target);
        Names(Assert.Throws<IoAccessException>(() => map.Fill(0xf0, 0x20, 0)), Target);
        Names(Assert.Throws<IoAccessException>(() => map.Slice(0x80, 0x81)), Target);
        Names(map.CreateAccessException(IoAccessError.OutOfRange, 0x100, 4, write: false), Target);
        Names(Assert.Throws<IoAccessException>(() =>
        {
            using IoSysMapLease lease = map.Lease();
            lease.Read64(0x100);
        }), Target);
        Names(Assert.Throws<IoAccessException>(() => map.AsArray<uint>(0, 4)[4]), Target);
        Names(Assert.Throws<IoAccessException>(() => map.AsArray<uint>(0xf8, 4)), Target);
    }

    [Fact]
    public void A_window_names_the_target_and_where_it_starts()
    {
        using IoSysMap map = Described();
        using IoSysMap window = map.Slice(0x40, 0x20);
        Assert.Equal(Target, window.Description);
        IoAccessException e = Assert.Throws<IoAccessException>(() => window.Read32(0x20));
        Names(e, Target + " (window at 0x40)");
        Assert.Equal(0x20, e.MapSize);
        using IoSysMap atStart = map.Slice(0, 0x20);
        Names(Assert.Throws<IoAccessException>(() => atStart.Read32(0x20)), Target);
    }

    [Fact]
    public void A_device_map_over_a_backend_names_the_target_in_width_errors()
    {
        var options = new IoMapOptions { Space = IoSpace.IoMemory, Widths = AccessWidths.Bits32, Description = "uio0 map 1" };
        using IoSysMap map = IoSysMap.Allocate(0x100, options);
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.Read8(0));
        Assert.Equal(IoAccessError.WidthRefused, e.Error);
        Names(e, "uio0 map 1");
    }

    [Fact]
    public void Without_a_description_the_message_is_unchanged()
    {
        using IoSysMap map = IoSysMap.Allocate(0x100);
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.Read32(0x100));
        Assert.Null(e.Target);
        Assert.Null(map.Description);
        Assert.StartsWith("The 4-byte read at offset 0x100", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_public_constructor_prefixes_the_target()
    {
        var e = new IoAccessException(IoAccessError.OutOfRange, 8, 4, 8, "Refused.", "shm:/ring");
        Assert.Equal(("shm:/ring", "shm:/ring: Refused."), (e.Target, e.Reason));
        Assert.Equal("Refused.", new IoAccessException(IoAccessError.OutOfRange, 8, 4, 8, "Refused.").Reason);
    }
}
