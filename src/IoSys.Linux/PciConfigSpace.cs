using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux;

/// <summary>Bits of the PCI command register (config offset 4, 16 bits).</summary>
[Flags]
public enum PciCommand : ushort
{
    /// <summary>No bit.</summary>
    None = 0,

    /// <summary>Bit 0: the device decodes its I/O-port BARs.</summary>
    IoSpace = 0x1,

    /// <summary>Bit 1: the device decodes its memory BARs. While clear, reads of a BAR return all-ones and writes are dropped.</summary>
    MemorySpace = 0x2,

    /// <summary>Bit 2: the device may master the bus (DMA).</summary>
    BusMaster = 0x4,

    /// <summary>Bit 10: INTx Disable; the device does not assert its legacy interrupt while set.</summary>
    InterruptDisable = 0x400,
}

/// <summary>
/// The configuration space of one PCI device, through its sysfs <c>config</c> file: typed, bounded, width-exact
/// reads and writes (a 2-byte read is one 16-bit config cycle), and the command-register helpers. UIO's interrupt
/// unmasking and the memory-decoding check of <see cref="PciDevices.OpenBar(PciDeviceInfo, int, PciOpenOptions?)"/> go through it.
/// </summary>
/// <remarks>
/// Config space is little-endian. Without root the kernel lets a process read only the first 64 bytes (the standard
/// header, where the command register is) and write nothing; a read it cuts short is an <see cref="IOException"/>.
/// The file is opened without following a symbolic link and, under <c>/sys</c>, must live on sysfs.
/// </remarks>
public sealed class PciConfigSpace : IDisposable
{
    /// <summary>Offset of the command register, in bytes.</summary>
    public const int CommandOffset = 4;

    private readonly SafeFileHandle _file;

    private PciConfigSpace(SafeFileHandle file, string path, long length, bool writable)
    {
        _file = file;
        Path = path;
        Length = length;
        IsWritable = writable;
    }

    /// <summary>The <c>config</c> file, e.g. <c>/sys/bus/pci/devices/0000:00:04.0/config</c>.</summary>
    public string Path { get; }

    /// <summary>Size of the config space in bytes, as the file says (256 for PCI, 4096 for PCI Express).</summary>
    public long Length { get; }

    /// <summary>Whether it was opened for writing.</summary>
    public bool IsWritable { get; }

    /// <summary>Opens the config space of <paramref name="device"/> (its <c>SysfsPath/config</c>).</summary>
    /// <param name="device">The device.</param>
    /// <param name="writable">Open for writing too (root only on a real system).</param>
    /// <returns>The open config space; dispose it to close the file.</returns>
    /// <exception cref="FileNotFoundException">The device has no <c>config</c> file (or is gone).</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    /// <exception cref="IOException">The file is a symbolic link, not a regular file, not on sysfs (under <c>/sys</c>), or shorter than the 64-byte header.</exception>
    public static PciConfigSpace Open(PciDeviceInfo device, bool writable = false)
    {
        ArgumentNullException.ThrowIfNull(device);
        return Open(System.IO.Path.Join(device.SysfsPath, "config"), writable);
    }

