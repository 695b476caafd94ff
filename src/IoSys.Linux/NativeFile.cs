using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux;

/// <summary>Opening files and devices by path with errors that name the path and what to do.</summary>
internal static class NativeFile
{
    /// <summary>Opens <paramref name="path"/> with <c>open(2)</c> flags (close-on-exec is always added).</summary>
    public static SafeFileHandle Open(string path, int flags, string what, string permissionHint, int mode = 0)
    {
        int fd = LibC.Open(path, flags | LibC.O_CLOEXEC, mode);
        if (fd < 0)
        {
            throw LinuxErrors.ForOpen(path, LibC.LastError, what, permissionHint);
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>The size in bytes that <c>fstat</c> reports (0 for character devices).</summary>
    public static long GetLength(SafeFileHandle file, string path)
    {
        try
        {
            return RandomAccess.GetLength(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot get the size of '{path}': {e.Message}", e);
        }
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
