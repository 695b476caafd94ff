using IoSys.Tests.Support;

namespace IoSys.Tests.Regression;

/// <summary>
/// The seed's scenario (iosys_map v7 review): a GPU driver wrote its firmware byte by byte at offsets 0, 1, 2, ...
/// n-1 into I/O memory, and the bindings added the map's base twice (an absolute address passed where an offset
/// was expected). These tests write firmware of an odd length into I/O-memory maps with a non-zero base, directly
/// and through windows at non-zero offsets (where a doubled base would land the bytes elsewhere), with every
/// access width and every bulk widths limit, and check every byte, written and not written.
/// </summary>
public sealed unsafe class FirmwareUploadRegressionTests
{
    private const int OwnerSize = 0x2000;
    private const byte Untouched = 0xEE;

    /// <summary>Random firmware of an odd length that is not a multiple of 8 (so every tail width is exercised).</summary>
    private static byte[] MakeFirmware(int length, int seed)
    {
        Assert.True(length % 2 == 1 && length % 8 != 0);
        byte[] firmware = new byte[length];
        new Random(seed).NextBytes(firmware);
        return firmware;
    }

    /// <summary>An I/O-memory map whose bytes all read <see cref="Untouched"/>, at a non-zero base.</summary>
    private static IoSysMap MakeDeviceMemory()
    {
        IoSysMap map = IoSysMap.Allocate(OwnerSize, IoMapOptions.IoMemory);
        Assert.False(map.Address.IsNull);
        Assert.True(map.Address.ToUIntPtr() > 0x10000, "the base should be far from zero");
        Raw(map).Fill(Untouched);
        return map;
    }

    /// <summary>The owner's bytes through a raw pointer, independent of every library read path.</summary>
    private static Span<byte> Raw(IoSysMap owner) => new((void*)owner.Address.ToUIntPtr(), checked((int)owner.Size));

    /// <summary>The firmware is at <paramref name="at"/> in the owner, and every other byte is untouched.</summary>
    private static void AssertLoadedAt(IoSysMap owner, long at, byte[] firmware)
    {
        Span<byte> bytes = Raw(owner);
        Assert.Equal(firmware, bytes.Slice((int)at, firmware.Length).ToArray());
        for (int i = 0; i < bytes.Length; i++)
        {
            if (i < at || i >= at + firmware.Length)
            {
                Assert.True(bytes[i] == Untouched, $"byte 0x{i:x} outside the firmware [0x{at:x}, 0x{at + firmware.Length:x}) changed to 0x{bytes[i]:x2}");
            }
        }

        byte[] readBack = new byte[firmware.Length];
        owner.ReadBytes(at, readBack);
        Assert.Equal(firmware, readBack);
    }

    private static void AssertAllUntouched(IoSysMap owner) =>
        Assert.True(Raw(owner).IndexOfAnyExcept(Untouched) < 0, "a refused upload changed memory");

    /// <summary>The driver's loop: one u8 write per byte, at offsets 0, 1, 2, ... n-1.</summary>
    private static void UploadAsBytes(IoSysMap target, byte[] firmware)
    {
        for (int i = 0; i < firmware.Length; i++)
        {
            target.Write8(i, firmware[i]);
        }
    }

    /// <summary>The same loop through a lease (<see cref="IoSysMap.Lease"/>), the form a driver's hot loop takes.</summary>
    private static void UploadAsBytesThroughALease(IoSysMap target, byte[] firmware)
    {
        using IoSysMapLease lease = target.Lease();
        for (int i = 0; i < firmware.Length; i++)
        {
            lease.Write8(i, firmware[i]);
        }
    }

    private static void UploadAsBytes(IoSysMap target, byte[] firmware, bool leased)
    {
        if (leased)
        {
            UploadAsBytesThroughALease(target, firmware);
        }
        else
        {
            UploadAsBytes(target, firmware);
        }
    }

    /// <summary>Chunks of <paramref name="width"/> bytes (host order), the tail with the widest smaller widths that fit.</summary>
    private static void UploadInChunks(IoSysMap target, byte[] firmware, int width)
    {
        int i = 0;
        for (int w = width; w >= 1; w /= 2)
        {
            for (; i + w <= firmware.Length; i += w)
            {
                ReadOnlySpan<byte> chunk = firmware.AsSpan(i, w);
                switch (w)
                {
                    case 8: target.Write64(i, BitConverter.ToUInt64(chunk)); break;
                    case 4: target.Write32(i, BitConverter.ToUInt32(chunk)); break;
                    case 2: target.Write16(i, BitConverter.ToUInt16(chunk)); break;
                    default: target.Write8(i, chunk[0]); break;
                }
            }
        }

        Assert.Equal(firmware.Length, i);
    }

    [Theory]
    [InlineData(1021, false)]
    [InlineData(4093, false)]
    [InlineData(13, false)]
    [InlineData(1021, true)]
    [InlineData(4093, true)]
    public void Firmware_written_as_u8_at_incremental_offsets_lands_byte_for_byte(int length, bool leased)
    {
        using IoSysMap device = MakeDeviceMemory();
        byte[] firmware = MakeFirmware(length, length);
        UploadAsBytes(device, firmware, leased);
        AssertLoadedAt(device, 0, firmware);
    }

