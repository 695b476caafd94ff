namespace IoSys.Linux;

/// <summary>PCI config space (sysfs <c>config</c>) as an <see cref="IoSysMap"/>, so every IoSys tool and API reaches it with the map's checks.</summary>
/// <example>
/// <code>
/// using PciConfigSpace config = PciConfigSpace.Open(PciDevices.Find("1234:11e8"));
/// using IoSysMap map = config.CreateMap();
/// ushort vendor = map.Read16(0);   // 0x1234: one 2-byte pread
/// </code>
/// </example>
public static class PciConfigMaps
{
    /// <summary>
    /// A map of the config space's <see cref="PciConfigSpace.Length"/> bytes whose every access is one
    /// <c>pread</c>/<c>pwrite</c> of exactly its width at its offset (the kernel makes one config cycle of it). It
    /// accepts 1-, 2- and 4-byte accesses, naturally aligned (config cycles are at most 4 bytes), and is read-only unless
    /// <paramref name="config"/> was opened writable. The map does not own <paramref name="config"/>: dispose the map,
    /// then the config space; an access after the config space is disposed throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <param name="config">The open config space.</param>
    /// <returns>The map (I/O memory semantics: bulk operations are single accesses, never a copy).</returns>
    /// <exception cref="ObjectDisposedException"><paramref name="config"/> is disposed.</exception>
    public static IoSysMap CreateMap(this PciConfigSpace config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = new IoMapOptions
        {
            Space = IoSpace.IoMemory,
            Widths = AccessWidths.Bits8 | AccessWidths.Bits16 | AccessWidths.Bits32,
            ReadOnly = !config.IsWritable,
            Description = config.Path,
        };
        return IoSysMap.Create(new ConfigBackend(config), config.Length, options);
    }

    // Offsets reach here checked by the map (range, alignment, width, read-only); config space is at most 4 KiB, so they fit an int.
    private sealed class ConfigBackend(PciConfigSpace config) : IoBackend
    {
        protected override ulong Read(long offset, int width) => width switch
        {
            1 => config.ReadByte((int)offset),
            2 => config.ReadUInt16((int)offset),
            4 => config.ReadUInt32((int)offset),
            _ => throw new NotSupportedException($"PCI config space takes 1-, 2- and 4-byte accesses, not {width} bytes."),
        };

        protected override void Write(long offset, int width, ulong value)
        {
            switch (width)
            {
                case 1:
                    config.WriteByte((int)offset, (byte)value);
                    break;
                case 2:
                    config.WriteUInt16((int)offset, (ushort)value);
                    break;
                case 4:
                    config.WriteUInt32((int)offset, (uint)value);
                    break;
                default:
                    throw new NotSupportedException($"PCI config space takes 1-, 2- and 4-byte accesses, not {width} bytes.");
            }
        }
    }
}
