using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux;

/// <summary>
/// POSIX shared memory (<c>shm_open</c> names, files in <c>/dev/shm</c>) and anonymous <c>memfd</c> memory,
/// mapped shared as system memory.
/// </summary>
public static class SharedMemory
{
    private const string PermissionHint = "check the object's owner and mode in /dev/shm (it is created 0600, for its creator only)";

    private const string DeletePermissionHint =
        "removing a name needs write access to its directory, and in a sticky directory such as /dev/shm only the object's owner (or root) may remove it";

    /// <summary>Maps the POSIX shared-memory object <paramref name="name"/>, as <c>shm_open</c> + <c>mmap</c> would.</summary>
    /// <param name="name">The object's name, with or without the leading '/': "iosys-demo" or "/iosys-demo". No other '/'.</param>
    /// <param name="options">Creation, size, read-only and space. Default: the whole existing object, read-write.</param>
    /// <returns>A map of the object's size (or <see cref="SharedMemoryOptions.Size"/>) in bytes that owns the mapping.</returns>
    /// <exception cref="ArgumentException">The name is empty, ".", "..", or contains '/' after its first character; or the options contradict each other.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Size is not positive, or is larger than the existing object.</exception>
    /// <exception cref="FileNotFoundException">The object does not exist and Create is false.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    /// <exception cref="IOException">The object is empty, or another I/O error occurred.</exception>
    public static IoSysMap Open(string name, SharedMemoryOptions? options = null)
    {
        options ??= new SharedMemoryOptions();
        string path = PathOf(name, options.Directory);
        bool readOnly = options.ReadOnly || options.MapOptions?.ReadOnly == true;
        if (options.Create && options.Size is null)
        {
            throw new ArgumentException($"Creating shared memory '{name}' needs a Size: the number of bytes to map.", nameof(options));
        }

        if (options.Create && readOnly)
        {
            throw new ArgumentException($"Cannot create shared memory '{name}' read-only.", nameof(options));
        }

        MappedFile.ValidateRange(path, 0, options.Size);
        IoMapOptions mapOptions = NativeFile.Resolve(options.MapOptions, options.Space, IoSpace.SystemMemory, readOnly);
        int flags = readOnly ? LibC.O_RDONLY : LibC.O_RDWR;
        // O_NOFOLLOW as glibc's shm_open: /dev/shm is world-writable, so a planted symbolic link must not redirect us.
        return MappedFile.OpenAndMap(path, flags, options.Create, noFollow: true, mode: 0x180 /* 0600 */, 0, options.Size, readOnly, mapOptions,
            "shared memory", PermissionHint, $"shm:/{name.TrimStart('/')}");
    }

    /// <summary>Removes the name of a POSIX shared-memory object (<c>shm_unlink</c>); maps already open stay valid.</summary>
    /// <param name="name">The object's name, as for <see cref="Open"/>.</param>
    /// <param name="directory">Where POSIX shared memory lives. Default: <c>/dev/shm</c>.</param>
    /// <returns>True if the name was removed; false if it did not exist.</returns>
    /// <exception cref="ArgumentException">The name is not a valid shared-memory name.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    /// <exception cref="IOException">Another error occurred.</exception>
    public static bool Delete(string name, string directory = "/dev/shm")
    {
        string path = PathOf(name, directory);
        if (LibC.Unlink(path) == 0)
        {
            return true;
        }

        int errno = LibC.LastError;
        if (errno == LibC.ENOENT)
        {
            return false;
        }

        throw LinuxErrors.ForDelete(path, errno, "shared memory", DeletePermissionHint);
    }

    /// <summary>
    /// Creates <paramref name="size"/> bytes of anonymous, zeroed shared memory with <c>memfd_create</c>: memory
    /// backed by no file system path, freed when the map is disposed and unreachable. The memfd is sealed against
    /// shrinking (<c>F_SEAL_SHRINK</c>), so it cannot be truncated under the map.
    /// </summary>
    /// <param name="size">Size in bytes; at least 1.</param>
    /// <param name="name">A name for diagnostics (shown as <c>/memfd:NAME</c> in <c>/proc/PID/maps</c>). Default: "iosys".</param>
    /// <returns>A read-write system-memory map of <paramref name="size"/> bytes that owns the memory.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    /// <exception cref="IOException">The kernel refused the memfd or its size.</exception>
    public static IoSysMap CreateAnonymous(long size, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        name ??= "iosys";
        using SafeFileHandle file = CreateSealedMemfd(size, name);
        MmapRegion region = MmapRegion.Map(file, $"memfd:{name}", 0, 0, size, writable: true, PermissionHint, StatKinds.Regular, "anonymous shared memory");
        return region.CreateMap(IoMapOptions.SystemMemory, $"memfd:{name}");
    }

    /// <summary>
    /// A memfd of <paramref name="size"/> bytes sealed against shrinking (<c>F_SEAL_SHRINK</c>): no one holding
    /// the descriptor, in this process or another it is passed to, can truncate it under the mapping, so no
    /// access through the map can fault with SIGBUS.
    /// </summary>
    internal static SafeFileHandle CreateSealedMemfd(long size, string name)
    {
        int fd = LibC.MemfdCreate(name, LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        if (fd < 0)
        {
            throw new IOException($"Cannot create anonymous shared memory (memfd '{name}'): {LibC.Describe(LibC.LastError)}.");
        }

        var file = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            string path = $"memfd:{name}";
            NativeFile.SetLength(file, size, path);
            if (LibC.Fcntl(fd, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK) != 0)
            {
                throw new IOException($"Cannot seal anonymous shared memory '{path}' against shrinking: {LibC.Describe(LibC.LastError)}.");
            }

            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static string PathOf(string name, string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string bare = name.StartsWith('/') ? name[1..] : name;
        if (bare.Length == 0 || bare is "." or ".." || bare.Contains('/') || bare.Contains('\0'))
        {
            throw new ArgumentException(
                $"'{name}' is not a POSIX shared-memory name: use one path component, optionally after a leading '/', e.g. \"/iosys-demo\".", nameof(name));
        }

        return Path.Join(directory, bare);
    }
}
