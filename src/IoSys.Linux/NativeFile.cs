using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux;

/// <summary>What kind of file a path names, as <c>statx</c> reports it.</summary>
internal enum StatKind
{
    Other = 0,
    Regular,
    CharacterDevice,
    BlockDevice,
    Directory,
    Fifo,
    Socket,
    SymbolicLink,
}

/// <summary>The kinds of file a target accepts.</summary>
[Flags]
internal enum StatKinds
{
    None = 0,
    Regular = 1,
    CharacterDevice = 2,
    Fifo = 4,

    /// <summary>
    /// A descriptor the kernel handed out rather than one opened by path (a VFIO device descriptor, an anonymous
    /// inode): any kind, and no size check, since its size is not a file size and no other process can truncate it.
    /// </summary>
    KernelDescriptor = 8,
}

/// <summary>What <c>statx</c> says about an open file: kind, size in bytes (0 for devices), inode and device.</summary>
internal readonly record struct StatInfo(StatKind Kind, long Size, ulong Inode, uint DevMajor, uint DevMinor)
{
    public bool SameFileAs(StatInfo other) => Inode == other.Inode && DevMajor == other.DevMajor && DevMinor == other.DevMinor;
}

/// <summary>
/// Opening files and devices by path with errors that name the path and what to do; and the one place where the
/// kind and size of every file are checked before it is read or mapped.
/// </summary>
internal static class NativeFile
{
    /// <summary>
    /// Opens <paramref name="path"/> and checks its kind before anything reads, writes or maps it. Always
    /// non-blocking (opening a FIFO must not wait for a writer); <paramref name="noFollow"/> refuses a symbolic link
    /// as the last component; <paramref name="requireSysfs"/> refuses a file that does not live on sysfs.
    /// </summary>
    /// <exception cref="IOException">The file is of a kind not in <paramref name="allowed"/>, a symbolic link when
    /// <paramref name="noFollow"/>, or not on sysfs when <paramref name="requireSysfs"/>.</exception>
    public static SafeFileHandle OpenChecked(string path, int flags, StatKinds allowed, string what, string permissionHint,
        bool noFollow = false, bool requireSysfs = false, int mode = 0)
    {
        int fd = LibC.Open(path, flags | LibC.O_CLOEXEC | LibC.O_NONBLOCK | (noFollow ? LibC.O_NOFOLLOW : 0), mode);
        if (fd < 0)
        {
            throw OpenError(path, LibC.LastError, what, permissionHint, noFollow);
        }

        return CheckOpened(new SafeFileHandle(fd, ownsHandle: true), path, allowed, what, requireSysfs);
    }

    /// <summary>
    /// Opens a regular file for mapping, creating it when <paramref name="create"/> and it does not exist; says
    /// whether this call created it, so that a later failure can remove it (and only it).
    /// </summary>
    public static SafeFileHandle OpenOrCreate(string path, int flags, bool create, string what, string permissionHint, bool noFollow, int mode,
        out bool created)
    {
        int extra = LibC.O_CLOEXEC | LibC.O_NONBLOCK | (noFollow ? LibC.O_NOFOLLOW : 0);
        // Two rounds: the file may be removed between a failed exclusive create and the plain open.
        for (int attempt = 0; create && attempt < 2; attempt++)
        {
            int fd = LibC.Open(path, flags | extra | LibC.O_CREAT | LibC.O_EXCL, mode);
            if (fd >= 0)
            {
                created = true;
                return CheckOpened(new SafeFileHandle(fd, ownsHandle: true), path, StatKinds.Regular, what, requireSysfs: false);
            }

            int errno = LibC.LastError;
            if (errno != LibC.EEXIST)
            {
                throw OpenError(path, errno, what, permissionHint, noFollow);
            }

            fd = LibC.Open(path, flags | extra, 0);
            if (fd >= 0)
            {
                created = false;
                return CheckOpened(new SafeFileHandle(fd, ownsHandle: true), path, StatKinds.Regular, what, requireSysfs: false);
            }

            errno = LibC.LastError;
            if (errno != LibC.ENOENT)
            {
                throw OpenError(path, errno, what, permissionHint, noFollow);
            }
        }

        created = false;
        return OpenChecked(path, flags, StatKinds.Regular, what, permissionHint, noFollow);
    }

