using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux.Vfio;

/// <summary>
/// A VFIO region reached through <c>pread</c>/<c>pwrite</c> on the device descriptor: one system call of exactly
/// the access's width per access (vfio-pci turns an aligned 1/2/4/8-byte access into one device access of that
/// width). Used for config space, the ROM, and BARs the kernel does not let be mmapped. The map in front of it
/// has already checked range, alignment and width.
/// </summary>
internal sealed class VfioRegionIo : IoBackend
{
    private readonly SafeFileHandle _device;
    private readonly long _regionOffset;
    private readonly string _name;

    public VfioRegionIo(SafeFileHandle device, ulong regionOffset, string name)
    {
        if (regionOffset > long.MaxValue)
        {
            throw new VfioException($"{name}: region offset 0x{regionOffset:x} is beyond the largest file offset.");
        }

        _device = device;
        _regionOffset = (long)regionOffset;
        _name = name;
    }

    protected override ulong Read(long offset, int width)
    {
        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        Transfer(offset, bytes[..width], write: false);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    protected override void Write(long offset, int width, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        Transfer(offset, bytes[..width], write: true);
    }

    private unsafe void Transfer(long offset, Span<byte> bytes, bool write)
    {
        bool added = false;
        try
        {
            _device.DangerousAddRef(ref added);
            int fd = (int)_device.DangerousGetHandle();
            nint n;
            int errno;
            do
            {
                fixed (byte* p = bytes)
                {
                    // SAFETY: p points to the pinned span of exactly bytes.Length (the width); pread writes and
                    // pwrite reads at most that many bytes.
                    n = write
                        ? LibC.PWrite(fd, p, (nuint)bytes.Length, _regionOffset + offset)
                        : LibC.PRead(fd, p, (nuint)bytes.Length, _regionOffset + offset);
                }

                errno = n < 0 ? LibC.LastError : 0;
            }
            while (n < 0 && errno == LibC.EINTR);

            if (n != bytes.Length)
            {
                string why = n < 0 ? LibC.Describe(errno) : $"it moved {n} bytes";
                throw new IOException(
                    $"{(write ? "Writing" : "Reading")} {bytes.Length} bytes at offset 0x{offset:x} of {_name} failed: {why} (the device may have gone away or refuse that width there).");
            }
        }
        finally
        {
            if (added)
            {
                _device.DangerousRelease();
            }
        }
    }
}
