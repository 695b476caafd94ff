using System.Buffers.Binary;

namespace IoSys.HardwareTests;

/// <summary>
/// The seed's scenario on real I/O memory: ivshmem-plain's BAR2 is a host file, so what the guest writes here is
/// checked byte for byte on the host after poweroff (tests/Hardware/run.sh), and the host's data is read here.
/// </summary>
internal static class IvshmemTests
{
    public static void Register(Runner r, Guest guest)
    {
        byte[]? firmware = null;
        byte[] Firmware() => firmware ??= File.ReadAllBytes(guest.FirmwarePath);
        IoSysMap Open() => IoSys.Linux.PciDevices.OpenBar(Guest.IvshmemId, guest.IvshmemBar);

        r.Run("ivshmem.bar.open", () =>
        {
            guest.RequireIvshmem();
            using IoSysMap bar = Open();
            Check.Equal(1L << 20, bar.Size, "ivshmem BAR2 size (the 1 MiB host file)");
            Check.True(bar.IsIoMem, "a BAR must be mapped as I/O memory");
            byte[] fw = Firmware();
            Check.True(fw.Length % 2 == 1 && fw.Length % 8 != 0, $"the firmware image is {fw.Length} bytes: it must be odd (so every width leaves a tail)");
            Runner.Note($"ivshmem {guest.IvshmemPci}: BAR{guest.IvshmemBar} {bar.Size / 1024} KiB; firmware image {fw.Length} bytes");
        });

        r.Run("ivshmem.host-data.read", () =>
        {
            byte[] expected = File.ReadAllBytes(guest.HostDataPath);
            long at = guest.Offset("HOSTDATA_OFF");
            using IoSysMap bar = Open();
            var bulk = new byte[expected.Length];
            bar.ReadBytes(at, bulk);
            Check.Bytes(expected, bulk, "host data read with ReadBytes");
            // The same bytes through every typed width, at every aligned offset.
            for (int i = 0; i + 8 <= expected.Length; i += 8)
            {
                Check.Equal(BinaryPrimitives.ReadUInt64LittleEndian(expected.AsSpan(i)), bar.Read64(at + i), $"Read64 at 0x{at + i:x}");
                Check.Equal(BinaryPrimitives.ReadUInt32LittleEndian(expected.AsSpan(i + 4)), bar.Read32(at + i + 4), $"Read32 at 0x{at + i + 4:x}");
                Check.Equal(BinaryPrimitives.ReadUInt16LittleEndian(expected.AsSpan(i + 2)), bar.Read16(at + i + 2), $"Read16 at 0x{at + i + 2:x}");
                Check.Equal(expected[i + 7], bar.Read8(at + i + 7), $"Read8 at 0x{at + i + 7:x}");
            }
        });

        // The firmware pattern of the seed's bug: accesses of one width at increasing offsets through a window whose
        // base is far from the BAR's start, then a tail of narrower accesses. The host compares the file afterwards.
        foreach (int width in new[] { 1, 2, 4, 8 })
        {
            string name = "FW_U" + (width * 8) + "_OFF";
            r.Run($"ivshmem.firmware.u{width * 8}", () =>
            {
                byte[] fw = Firmware();
                using IoSysMap bar = Open();
                IoSysMap window = bar.Slice(guest.Offset(name), fw.Length);
                int i = 0;
                for (; i + width <= fw.Length; i += width)
                {
                    WriteAt(window, i, width, fw);
                }

                for (int w = width / 2; w >= 1; w /= 2)
                {
                    if (i + w <= fw.Length)
                    {
                        WriteAt(window, i, w, fw);
                        i += w;
                    }
                }

                Check.Equal(fw.Length, i, "bytes written");
                // The window ends at the image's last byte: every width is refused one past it (the host checks the
                // guard bytes there are untouched).
                Check.Refused(IoAccessError.OutOfRange, () => window.Write8(fw.Length, 0), "Write8 one past the window");
                Check.Refused(IoAccessError.OutOfRange, () => window.Write64(fw.Length & ~7, 0), "Write64 over the window's end");
                var back = new byte[fw.Length];
                for (int k = 0; k < fw.Length; k++)
                {
                    back[k] = window.Read8(k);
                }

                Check.Bytes(fw, back, $"firmware read back byte by byte after u{width * 8} writes");
            });
        }

        r.Run("ivshmem.bulk.write-bytes", () =>
        {
            byte[] fw = Firmware();
            using IoSysMap bar = Open();
            long at = guest.Offset("BULK_OFF");   // odd: the copy must start and end with narrow aligned accesses
            bar.WriteBytes(at, fw);
            var back = new byte[fw.Length];
            bar.ReadBytes(at, back);
            Check.Bytes(fw, back, "WriteBytes then ReadBytes");
        });

        r.Run("ivshmem.bulk.fill", () =>
        {
            using IoSysMap bar = Open();
            long at = guest.Offset("FILL_OFF");
            long length = guest.Offset("FILL_LEN");
            byte value = (byte)guest.Offset("FILL_VALUE");
            bar.Fill(at, length, value);
            var back = new byte[length];
            bar.ReadBytes(at, back);
            Check.True(Array.TrueForAll(back, b => b == value), $"Fill: a byte in [0x{at:x}, +0x{length:x}) is not 0x{value:x2}");
            Check.Refused(IoAccessError.OutOfRange, () => bar.Fill(bar.Size - 4, 8, 0xee), "Fill past the BAR's end");
        });
    }

    private static void WriteAt(IoSysMap map, int offset, int width, byte[] data)
    {
        ReadOnlySpan<byte> s = data.AsSpan(offset);
        switch (width)
        {
            case 1: map.Write8(offset, s[0]); break;
            case 2: map.Write16(offset, BinaryPrimitives.ReadUInt16LittleEndian(s)); break;
            case 4: map.Write32(offset, BinaryPrimitives.ReadUInt32LittleEndian(s)); break;
            default: map.Write64(offset, BinaryPrimitives.ReadUInt64LittleEndian(s)); break;
        }
    }
}