    [Theory]
    [InlineData(0x1000, 1021, false)]
    [InlineData(0x0008, 1021, false)]
    [InlineData(0x0ffd, 0x3f7, false)] // odd window start: bytes still land, wider accesses would be misaligned
    [InlineData(0x1000, 1021, true)]
    [InlineData(0x0ffd, 0x3f7, true)]
    public void Firmware_written_as_u8_through_a_window_lands_at_window_offset_plus_i_not_at_a_doubled_base(long windowOffset, int length, bool leased)
    {
        using IoSysMap device = MakeDeviceMemory();
        byte[] firmware = MakeFirmware(length, length + (int)windowOffset);
        using IoSysMap window = device.Slice(windowOffset, length + 3);
        Assert.Equal(windowOffset, window.Address - device.Address);
        UploadAsBytes(window, firmware, leased);
        AssertLoadedAt(device, windowOffset, firmware);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Firmware_written_in_u16_u32_u64_chunks_with_a_narrower_tail_lands_byte_for_byte(int width)
    {
        using IoSysMap device = MakeDeviceMemory();
        byte[] firmware = MakeFirmware(1021, width);
        UploadInChunks(device, firmware, width);
        AssertLoadedAt(device, 0, firmware);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Firmware_written_in_chunks_through_an_aligned_window_lands_at_the_window(int width)
    {
        using IoSysMap device = MakeDeviceMemory();
        byte[] firmware = MakeFirmware(1021, 100 + width);
        using IoSysMap window = device.Slice(0x1008).Slice(0x10); // nested: 0x1018 from the owner
        UploadInChunks(window, firmware, width);
        AssertLoadedAt(device, 0x1018, firmware);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Chunked_firmware_upload_into_a_window_at_an_odd_offset_is_refused_as_misaligned_and_writes_nothing(int width)
    {
        using IoSysMap device = MakeDeviceMemory();
        using IoSysMap window = device.Slice(0x1001);
        byte[] firmware = MakeFirmware(1021, width);
        IoAccessException e = Assert.Throws<IoAccessException>(() => UploadInChunks(window, firmware, width));
        Assert.Equal(IoAccessError.Misaligned, e.Error);
        Assert.Equal(0, e.Offset);
        AssertAllUntouched(device);
    }

    public static TheoryData<AccessWidths> CoveringWidths() => new()
    {
        AccessWidths.Bits8,
        AccessWidths.Bits8 | AccessWidths.Bits16,
        AccessWidths.Bits8 | AccessWidths.Bits32,
        AccessWidths.Bits8 | AccessWidths.Bits64,
        AccessWidths.All,
    };

    [Theory]
    [MemberData(nameof(CoveringWidths))]
    public void Firmware_written_with_WriteBytes_and_a_widths_limit_lands_byte_for_byte(AccessWidths widths)
    {
        using IoSysMap device = MakeDeviceMemory();
        byte[] firmware = MakeFirmware(1021, (int)widths);
        device.WriteBytes(3, firmware, widths);
        AssertLoadedAt(device, 3, firmware);

        using IoSysMap window = device.Slice(0x1005);
        window.Fill(0, firmware.Length, Untouched);
        window.WriteBytes(0, firmware, widths);
        Assert.Equal(firmware, Raw(device).Slice(0x1005, firmware.Length).ToArray());
    }

    [Theory]
    [InlineData(AccessWidths.Bits16)]
    [InlineData(AccessWidths.Bits32)]
    [InlineData(AccessWidths.Bits64)]
    [InlineData(AccessWidths.Bits16 | AccessWidths.Bits32 | AccessWidths.Bits64)]
    public void WriteBytes_of_odd_length_firmware_without_byte_accesses_is_refused_and_writes_nothing(AccessWidths widths)
    {
        using IoSysMap device = MakeDeviceMemory();
        byte[] firmware = MakeFirmware(1021, 7);
        IoAccessException e = Assert.Throws<IoAccessException>(() => device.WriteBytes(0, firmware, widths));
        Assert.Equal(IoAccessError.WidthRefused, e.Error);
        // The first offset no allowed access covers: where fewer bytes remain than the narrowest allowed width.
        int narrowest = (int)widths & -(int)widths;
        Assert.Equal(firmware.Length - (firmware.Length % narrowest), e.Offset);
        AssertAllUntouched(device);
    }

    [Fact]
    public void Firmware_written_as_u8_through_a_backend_window_reaches_the_backend_at_window_offset_plus_i()
    {
        var backend = new RecordingBackend(OwnerSize);
        using IoSysMap device = IoSysMap.Create(backend, OwnerSize);
        using IoSysMap window = device.Slice(0x1000);
        byte[] firmware = MakeFirmware(1021, 3);
        UploadAsBytes(window, firmware);
        Assert.Equal(firmware.Length, backend.Accesses.Count);
        for (int i = 0; i < firmware.Length; i++)
        {
            Assert.Equal(new IoAccess(0x1000 + i, 1, IoDirection.Write, firmware[i]), backend.Accesses[i]);
        }

        Assert.Equal(firmware, backend.Memory.AsSpan(0x1000, firmware.Length).ToArray());
        Assert.True(backend.Memory.AsSpan(0, 0x1000).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(backend.Memory.AsSpan(0x1000 + firmware.Length).IndexOfAnyExcept((byte)0) < 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Firmware_byte_past_the_end_of_the_map_is_refused_and_the_rest_is_intact(bool leased)
    {
        using IoSysMap device = MakeDeviceMemory();
        using IoSysMap window = device.Slice(0x1000, 1020);
        byte[] firmware = MakeFirmware(1021, 11);
        IoAccessException e = Assert.Throws<IoAccessException>(() => UploadAsBytes(window, firmware, leased));
        Assert.Equal(IoAccessError.OutOfRange, e.Error);
        Assert.Equal(1020, e.Offset);
        Assert.Equal(firmware.AsSpan(0, 1020).ToArray(), Raw(device).Slice(0x1000, 1020).ToArray());
        Assert.Equal(Untouched, Raw(device)[0x1000 + 1020]);
    }
}
