using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux;

/// <summary>
/// An <c>mmap</c>'d range of a file or device. <see cref="IoMemoryRegion.Address"/> may lie inside the mapping
/// (e.g. <c>/dev/mem</c> at an address that is not page aligned); <see cref="Retire"/> and <see cref="Release"/>
/// always cover the whole page-aligned mapping, exactly as it was mapped.
/// </summary>
internal sealed class MmapRegion : IoMemoryRegion
{
    private readonly nint _mapping;
    private readonly nuint _mappingLength;
    private int _unmapped;

    private MmapRegion(nint mapping, nuint mappingLength, long start, long length)
        : base(mapping + (nint)start, length)
    {
        _mapping = mapping;
        _mappingLength = mappingLength;
    }

    /// <summary>
    /// Maps <c>[fileOffset, fileOffset + start + length)</c> of <paramref name="file"/>, rounded up to whole pages,
    /// shared; the region is the <paramref name="length"/> bytes from <paramref name="start"/> within the mapping.
    /// The file must be of a kind in <paramref name="allowed"/>, and a regular file must hold the whole range
    /// (<see cref="NativeFile.CheckMappable"/>): every target maps through here, so no target maps unchecked.
    /// </summary>
    public static MmapRegion Map(SafeFileHandle file, string path, long fileOffset, long start, long length, bool writable, string permissionHint,
        StatKinds allowed, string what)
    {
        long pageSize = Environment.SystemPageSize;
        if (length <= 0 || start < 0 || start >= pageSize || fileOffset < 0 || fileOffset % pageSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"Internal error: invalid mapping of '{path}' (offset {fileOffset}, start {start}, length {length}).");
        }

        if (length > long.MaxValue - start - pageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"Cannot map {length} bytes of '{path}': the length is too large for this address space.");
        }

        if (fileOffset > long.MaxValue - start - length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length,
                $"Cannot map {length} bytes at offset 0x{fileOffset + start:x} of '{path}': the range goes past the largest file offset.");
        }

        NativeFile.CheckMappable(file, path, allowed, fileOffset + start + length, what);
        long mappingLength = (start + length + pageSize - 1) / pageSize * pageSize;
        int prot = writable ? LibC.PROT_READ | LibC.PROT_WRITE : LibC.PROT_READ;
        bool added = false;
        nint address;
        int errno;
        try
        {
            file.DangerousAddRef(ref added);
            address = LibC.Mmap(0, (nuint)mappingLength, prot, LibC.MAP_SHARED, (int)file.DangerousGetHandle(), fileOffset);
            errno = LibC.LastError;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }

        if (address == LibC.MAP_FAILED)
        {
            // Name the range the caller asked for, not the page-rounded one actually passed to mmap.
            throw LinuxErrors.ForMmap(path, errno, fileOffset + start, length, writable, permissionHint);
        }

        return new MmapRegion(address, (nuint)mappingLength, start, length);
    }

    /// <summary>
    /// Creates the owning map over this region; if that fails (bad options), unmaps at once instead of waiting
    /// for the finalizer, so a failed open leaves no mapping behind. <paramref name="description"/> names the target in
    /// the map's access errors unless the options already carry one.
    /// </summary>
    public IoSysMap CreateMap(IoMapOptions options, string description)
    {
        try
        {
            return IoSysMap.Create(this, NativeFile.Described(options, description));
        }
        catch
        {
            Unmap();
#pragma warning disable CA1816 // The region is abandoned here, not disposed: its finalizer has nothing left to release.
            GC.SuppressFinalize(this);
#pragma warning restore CA1816
            throw;
        }
    }

    /// <summary>
    /// Drops the file or device: replaces the whole mapping in place with private anonymous memory, atomically,
    /// so a thread that passed its check just before Dispose still touches valid (now meaningless) memory, and the
    /// device or file is no longer referenced.
    /// </summary>
    protected override void Retire()
    {
        if (Volatile.Read(ref _unmapped) != 0)
        {
            return;
        }

        // If this fails (out of memory for page tables), the device stays mapped until Release unmaps it; every
        // map already refuses access, so nothing reaches it through the safe API.
        ReplaceWithAnonymous(_mapping, _mappingLength);
    }

    /// <summary>
    /// Replaces <c>[address, address + length)</c> in place, atomically, with private anonymous memory: whatever was
    /// mapped there (a device, a file, pinned or huge pages) is released at once, and the range stays readable and
    /// writable (meaningless zeros) until it is unmapped, as <see cref="IoMemoryRegion.Retire"/> requires.
    /// MAP_NORESERVE: the replacement is never meant to be used, so it must not count against overcommit.
    /// </summary>
    internal static void ReplaceWithAnonymous(nint address, nuint length) =>
        _ = LibC.Mmap(address, length, LibC.PROT_READ | LibC.PROT_WRITE,
            LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_FIXED | LibC.MAP_NORESERVE, -1, 0);

    /// <summary>Unmaps exactly the range that was mapped, once; runs when no map can reach the region.</summary>
    protected override void Release() => Unmap();

    private void Unmap()
    {
        if (Interlocked.Exchange(ref _unmapped, 1) == 0)
        {
            _ = LibC.Munmap(_mapping, _mappingLength);
        }
    }
}