    /// <summary>
    /// Removes <paramref name="path"/> if it still names the file open as <paramref name="file"/> (which this call
    /// created); never a file that replaced it in the meantime. Best effort: the caller is already failing.
    /// </summary>
    public static void RemoveCreated(SafeFileHandle file, string path)
    {
        try
        {
            if (StatPath(path) is { } now && now.SameFileAs(Stat(file, path)))
            {
                _ = LibC.Unlink(path);
            }
        }
        catch (IOException)
        {
            // The original failure is the one to report.
        }
    }

    private static SafeFileHandle CheckOpened(SafeFileHandle file, string path, StatKinds allowed, string what, bool requireSysfs)
    {
        try
        {
            StatInfo status = Stat(file, path);
            if (!Allows(allowed, status.Kind))
            {
                throw new IOException($"Cannot use {what} '{path}': it is {Describe(status.Kind)}, but {Expected(allowed)} is needed here.");
            }

            if (requireSysfs && !IsOnSysfs(file, path))
            {
                throw new IOException(
                    $"Cannot use {what} '{path}': it does not live on sysfs (its file system is not sysfs), so it is not the kernel's file; " +
                    "only an explicitly given test root may hold other files.");
            }

            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static Exception OpenError(string path, int errno, string what, string permissionHint, bool noFollow) =>
        errno == LibC.ELOOP && noFollow
            ? new IOException($"Cannot open {what} '{path}': it is a symbolic link, which is not followed here (the kernel's file never is one).")
            : LinuxErrors.ForOpen(path, errno, what, permissionHint);

    /// <summary>
    /// The one check before every mapping: the file is of an allowed kind and, when it is a regular file (whose
    /// pages past the end fault with SIGBUS), at least <paramref name="end"/> bytes long.
    /// </summary>
    /// <exception cref="IOException">The kind is not allowed, or the regular file is shorter than <paramref name="end"/> bytes.</exception>
    public static StatInfo CheckMappable(SafeFileHandle file, string path, StatKinds allowed, long end, string what)
    {
        StatInfo status = Stat(file, path);
        if (!Allows(allowed, status.Kind))
        {
            throw new IOException($"Cannot map {what} '{path}': it is {Describe(status.Kind)}, but {Expected(allowed)} is needed here.");
        }

        if ((allowed & StatKinds.KernelDescriptor) == 0 && status.Kind == StatKind.Regular && status.Size < end)
        {
            throw new IOException(
                $"Cannot map {what} '{path}': it is a regular file of {status.Size} bytes (0x{status.Size:x}), but the map needs {end} bytes (0x{end:x}); " +
                "refusing to map pages past its end, where an access would fault.");
        }

        return status;
    }

    /// <summary>Kind, size, inode and device of an open file (<c>statx</c> on the descriptor).</summary>
    public static unsafe StatInfo Stat(SafeFileHandle file, string path)
    {
        bool added = false;
        LibC.Statx buffer = default;
        try
        {
            file.DangerousAddRef(ref added);
            // SAFETY: buffer is a 256-byte local, the size of struct statx, which is all the kernel writes.
            if (LibC.StatxCall((int)file.DangerousGetHandle(), "", LibC.AT_EMPTY_PATH,
                    LibC.STATX_TYPE | LibC.STATX_MODE | LibC.STATX_SIZE | LibC.STATX_INO, &buffer) != 0)
            {
                throw new IOException($"Cannot get the kind and size of '{path}': {LibC.Describe(LibC.LastError)}.");
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }

        return ToStatus(buffer, path);
    }

    /// <summary>Kind, inode and device of the file a path names now, without following a final symbolic link; null if it does not exist.</summary>
    public static unsafe StatInfo? StatPath(string path)
    {
        LibC.Statx buffer = default;
        // SAFETY: as in Stat.
        if (LibC.StatxCall(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_TYPE | LibC.STATX_SIZE | LibC.STATX_INO, &buffer) != 0)
        {
            return null;
        }

        return ToStatus(buffer, path);
    }

    /// <summary>Whether the open file lives on sysfs (<c>fstatfs</c> type <c>SYSFS_MAGIC</c>).</summary>
    public static unsafe bool IsOnSysfs(SafeFileHandle file, string path)
    {
        bool added = false;
        long* buffer = stackalloc long[32];
        try
        {
            file.DangerousAddRef(ref added);
            // SAFETY: buffer is 256 bytes, more than struct statfs (120 bytes on x86-64 and arm64); f_type is its first long.
            if (LibC.FStatFs((int)file.DangerousGetHandle(), buffer) != 0)
            {
                throw new IOException($"Cannot tell which file system '{path}' is on: {LibC.Describe(LibC.LastError)}.");
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }

        return buffer[0] == LibC.SYSFS_MAGIC;
    }

    /// <summary>Whether <paramref name="path"/> lies under <paramref name="root"/> (e.g. <c>/sys</c>), after making it absolute.</summary>
    public static bool IsUnder(string path, string root)
    {
        string full = Path.GetFullPath(path);
        return full == root || full.StartsWith(root + "/", StringComparison.Ordinal);
    }

    private static StatInfo ToStatus(in LibC.Statx s, string path)
    {
        if ((s.Mask & LibC.STATX_TYPE) == 0)
        {
            throw new IOException($"Cannot get the kind of '{path}': the file system does not report it.");
        }

        StatKind kind = (s.Mode & LibC.S_IFMT) switch
        {
            LibC.S_IFREG => StatKind.Regular,
            LibC.S_IFCHR => StatKind.CharacterDevice,
            LibC.S_IFBLK => StatKind.BlockDevice,
            LibC.S_IFDIR => StatKind.Directory,
            LibC.S_IFIFO => StatKind.Fifo,
            LibC.S_IFSOCK => StatKind.Socket,
            LibC.S_IFLNK => StatKind.SymbolicLink,
            _ => StatKind.Other,
        };
        long size = s.Size > long.MaxValue ? long.MaxValue : (long)s.Size;
        return new StatInfo(kind, size, s.Inode, s.DevMajor, s.DevMinor);
    }

    private static bool Allows(StatKinds allowed, StatKind kind) => (allowed & StatKinds.KernelDescriptor) != 0 || kind switch
    {
        StatKind.Regular => (allowed & StatKinds.Regular) != 0,
        StatKind.CharacterDevice => (allowed & StatKinds.CharacterDevice) != 0,
        StatKind.Fifo => (allowed & StatKinds.Fifo) != 0,
        _ => false,
    };

    private static string Describe(StatKind kind) => kind switch
    {
        StatKind.Regular => "a regular file",
        StatKind.CharacterDevice => "a character device",
        StatKind.BlockDevice => "a block device",
        StatKind.Directory => "a directory",
        StatKind.Fifo => "a FIFO (named pipe)",
        StatKind.Socket => "a socket",
        StatKind.SymbolicLink => "a symbolic link",
        _ => "a file of unknown kind",
    };

    private static string Expected(StatKinds allowed)
    {
        var names = new List<string>(3);
        if ((allowed & StatKinds.Regular) != 0)
        {
            names.Add("a regular file");
        }

        if ((allowed & StatKinds.CharacterDevice) != 0)
        {
            names.Add("a character device");
        }

        if ((allowed & StatKinds.Fifo) != 0)
        {
            names.Add("a FIFO");
        }

        return names.Count == 0 ? "nothing" : string.Join(" or ", names);
    }

    /// <summary>Sets the file's size with <c>ftruncate</c> (extending fills with zeros).</summary>
    public static void SetLength(SafeFileHandle file, long length, string path)
    {
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            if (LibC.FTruncate((int)file.DangerousGetHandle(), length) != 0)
            {
                int errno = LibC.LastError;
                throw new IOException($"Cannot set the size of '{path}' to {length} bytes: {LibC.Describe(errno)}.");
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// The options a map gets: the caller's (widths, rules) with the space defaulted per target and read-only
    /// forced when the mapping is read-only, so writes throw instead of faulting. Validated here, before anything
    /// is opened, so that inconsistent options throw <see cref="ArgumentException"/> without creating or
    /// extending a file.
    /// </summary>
    public static IoMapOptions Resolve(IoMapOptions? mapOptions, IoSpace? space, IoSpace defaultSpace, bool readOnly)
    {
        IoMapOptions options = mapOptions ?? (defaultSpace == IoSpace.IoMemory ? IoMapOptions.IoMemory : IoMapOptions.SystemMemory);
        if (space is { } s && s != options.Space)
        {
            options = options with { Space = s };
        }

        options = readOnly ? options.AsReadOnly() : options;
        options.Validate();
        return options;
    }
}
