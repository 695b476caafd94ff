using System.Globalization;

namespace IoSys.Linux;

/// <summary>Turns an errno from a call on a path into the exception a user can act on.</summary>
internal static class LinuxErrors
{
    /// <summary>Permission hint for device nodes and sysfs files that only root can open by default.</summary>
    public const string RootOrUdev = "run as root, or add a udev rule that grants your user access to it";

    public static Exception ForOpen(string path, int errno, string what, string permissionHint)
    {
        string cause = LibC.Describe(errno);
        return errno switch
        {
            LibC.ENOENT => new FileNotFoundException($"Cannot open {what} '{path}': it does not exist.", path),
            LibC.EACCES or LibC.EPERM or LibC.EROFS => new UnauthorizedAccessException(
                $"Cannot open {what} '{path}': permission denied ({cause}); {permissionHint}."),
            LibC.ENXIO or LibC.ENODEV => new IOException(
                $"Cannot open {what} '{path}': no device behind it ({cause}); the driver may not be bound or loaded."),
            LibC.EBUSY => new IOException($"Cannot open {what} '{path}': it is busy ({cause}); another process or driver holds it."),
            LibC.EISDIR => new IOException($"Cannot open {what} '{path}': it is a directory."),
            _ => new IOException($"Cannot open {what} '{path}': {cause}."),
        };
    }

    /// <summary>The error for a failed unlink of <paramref name="path"/>: permission errors as <see cref="UnauthorizedAccessException"/>, others as <see cref="IOException"/>.</summary>
    public static Exception ForDelete(string path, int errno, string what, string permissionHint)
    {
        string cause = LibC.Describe(errno);
        return errno is LibC.EACCES or LibC.EPERM or LibC.EROFS
            ? new UnauthorizedAccessException($"Cannot delete {what} '{path}': permission denied ({cause}); {permissionHint}.")
            : new IOException($"Cannot delete {what} '{path}': {cause}.");
    }

    /// <summary>The error for a failed mmap of <paramref name="length"/> bytes at <paramref name="offset"/>: the range the caller asked for, before page rounding.</summary>
    public static Exception ForMmap(string path, int errno, long offset, long length, bool writable, string permissionHint)
    {
        string range = $"{length} bytes (0x{length:x}) at offset 0x{offset:x}";
        string cause = LibC.Describe(errno);
        return errno switch
        {
            LibC.EACCES or LibC.EPERM => new UnauthorizedAccessException(
                $"Cannot map {range} of '{path}'{(writable ? " for writing" : "")}: permission denied ({cause}); {permissionHint}."),
            LibC.ENODEV => new IOException($"Cannot map '{path}': it does not support mmap ({cause})."),
            LibC.EINVAL => new IOException(
                $"Cannot map {range} of '{path}': the kernel refused the range ({cause}); it may lie beyond the resource, or a kernel driver holds it exclusively (unbind that driver)."),
            LibC.ENOMEM => new IOException($"Cannot map {range} of '{path}': out of address space or memory ({cause})."),
            _ => new IOException($"Cannot map {range} of '{path}': {cause}."),
        };
    }

    public static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
