namespace IoSys.Tests.Units;

/// <summary>Every refusal names its offset, its width (or length) and the map's size, in hex, in one line.</summary>
public sealed class AccessErrorMessageTests
{
    private const long MapSize = 0x1230;

    private static IoSysMap Device(bool readOnly = false)
    {
        var options = new IoMapOptions
        {
            Space = IoSpace.IoMemory,
            WidthRules = [new IoWidthRule(0x000, 0x80, AccessWidths.Bits32)],
            ReadOnly = readOnly,
        };
        return IoSysMap.Allocate(MapSize, options);
    }

    private static void AssertNames(IoAccessException e, IoAccessError error, string offset, long length)
    {
        Assert.Equal(error, e.Error);
        Assert.Equal(MapSize, e.MapSize);
        Assert.Equal(length, e.Length);
        Assert.Contains(offset, e.Message, StringComparison.Ordinal);
        Assert.Contains("0x1230", e.Message, StringComparison.Ordinal);
        Assert.Contains("0x1230", e.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", e.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Reason);
        Assert.IsAssignableFrom<ArgumentException>(e);
    }

    [Fact]
    public void Runtime_width_value_too_wide_names_a_negative_offset_as_negative_hex()
    {
        using IoSysMap map = Device();
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => map.Write(-0x10, 1, 0x100));
        Assert.Contains("offset -0x10.", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("fffff", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Out_of_range_typed_access_names_offset_width_and_size()
    {
        using IoSysMap map = Device();
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.Read32(0x1234));
        AssertNames(e, IoAccessError.OutOfRange, "0x1234", 4);
        Assert.Equal(0x1234, e.Offset);
        Assert.Contains("4-byte", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Last_slot_straddling_the_end_is_out_of_range()
    {
        using IoSysMap map = Device();
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.Read64(MapSize - 4));
        AssertNames(e, IoAccessError.OutOfRange, "0x122c", 8);
    }

    [Fact]
    public void Negative_offset_names_the_negative_offset_and_size()
    {
        using IoSysMap map = Device();
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.Write16(-6, 1));
        AssertNames(e, IoAccessError.OutOfRange, "-0x6", 2);
        Assert.Equal(-6, e.Offset);
    }

    [Fact]
    public void Offset_near_long_MaxValue_does_not_overflow_into_range()
    {
        using IoSysMap map = Device();
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.Read64(long.MaxValue - 3));
        AssertNames(e, IoAccessError.OutOfRange, "0x7ffffffffffffffc", 8);
        Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => map.ReadBytes(long.MaxValue, new byte[2])).Error);
        Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => map.Fill(8, long.MaxValue, 0)).Error);
    }

    [Fact]
    public void Misaligned_access_names_offset_width_and_size()
    {
        using IoSysMap map = Device();
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.Read32(0x102));
        AssertNames(e, IoAccessError.Misaligned, "0x102", 4);
        Assert.Contains("4-byte", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refused_width_names_offset_width_size_and_the_accepted_widths()
    {
        using IoSysMap map = Device();
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.Read8(0x11));
        AssertNames(e, IoAccessError.WidthRefused, "0x11", 1);
        Assert.Contains("1-byte", e.Message, StringComparison.Ordinal);
        Assert.Contains("4-byte", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_to_read_only_map_names_offset_width_and_size()
    {
        using IoSysMap map = Device(readOnly: true);
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.Write64(0x100, 1));
        AssertNames(e, IoAccessError.ReadOnly, "0x100", 8);
        Assert.Contains("read-only", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bulk_refusals_name_offset_length_and_size()
    {
        using IoSysMap map = Device();
        AssertNames(Assert.Throws<IoAccessException>(() => map.ReadBytes(0x1200, new byte[0x40])), IoAccessError.OutOfRange, "0x1200", 0x40);
        AssertNames(Assert.Throws<IoAccessException>(() => map.WriteBytes(0x7e, new byte[6])), IoAccessError.WidthRefused, "0x7e", 6);
        AssertNames(Assert.Throws<IoAccessException>(() => map.Fill(0x300, -5, 0)), IoAccessError.OutOfRange, "0x300", -5);
        using IoSysMap readOnly = Device(readOnly: true);
        AssertNames(Assert.Throws<IoAccessException>(() => readOnly.Fill(0x300, 0x10, 0)), IoAccessError.ReadOnly, "0x300", 0x10);
        AssertNames(Assert.Throws<IoAccessException>(() => map.CopyTo(0x1000, readOnly, 0x300, 0x10)), IoAccessError.ReadOnly, "0x300", 0x10);
    }

    [Fact]
    public void Window_that_does_not_fit_names_offset_length_and_size()
    {
        using IoSysMap map = Device();
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.Slice(0x1000, 0x300));
        AssertNames(e, IoAccessError.OutOfRange, "0x1000", 0x300);
        Assert.Contains("0x300", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckAccess_agrees_with_the_access_and_CreateAccessException_builds_the_same_message()
    {
        using IoSysMap map = Device();
        Assert.Equal(IoAccessError.None, map.CheckAccess(0x80, 8, write: true));
        Assert.Equal(IoAccessError.Misaligned, map.CheckAccess(0x102, 4, write: false));
        Assert.Equal(IoAccessError.WidthRefused, map.CheckAccess(0x10, 2, write: false));
        Assert.Equal(IoAccessError.OutOfRange, map.CheckAccess(MapSize, 1, write: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => map.CheckAccess(0, 3, write: false));
        IoAccessException thrown = Assert.Throws<IoAccessException>(() => map.Read32(0x102));
        IoAccessException built = map.CreateAccessException(IoAccessError.Misaligned, 0x102, 4, write: false);
        Assert.Equal(thrown.Message, built.Message);
    }

    [Fact]
    public void Null_map_refusal_says_the_map_is_null()
    {
        IoAccessException e = Assert.Throws<IoAccessException>(() => IoSysMap.Null.Read32(0));
        Assert.Equal(IoAccessError.OutOfRange, e.Error);
        Assert.Contains("null", e.Message, StringComparison.Ordinal);
    }
}
