using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux;

/// <summary>An enumeration entry that was left out, and why (a missing or malformed sysfs file).</summary>
/// <param name="Path">The sysfs directory or file at fault.</param>
/// <param name="Reason">What is wrong with it, in words a user can act on.</param>
public sealed record SkippedEntry(string Path, string Reason);

/// <summary>Reading small sysfs attribute files, with errors that name the file and what was expected.</summary>
internal static class Sysfs
{
    /// <summary>
    /// The most an attribute file may hold, in bytes: the kernel's sysfs attributes are at most one page (64 KiB on
    /// the largest arm64 pages). A bigger file (or <c>/dev/zero</c> behind a link) is not an attribute.
    /// </summary>
    public const int MaxAttributeBytes = 64 * 1024;

    /// <summary>The real sysfs mount point; files under it must live on sysfs.</summary>
    public const string KernelRoot = "/sys";

    /// <summary>
    /// Whether <paramref name="path"/> lies under the real <c>/sys</c>, so the file must be the kernel's (on
    /// sysfs): only an explicitly given root elsewhere (a test fixture) may hold ordinary files.
    /// </summary>
    public static bool IsKernelPath(string path) => NativeFile.IsUnder(path, KernelRoot);

    /// <summary>
    /// Reads a sysfs attribute as trimmed text: opened non-blocking without following a final symbolic link,
    /// required to be a regular file, read to at most <see cref="MaxAttributeBytes"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    /// <exception cref="InvalidDataException">The file is larger than an attribute can be.</exception>
    /// <exception cref="IOException">The file is not a regular file (a FIFO, a device, a directory, a symbolic link), or the read failed.</exception>
    public static string ReadText(string path)
    {
        SafeFileHandle file;
        try
        {
            file = NativeFile.OpenChecked(path, LibC.O_RDONLY, StatKinds.Regular, "the sysfs file", LinuxErrors.RootOrUdev, noFollow: true);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"The sysfs file '{path}' is missing.", path, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException($"Cannot read the sysfs file '{path}': permission denied.", e);
        }

        using (file)
        {
            // sysfs regular files report a size of 4096 whatever they hold, so read until end of file, bounded.
            byte[] buffer = new byte[MaxAttributeBytes + 1];
            int total = 0;
            while (total < buffer.Length)
            {
                int read = ReadSome(file, path, buffer.AsSpan(total));
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            if (total > MaxAttributeBytes)
            {
                throw new InvalidDataException($"The sysfs file '{path}' holds more than {MaxAttributeBytes} bytes, which no sysfs attribute does.");
            }

            return Encoding.UTF8.GetString(buffer, 0, total).Trim();
        }
    }

    /// <summary>
    /// Writes <paramref name="text"/> to a sysfs attribute (e.g. <c>enable</c>), opened as <see cref="ReadText"/>
    /// opens and, under <c>/sys</c>, required to live on sysfs.
    /// </summary>
    public static void WriteText(string path, string text, string what)
    {
        // O_TRUNC, as a shell's `echo x > attr`: sysfs ignores it, and a fixture's file then holds exactly the text.
        using SafeFileHandle file = NativeFile.OpenChecked(path, LibC.O_WRONLY | LibC.O_TRUNC, StatKinds.Regular, what, LinuxErrors.RootOrUdev,
            noFollow: true, requireSysfs: IsKernelPath(path));
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        unsafe
        {
            fixed (byte* p = bytes)
            {
                // SAFETY: p points to bytes.Length pinned bytes; write reads at most that many.
                nint written = LibC.Write((int)file.DangerousGetHandle(), p, (nuint)bytes.Length);
                if (written != bytes.Length)
                {
                    int errno = LibC.LastError;
                    throw written < 0
                        ? errno is LibC.EACCES or LibC.EPERM
                            ? new UnauthorizedAccessException($"Writing '{text}' to {what} '{path}' was refused ({LibC.Describe(errno)}); {LinuxErrors.RootOrUdev}.")
                            : new IOException($"Writing '{text}' to {what} '{path}' failed: {LibC.Describe(errno)}.")
                        : new IOException($"Writing '{text}' to {what} '{path}' wrote only {written} of {bytes.Length} bytes.");
                }
            }
        }
    }

    private static unsafe int ReadSome(SafeFileHandle file, string path, Span<byte> buffer)
    {
        while (true)
        {
            nint read;
            fixed (byte* p = buffer)
            {
                // SAFETY: p points to buffer.Length pinned bytes; read writes at most that many.
                read = LibC.Read((int)file.DangerousGetHandle(), p, (nuint)buffer.Length);
            }

            if (read >= 0)
            {
                return (int)read;
            }

            int errno = LibC.LastError;
            if (errno != LibC.EINTR)
            {
                throw new IOException($"Cannot read the sysfs file '{path}': {LibC.Describe(errno)}.");
            }
        }
    }

    public static ulong ReadHex(string path) => ParseHex(ReadText(path), path);

    public static ulong ParseHex(string text, string path)
    {
        ReadOnlySpan<char> digits = text.AsSpan().Trim();
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        if (digits.Length == 0 || !ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value))
        {
            throw new InvalidDataException($"The sysfs file '{path}' is malformed: '{Shorten(text)}' is not a hexadecimal number such as 0x1234.");
        }

        return value;
    }

    public static string? LinkName(string path)
    {
        try
        {
            string? target = new FileInfo(path).LinkTarget;
            return target is null ? null : Path.GetFileName(target.TrimEnd('/'));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
