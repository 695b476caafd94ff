using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux;

/// <summary>Maps a range of physical addresses through <c>/dev/mem</c>.</summary>
/// <remarks>
/// <para><c>/dev/mem</c> maps whole pages; the library maps the pages that enclose the range and the map starts
/// exactly at the physical address asked for and is exactly as long as asked, so no access can reach the
/// neighbouring bytes of those pages.</para>
/// <para>The kernel cannot tell the library how large the device behind a physical address is: mapping a range
/// that no device decodes gives all-ones reads on x86 and may raise an external abort on arm64. Take the range from
/// the device's documentation or <c>/proc/iomem</c>.</para>
/// </remarks>
public static class PhysicalMemory
{
    private const string PermissionHint =
        "/dev/mem needs root (CAP_SYS_RAWIO); a kernel built with STRICT_DEVMEM or in lockdown refuses RAM and ranges claimed by drivers " +
        "(boot with iomem=relaxed, or use the device's sysfs resource file or a UIO driver instead)";

    /// <summary>Maps <paramref name="length"/> bytes of physical memory starting at <paramref name="physicalAddress"/>.</summary>
    /// <param name="physicalAddress">Physical start address; need not be page aligned.</param>
    /// <param name="length">Length in bytes; at least 1.</param>
    /// <param name="options">Read-only, space and device path. Default: read-write I/O memory through <c>/dev/mem</c>
    /// (opened with <c>O_SYNC</c>, so the mapping is uncached).</param>
    /// <returns>A map of <paramref name="length"/> bytes whose offset 0 is <paramref name="physicalAddress"/>, owning the mapping.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is not positive, the range overflows, or it lies past the end of a regular file.</exception>
    /// <exception cref="FileNotFoundException">The device does not exist (a kernel without <c>CONFIG_DEVMEM</c>).</exception>
    /// <exception cref="UnauthorizedAccessException">Not root, or the kernel refuses the range (STRICT_DEVMEM, lockdown).</exception>
    /// <exception cref="IOException">The device path is neither a character device nor a regular file (a FIFO, a directory...), or the kernel refused the mapping for another reason.</exception>
    public static IoSysMap Open(ulong physicalAddress, long length, PhysicalMemoryOptions? options = null)
    {
        options ??= new PhysicalMemoryOptions();
        string path = options.DevicePath;
        ArgumentException.ThrowIfNullOrEmpty(path, nameof(options.DevicePath));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ulong pageSize = (ulong)Environment.SystemPageSize;
        ulong pageStart = physicalAddress & ~(pageSize - 1);
        long start = (long)(physicalAddress - pageStart);
        if (physicalAddress > long.MaxValue || (ulong)length > long.MaxValue - physicalAddress)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length,
                $"Cannot map {length} bytes at physical address {LinuxErrors.Hex(physicalAddress)} of '{path}': the range goes past the largest mappable offset.");
        }

        bool readOnly = options.ReadOnly || options.MapOptions?.ReadOnly == true;
        IoMapOptions mapOptions = NativeFile.Resolve(options.MapOptions, options.Space, IoSpace.IoMemory, readOnly);
        int flags = (readOnly ? LibC.O_RDONLY : LibC.O_RDWR) | LibC.O_SYNC;
        using SafeFileHandle file = NativeFile.OpenChecked(path, flags, StatKinds.CharacterDevice | StatKinds.Regular, "physical memory device", PermissionHint);

        // A character device (/dev/mem) has no size to check; a regular file (fixture, dump) has one, and must hold
        // the range: its kind decides, never its size (an empty file is not a device).
        FileStatus status = NativeFile.Stat(file, path);
        if (status.Kind == FileKind.Regular && (long)physicalAddress + length > status.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length,
                $"Cannot map {length} bytes at {LinuxErrors.Hex(physicalAddress)} of '{path}': it is a regular file of only {status.Size} bytes, " +
                $"so the range would reach {(long)physicalAddress + length - status.Size} bytes past its end.");
        }

        MmapRegion region = MmapRegion.Map(file, path, (long)pageStart, start, length, !readOnly, PermissionHint,
            StatKinds.CharacterDevice | StatKinds.Regular, "physical memory device");
        return region.CreateMap(mapOptions, $"{path} at {LinuxErrors.Hex(physicalAddress)}");
    }
}
