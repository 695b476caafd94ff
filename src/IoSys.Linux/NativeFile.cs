using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux;

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

/// <summary>
/// Opening files and devices by path with errors that name the path and what to do; the one place where the
/// kind and size of every file are checked before it is read or mapped; the one <c>statx</c> wrapper
/// (<see cref="FileStatus"/> is its public face); and the one exact-length <c>pread</c>/<c>pwrite</c> loop
/// (<see cref="ReadExactly"/>, <see cref="WriteExactly"/>) that regular files, PCI config space and VFIO regions share.
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
            if (StatPath(path) is { } now && now.IsSameFile(Stat(file, path)))
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
            FileStatus status = Stat(file, path);
            if (!Allows(allowed, status.Kind))
            {
                throw new IOException($"Cannot use {what} '{path}': it is {status.Kind.Describe()}, but {Expected(allowed)} is needed here.");
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
    public static FileStatus CheckMappable(SafeFileHandle file, string path, StatKinds allowed, long end, string what)
    {
        FileStatus status = Stat(file, path);
        if (!Allows(allowed, status.Kind))
        {
            throw new IOException($"Cannot map {what} '{path}': it is {status.Kind.Describe()}, but {Expected(allowed)} is needed here.");
        }

        if ((allowed & StatKinds.KernelDescriptor) == 0 && status.Kind == FileKind.Regular && status.Size < end)
        {
            throw new IOException(
                $"Cannot map {what} '{path}': it is a regular file of {status.Size} bytes (0x{status.Size:x}), but the map needs {end} bytes (0x{end:x}); " +
                "refusing to map pages past its end, where an access would fault.");
        }

        return status;
    }

    /// <summary>Kind, size, mode, inode and device of an open file (<c>statx</c> on the descriptor).</summary>
    /// <exception cref="IOException">statx failed; the message names the path.</exception>
    public static FileStatus Stat(SafeFileHandle file, string path)
    {
        bool added = false;
        int errno;
        FileStatus status;
        try
        {
            file.DangerousAddRef(ref added);
            errno = Statx((int)file.DangerousGetHandle(), "", LibC.AT_EMPTY_PATH, path, out status);
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }

        return errno == 0 ? status : throw new IOException($"Cannot get the kind and size of '{path}': {LibC.Describe(errno)}.");
    }

    /// <summary>Kind, size, inode and device of the file a path names now, without following a final symbolic link; null if it cannot be read.</summary>
    public static FileStatus? StatPath(string path) =>
        Statx(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, path, out FileStatus status) == 0 ? status : null;

    /// <summary>
    /// The status of the file at <paramref name="path"/>, following symbolic links; false when nothing is there
    /// (<c>ENOENT</c>, <c>ENOTDIR</c>).
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">A directory on the way cannot be searched.</exception>
    /// <exception cref="IOException">Another error (a loop of symbolic links, a name too long...).</exception>
    public static bool TryStatPath(string path, out FileStatus status)
    {
        int errno = Statx(LibC.AT_FDCWD, path, 0, path, out status);
        return errno switch
        {
            0 => true,
            LibC.ENOENT or LibC.ENOTDIR => false,
            _ => throw LinuxErrors.ForOpen(path, errno, "file", "check the permissions of its directories"),
        };
    }

    /// <summary>The one <c>statx</c> call: 0 and the status, or the errno.</summary>
    private static unsafe int Statx(int directory, string path, int flags, string shownPath, out FileStatus status)
    {
        LibC.Statx buffer = default;
        int rc;
        int errno = 0;
        do
        {
            // SAFETY: buffer is a 256-byte local, the size of struct statx, which is all the kernel writes.
            rc = LibC.StatxCall(directory, path, flags, LibC.STATX_TYPE | LibC.STATX_MODE | LibC.STATX_SIZE | LibC.STATX_INO, &buffer);
            errno = rc == 0 ? 0 : LibC.LastError;
        }
        while (errno == LibC.EINTR);

        status = errno == 0 ? ToStatus(buffer, shownPath) : default;
        return errno;
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

    // struct statx (linux/stat.h) has the same layout on every architecture.
    private static FileStatus ToStatus(in LibC.Statx s, string path)
    {
        if ((s.Mask & LibC.STATX_TYPE) == 0)
        {
            throw new IOException($"Cannot get the kind of '{path}': the file system does not report it.");
        }

        FileKind kind = (s.Mode & LibC.S_IFMT) switch
        {
            LibC.S_IFREG => FileKind.Regular,
            LibC.S_IFCHR => FileKind.CharacterDevice,
            LibC.S_IFBLK => FileKind.BlockDevice,
            LibC.S_IFDIR => FileKind.Directory,
            LibC.S_IFIFO => FileKind.Fifo,
            LibC.S_IFSOCK => FileKind.Socket,
            LibC.S_IFLNK => FileKind.SymbolicLink,
            _ => FileKind.Unknown,
        };
        long size = s.Size > long.MaxValue ? long.MaxValue : (long)s.Size;
        return new FileStatus(kind, size, ((ulong)s.DevMajor << 32) | s.DevMinor, s.Inode, (UnixFileMode)(s.Mode & 0xfff));
    }

    private static bool Allows(StatKinds allowed, FileKind kind) => (allowed & StatKinds.KernelDescriptor) != 0 || kind switch
    {
        FileKind.Regular => (allowed & StatKinds.Regular) != 0,
        FileKind.CharacterDevice => (allowed & StatKinds.CharacterDevice) != 0,
        FileKind.Fifo => (allowed & StatKinds.Fifo) != 0,
        _ => false,
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
    /// Reads exactly <c>buffer.Length</c> bytes at <paramref name="offset"/> bytes into the file with <c>pread</c>,
    /// continuing after a short read and retrying on <c>EINTR</c>: the one exact-length read loop (regular files,
    /// PCI config space, VFIO regions). Each call asks for all that is left, so an aligned 1/2/4/8-byte read of a
    /// device file is one access of that width. Throws nothing for I/O errors: the caller words them.
    /// </summary>
    /// <param name="file">An open descriptor.</param>
    /// <param name="offset">Offset in bytes; 0 or more.</param>
    /// <param name="buffer">Where the bytes go.</param>
    /// <param name="errno">0, or the error of the read that failed.</param>
    /// <returns>The bytes read: <c>buffer.Length</c>, or fewer when the file ended first (<paramref name="errno"/> 0)
    /// or a read failed.</returns>
    /// <exception cref="ObjectDisposedException">The descriptor is closed.</exception>
    public static int ReadExactly(SafeFileHandle file, long offset, Span<byte> buffer, out int errno) =>
        Transfer(file, offset, buffer, write: false, out errno);

    /// <summary>
    /// Writes all of <paramref name="buffer"/> at <paramref name="offset"/> bytes into the file with <c>pwrite</c>,
    /// continuing after a short write and retrying on <c>EINTR</c>: the one exact-length write loop (see
    /// <see cref="ReadExactly"/>).
    /// </summary>
    /// <param name="file">An open descriptor.</param>
    /// <param name="offset">Offset in bytes; 0 or more.</param>
    /// <param name="buffer">The bytes.</param>
    /// <param name="errno">0, or the error of the write that failed.</param>
    /// <returns>The bytes written: <c>buffer.Length</c>, or fewer when a write wrote nothing (<paramref name="errno"/>
    /// 0) or failed.</returns>
    /// <exception cref="ObjectDisposedException">The descriptor is closed.</exception>
    public static int WriteExactly(SafeFileHandle file, long offset, ReadOnlySpan<byte> buffer, out int errno) =>
        Transfer(file, offset, MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(buffer), buffer.Length), write: true, out errno);

    private static unsafe int Transfer(SafeFileHandle file, long offset, Span<byte> buffer, bool write, out int errno)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, long.MaxValue - buffer.Length);
        ObjectDisposedException.ThrowIf(file.IsClosed, file);
        bool added = false;
        int done = 0;
        errno = 0;
        try
        {
            file.DangerousAddRef(ref added);
            int fd = (int)file.DangerousGetHandle();
            while (done < buffer.Length)
            {
                nint n;
                // SAFETY: the span is pinned for the call, and pread/pwrite touch at most the length passed, which is
                // what is left of the span. A write only reads from it (the span was made from a read-only one).
                fixed (byte* p = buffer[done..])
                {
                    n = write
                        ? LibC.PWrite(fd, p, (nuint)(buffer.Length - done), offset + done)
                        : LibC.PRead(fd, p, (nuint)(buffer.Length - done), offset + done);
                }

                if (n > 0)
                {
                    done += (int)n;
                }
                else if (n == 0)
                {
                    break; // End of file (read), or nothing written: the caller reports the short count.
                }
                else if (LibC.LastError is int error && error != LibC.EINTR)
                {
                    errno = error;
                    break;
                }
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }

        return done;
    }

    /// <summary>
    /// The options a map gets: the caller's (widths, rules) with the space defaulted per target and read-only
    /// forced when the mapping is read-only, so writes throw instead of faulting. Validated here, before anything
    /// is opened, so that inconsistent options throw <see cref="ArgumentException"/> without creating or
    /// extending a file.
    /// </summary>
    /// <summary>
    /// The options with <see cref="IoMapOptions.Description"/> set to <paramref name="description"/> (what an opener
    /// mapped: a path, a device and region), unless the caller already gave one.
    /// </summary>
    public static IoMapOptions Described(IoMapOptions options, string description) =>
        options.Description is null ? options with { Description = description } : options;

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
