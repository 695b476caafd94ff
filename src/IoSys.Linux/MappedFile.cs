using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux;

/// <summary>
/// Maps a regular file (or a file on tmpfs, hugetlbfs, a sysfs resource file...) into memory as an
/// <see cref="IoSysMap"/>, shared: writes reach the file, and other processes mapping it see them.
/// </summary>
/// <remarks>
/// The range is checked against the file's size before mapping, so no access through the map can fault,
/// unless another process truncates the file while it is mapped: that one fault (SIGBUS) no library can prevent.
/// </remarks>
public static class MappedFile
{
    private const string PermissionHint = "check the file's permissions and owner";

    /// <summary>Maps the file at <paramref name="path"/>.</summary>
    /// <param name="path">Path of the file.</param>
    /// <param name="options">Creation, range, read-only and space. Default: the whole existing file, read-write, system memory.</param>
    /// <returns>A map of the requested size in bytes that owns the mapping: disposing it unmaps the file.</returns>
    /// <exception cref="ArgumentException">The path is empty, or the options contradict each other (Create without Size, Create with ReadOnly), or the map options are inconsistent.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Offset or Size is negative or zero-sized, or the range lies past the end of the file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist and Create is false.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    /// <exception cref="IOException">The file is empty, not a regular file (a FIFO, a device, a directory), not mappable, or another I/O error occurred.
    /// When this call created or extended the file and then fails, it removes the file again or gives back its old size.</exception>
    public static IoSysMap Open(string path, MappedFileOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new MappedFileOptions();
        bool readOnly = options.ReadOnly || options.MapOptions?.ReadOnly == true;
        if (options.Create && options.Size is null)
        {
            throw new ArgumentException($"Creating '{path}' needs a Size: the number of bytes to map.", nameof(options));
        }

        if (options.Create && readOnly)
        {
            throw new ArgumentException($"Cannot create '{path}' read-only: a file created for mapping is meant to be written.", nameof(options));
        }

        // Check the arguments before open: a refused request must not create the file.
        ValidateRange(path, options.Offset, options.Size);
        IoMapOptions mapOptions = NativeFile.Resolve(options.MapOptions, options.Space, IoSpace.SystemMemory, readOnly);
        int flags = readOnly ? LibC.O_RDONLY : LibC.O_RDWR;
        return OpenAndMap(path, flags, options.Create, noFollow: false, mode: 0x1b6 /* 0666 */, options.Offset, options.Size, readOnly, mapOptions, "file",
            PermissionHint, path);
    }

    /// <summary>
    /// Opens (or creates) a regular file and maps it: on any failure, removes the file if this call created it and
    /// gives back its old size if this call extended it, so a refused request leaves the file system as it was.
    /// </summary>
    internal static IoSysMap OpenAndMap(string path, int flags, bool create, bool noFollow, int mode, long offset, long? size, bool readOnly,
        IoMapOptions mapOptions, string what, string permissionHint, string description)
    {
        using SafeFileHandle file = NativeFile.OpenOrCreate(path, flags, create, what, permissionHint, noFollow, mode, out bool created);
        long originalLength = NativeFile.Stat(file, path).Size;
        try
        {
            return MapOpenFile(file, path, offset, size, create, readOnly, NativeFile.Described(mapOptions, description), what, permissionHint);
        }
        catch
        {
            if (created)
            {
                NativeFile.RemoveCreated(file, path);
            }
            else if (create && NativeFile.Stat(file, path).Size > originalLength)
            {
                try
                {
                    NativeFile.SetLength(file, originalLength, path);
                }
                catch (IOException)
                {
                    // Best effort; the original failure is the one to report.
                }
            }

            throw;
        }
    }

    /// <summary>
    /// Checks the range against the file's size (extending it when asked) and maps it. Callers have already
    /// checked the range with <see cref="ValidateRange"/> and the options with <see cref="NativeFile.Resolve"/>.
    /// </summary>
    internal static IoSysMap MapOpenFile(SafeFileHandle file, string path, long offset, long? size, bool extend, bool readOnly, IoMapOptions mapOptions,
        string what, string permissionHint)
    {
        long fileLength = NativeFile.Stat(file, path).Size;
        if (extend && size is { } wanted && fileLength < offset + wanted)
        {
            NativeFile.SetLength(file, offset + wanted, path);
            fileLength = offset + wanted;
        }

        long length;
        if (size is { } fixedSize)
        {
            if (offset + fixedSize > fileLength)
            {
                throw new ArgumentOutOfRangeException(nameof(size), size,
                    $"Cannot map {fixedSize} bytes at offset {offset} of {what} '{path}': it is only {fileLength} bytes long, so the map would reach " +
                    $"{offset + fixedSize - fileLength} bytes past its end (an access there would fault). Map less, or create/extend it.");
            }

            length = fixedSize;
        }
        else if (fileLength == 0)
        {
            throw new IOException($"Cannot map {what} '{path}': it is empty (0 bytes), so there is nothing to map. Give a Size with Create to extend it.");
        }
        else if (offset >= fileLength)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset,
                $"Cannot map {what} '{path}' from offset {offset}: it is only {fileLength} bytes long.");
        }
        else
        {
            length = fileLength - offset;
        }

        long pageSize = Environment.SystemPageSize;
        long pageOffset = offset / pageSize * pageSize;
        MmapRegion region = MmapRegion.Map(file, path, pageOffset, offset - pageOffset, length, !readOnly, permissionHint, StatKinds.Regular, what);
        return region.CreateMap(mapOptions, path);
    }

    /// <summary>Checks an offset and optional size in bytes, naming the path; the file is not touched.</summary>
    internal static void ValidateRange(string path, long offset, long? size)
    {
        if (offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Cannot map '{path}' at a negative offset ({offset}).");
        }

        if (size is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"Cannot map {size} bytes of '{path}': the size must be at least 1 byte.");
        }

        if (size is { } requested && requested > long.MaxValue - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"Cannot map {requested} bytes at offset {offset} of '{path}': the range overflows.");
        }
    }
}