    /// <summary>Opens a config-space file by path (see <see cref="Open(PciDeviceInfo, bool)"/>).</summary>
    /// <param name="configPath">The sysfs <c>config</c> file.</param>
    /// <param name="writable">Open for writing too.</param>
    /// <returns>The open config space.</returns>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    /// <exception cref="IOException">The file is a symbolic link, not a regular file, not on sysfs (under <c>/sys</c>), or shorter than 64 bytes.</exception>
    public static PciConfigSpace Open(string configPath, bool writable = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(configPath);
        SafeFileHandle file = NativeFile.OpenChecked(configPath, writable ? LibC.O_RDWR : LibC.O_RDONLY, StatKinds.Regular, "PCI config space",
            LinuxErrors.RootOrUdev, noFollow: true, requireSysfs: Sysfs.IsKernelPath(configPath));
        try
        {
            long length = NativeFile.Stat(file, configPath).Size;
            if (length < 64)
            {
                throw new IOException($"PCI config space '{configPath}' is {length} bytes; every PCI device has at least the 64-byte header.");
            }

            return new PciConfigSpace(file, configPath, length, writable);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The command register (offset 4).</summary>
    /// <exception cref="IOException">The read failed or was cut short.</exception>
    public PciCommand Command => (PciCommand)ReadUInt16(CommandOffset);

    /// <summary>Whether the device decodes its memory BARs (command bit 1).</summary>
    /// <exception cref="IOException">The read failed.</exception>
    public bool IsMemoryDecodingEnabled => (Command & PciCommand.MemorySpace) != 0;

    /// <summary>Sets and clears bits of the command register with one 16-bit read and (only if a bit changes) one 16-bit write.</summary>
    /// <param name="set">Bits to set.</param>
    /// <param name="clear">Bits to clear; a bit in both is set.</param>
    /// <returns>The register as written (or as read, if nothing changed).</returns>
    /// <exception cref="InvalidOperationException">Opened read-only.</exception>
    /// <exception cref="IOException">The read or write failed.</exception>
    public PciCommand UpdateCommand(PciCommand set, PciCommand clear)
    {
        PciCommand old = Command;
        PciCommand updated = (old & ~clear) | set;
        if (updated != old)
        {
            WriteUInt16(CommandOffset, (ushort)updated);
        }

        return updated;
    }

    /// <summary>Reads one byte at <paramref name="offset"/> bytes.</summary>
    /// <param name="offset">Offset in bytes; 0 to <see cref="Length"/> − 1.</param>
    /// <returns>The byte.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The offset is outside the config space.</exception>
    /// <exception cref="IOException">The read failed or was cut short (without root only the first 64 bytes are readable).</exception>
    public byte ReadByte([IoOffset(1)] int offset)
    {
        Span<byte> b = stackalloc byte[1];
        ReadExact(offset, b);
        return b[0];
    }

    /// <summary>Reads 16 bits (little-endian) at <paramref name="offset"/> bytes, as one 16-bit config cycle.</summary>
    /// <param name="offset">Offset in bytes; a multiple of 2 within <see cref="Length"/>.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The offset is misaligned or the access reaches past the config space.</exception>
    /// <exception cref="IOException">The read failed or was cut short.</exception>
    public ushort ReadUInt16([IoOffset(2)] int offset)
    {
        Span<byte> b = stackalloc byte[2];
        ReadExact(offset, b);
        return BinaryPrimitives.ReadUInt16LittleEndian(b);
    }

    /// <summary>Reads 32 bits (little-endian) at <paramref name="offset"/> bytes, as one 32-bit config cycle.</summary>
    /// <param name="offset">Offset in bytes; a multiple of 4 within <see cref="Length"/>.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The offset is misaligned or the access reaches past the config space.</exception>
    /// <exception cref="IOException">The read failed or was cut short.</exception>
    public uint ReadUInt32([IoOffset(4)] int offset)
    {
        Span<byte> b = stackalloc byte[4];
        ReadExact(offset, b);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    /// <summary>Writes one byte at <paramref name="offset"/> bytes.</summary>
    /// <param name="offset">Offset in bytes within <see cref="Length"/>.</param>
    /// <param name="value">The byte.</param>
    /// <exception cref="ArgumentOutOfRangeException">The offset is outside the config space.</exception>
    /// <exception cref="InvalidOperationException">Opened read-only.</exception>
    /// <exception cref="IOException">The write failed or was cut short.</exception>
    public void WriteByte([IoOffset(1)] int offset, byte value) => WriteExact(offset, [value]);

    /// <summary>Writes 16 bits (little-endian) at <paramref name="offset"/> bytes, as one 16-bit config cycle.</summary>
    /// <param name="offset">Offset in bytes; a multiple of 2 within <see cref="Length"/>.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentOutOfRangeException">The offset is misaligned or the access reaches past the config space.</exception>
    /// <exception cref="InvalidOperationException">Opened read-only.</exception>
    /// <exception cref="IOException">The write failed or was cut short.</exception>
    public void WriteUInt16([IoOffset(2)] int offset, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        WriteExact(offset, b);
    }

    /// <summary>Writes 32 bits (little-endian) at <paramref name="offset"/> bytes, as one 32-bit config cycle.</summary>
    /// <param name="offset">Offset in bytes; a multiple of 4 within <see cref="Length"/>.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentOutOfRangeException">The offset is misaligned or the access reaches past the config space.</exception>
    /// <exception cref="InvalidOperationException">Opened read-only.</exception>
    /// <exception cref="IOException">The write failed or was cut short.</exception>
    public void WriteUInt32([IoOffset(4)] int offset, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        WriteExact(offset, b);
    }

    /// <summary>Closes the file. Idempotent.</summary>
    public void Dispose() => _file.Dispose();

    private void Check(int offset, int width)
    {
        ObjectDisposedException.ThrowIf(_file.IsClosed, this);
        if (offset < 0 || offset > Length - width)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset,
                $"A {width}-byte access at config offset 0x{offset:x} of '{Path}' is outside its {Length} bytes (0x0..0x{Length - 1:x}).");
        }

        if (offset % width != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset,
                $"A {width}-byte config access at offset 0x{offset:x} of '{Path}' is misaligned: it must be a multiple of {width}.");
        }
    }

    private void ReadExact(int offset, Span<byte> buffer)
    {
        Check(offset, buffer.Length);
        // One pread of exactly the width (the kernel turns an aligned 1/2/4-byte read into one config cycle of that
        // width); another only for what a short read left, which then ends the read.
        int read = NativeFile.ReadExactly(_file, offset, buffer, out int errno);
        if (read != buffer.Length)
        {
            throw new IOException(errno != 0
                ? $"Reading {buffer.Length} bytes at config offset 0x{offset:x} of '{Path}' failed: {LibC.Describe(errno)}."
                : $"Reading {buffer.Length} bytes at config offset 0x{offset:x} of '{Path}' returned {read}: without root the kernel lets only the first 64 bytes be read.");
        }
    }

    private void WriteExact(int offset, ReadOnlySpan<byte> buffer)
    {
        Check(offset, buffer.Length);
        if (!IsWritable)
        {
            throw new InvalidOperationException($"PCI config space '{Path}' was opened read-only; open it writable to write at offset 0x{offset:x}.");
        }

        // One pwrite of exactly the width (one config cycle); a short or failed write is an error, never ignored.
        int written = NativeFile.WriteExactly(_file, offset, buffer, out int errno);
        if (written != buffer.Length)
        {
            throw new IOException(
                $"Writing {buffer.Length} bytes at config offset 0x{offset:x} of '{Path}' wrote {written}: {(errno != 0 ? LibC.Describe(errno) : "the kernel accepted no more")}.");
        }
    }
}
