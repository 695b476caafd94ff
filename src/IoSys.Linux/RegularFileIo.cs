using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace IoSys.Linux;

/// <summary>What kind of file a path names, as <c>stat(2)</c>'s file type says.</summary>
public enum FileKind
{
    /// <summary>A type this enumeration does not name.</summary>
    Unknown,

    /// <summary>A regular file (including files on tmpfs, such as <c>/dev/shm</c> objects, and sysfs attributes).</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A character device.</summary>
    CharacterDevice,

    /// <summary>A block device.</summary>
    BlockDevice,

    /// <summary>A FIFO (named pipe).</summary>
    Fifo,

    /// <summary>A UNIX-domain socket.</summary>
    Socket,

    /// <summary>A symbolic link (only when links are not followed).</summary>
    SymbolicLink,
}

/// <summary>Words for a <see cref="FileKind"/>, for error messages.</summary>
public static class FileKindExtensions
{
    /// <summary>
    /// The kind with its article, as a message says it: <c>a regular file</c>, <c>a FIFO (named pipe)</c>,
    /// <c>a file of unknown kind</c> for <see cref="FileKind.Unknown"/> or a value outside the enumeration. Never throws.
    /// </summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The words, starting with "a".</returns>
    /// <example>
    /// <code>
    /// if (FileStatus.TryGet(path, out FileStatus status) &amp;&amp; status.Kind != FileKind.Regular)
    ///     Console.Error.WriteLine($"'{path}' is {status.Kind.Describe()}, not a regular file");
    /// </code>
    /// </example>
    public static string Describe(this FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Directory => "a directory",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Socket => "a socket",
        FileKind.SymbolicLink => "a symbolic link",
        _ => "a file of unknown kind",
    };
}

/// <summary>
/// What <c>statx(2)</c> says about a file: its kind, its size in bytes, and its identity (the device and inode
/// numbers, equal for two paths exactly when they name the same file, through symlinks and hard links alike).
/// </summary>
/// <param name="Kind">The file's kind.</param>
/// <param name="Size">Its size in bytes (0 for most devices).</param>
/// <param name="Device">The device that holds it (major and minor packed as <c>makedev</c> does).</param>
/// <param name="Inode">Its inode number on that device.</param>
/// <param name="Mode">Its permission bits.</param>
public readonly record struct FileStatus(FileKind Kind, long Size, ulong Device, ulong Inode, UnixFileMode Mode)
{
    /// <summary>Whether this and <paramref name="other"/> are the same file (same device and inode).</summary>
    /// <param name="other">The other file's status.</param>
    /// <returns>True when both name one file.</returns>
    public bool IsSameFile(FileStatus other) => Device == other.Device && Inode == other.Inode;

    /// <summary>The status of the file at <paramref name="path"/>, following symlinks; false if nothing is there.</summary>
    /// <param name="path">The path.</param>
    /// <param name="status">The status, when found.</param>
    /// <returns>True if the path names a file (of any kind).</returns>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="UnauthorizedAccessException">A directory on the way cannot be searched.</exception>
    /// <exception cref="IOException">Another error (a loop of symlinks, a name too long...).</exception>
    public static bool TryGet(string path, out FileStatus status)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return NativeFile.TryStatPath(path, out status);
    }
}

/// <summary>
/// A regular file (or a <c>/dev/shm</c> object) read and written with <c>pread</c>/<c>pwrite</c> instead of being
/// mapped: one system call of exactly the access's width per access, so another process that truncates the file
/// makes an access fail with an <see cref="IOException"/> naming the path, offset and size, never a SIGBUS.
/// </summary>
/// <remarks>
/// Use <see cref="CreateMap"/> for an <see cref="IoSysMap"/> with the usual checks in front of every access; use
/// <see cref="ReadExactly"/>/<see cref="WriteExactly"/> for bulk copies. Only regular files are accepted: the kind
/// is checked on the path before anything is opened (a FIFO or a device is never opened, so nothing blocks and no
/// device sees an open) and again on the open descriptor, which is opened non-blocking. The size is the file's at
/// open time; the map's range checks use it. A write first checks that the file has not shrunk below its end, so a
/// write never silently extends a truncated file (the check and the write are two calls: a truncation between them
/// still extends the file, but never faults). Library users that want memory semantics keep <see cref="MappedFile"/>.
/// </remarks>
public sealed class RegularFileIo : IoBackend, IDisposable
{
    private const int ONoCtty = 0x100;

    private readonly SafeFileHandle _file;

    private RegularFileIo(SafeFileHandle file, string path, FileStatus status, bool readOnly)
    {
        _file = file;
        Path = path;
        Status = status;
        IsReadOnly = readOnly;
    }

    /// <summary>The path the file was opened by (for messages).</summary>
    public string Path { get; }

    /// <summary>The file's status when it was opened: <see cref="FileStatus.Size"/> is the size the map covers.</summary>
    public FileStatus Status { get; }

    /// <summary>The file's size in bytes when it was opened.</summary>
    public long Length => Status.Size;

    /// <summary>Whether the file was opened read-only (writes then fail).</summary>
    public bool IsReadOnly { get; }

    /// <summary>
    /// Opens the regular file at <paramref name="path"/> (symlinks followed). Anything that is not a regular file is
    /// refused by its kind before it is opened.
    /// </summary>
    /// <param name="path">The path.</param>
    /// <param name="readOnly">Open for reading only.</param>
    /// <returns>The open file; dispose it to close it.</returns>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="FileNotFoundException">Nothing is at the path.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    /// <exception cref="IOException">The path is not a regular file (a FIFO, socket, device, directory), or another
    /// error; the message names the path and its kind.</exception>
    public static RegularFileIo Open(string path, bool readOnly)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!NativeFile.TryStatPath(path, out FileStatus before))
        {
            throw new FileNotFoundException($"Cannot open file '{path}': it does not exist.", path);
        }

        RequireRegular(path, before);

        // O_NONBLOCK: if the path was swapped for a FIFO since the check, open still returns at once.
        int flags = (readOnly ? LibC.O_RDONLY : LibC.O_RDWR) | LibC.O_NONBLOCK | ONoCtty;
        SafeFileHandle file = NativeFile.OpenChecked(path, flags, StatKinds.Regular, "file", "check the file's permissions and owner");
        try
        {
            FileStatus status = NativeFile.Stat(file, path);
            RequireRegular(path, status);
            return new RegularFileIo(file, path, status, readOnly);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A map over the whole file (<see cref="Length"/> bytes) whose accesses go through this object. The map does
    /// not own it: dispose the map, then this.
    /// </summary>
    /// <param name="options">Map options. Default: <see cref="IoMapOptions.SystemMemory"/>, read-only when the file is.</param>
    /// <returns>The map.</returns>
    /// <exception cref="ArgumentException">The options are inconsistent.</exception>
    public IoSysMap CreateMap(IoMapOptions? options = null)
    {
        options ??= IoMapOptions.SystemMemory;
        options = NativeFile.Described(options, Path);
        return IoSysMap.Create(this, Length, IsReadOnly ? options.AsReadOnly() : options);
    }

    /// <summary>Reads exactly <c>destination.Length</c> bytes at <paramref name="offset"/> bytes into the file.</summary>
    /// <param name="offset">Offset in bytes from the start of the file.</param>
    /// <param name="destination">Where to put them.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative or the range overflows.</exception>
    /// <exception cref="IOException">The file ended first (it shrank), or the read failed; names path, offset and size.</exception>
    /// <exception cref="ObjectDisposedException">This object is disposed.</exception>
    public void ReadExactly(long offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        ObjectDisposedException.ThrowIf(_file.IsClosed, this);
        int done = NativeFile.ReadExactly(_file, offset, destination, out int errno);
        if (done < destination.Length)
        {
            throw errno == 0 ? Short("read", offset, destination.Length, done) : Failed("read", offset, destination.Length, errno);
        }
    }

    /// <summary>
    /// Writes all of <paramref name="source"/> at <paramref name="offset"/> bytes into the file, after checking that
    /// the file still reaches the end of the range (a write never extends a file that shrank).
    /// </summary>
    /// <param name="offset">Offset in bytes from the start of the file.</param>
    /// <param name="source">The bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative or the range overflows.</exception>
    /// <exception cref="IOException">The file is now shorter than the range's end, or the write failed (disk full...).</exception>
    /// <exception cref="UnauthorizedAccessException">The file was opened read-only.</exception>
    /// <exception cref="ObjectDisposedException">This object is disposed.</exception>
    public void WriteExactly(long offset, ReadOnlySpan<byte> source)
    {
        CheckRange(offset, source.Length);
        ObjectDisposedException.ThrowIf(_file.IsClosed, this);
        if (IsReadOnly)
        {
            throw new UnauthorizedAccessException($"Cannot write to '{Path}': it was opened read-only.");
        }

        long now = CurrentLength();
        if (now < offset + source.Length)
        {
            throw new IOException(
                $"Cannot write {source.Length} bytes at offset 0x{offset:x} of '{Path}': the file is now {now} bytes (it was {Length}); another process truncated it.");
        }

        int done = NativeFile.WriteExactly(_file, offset, source, out int errno);
        if (done < source.Length)
        {
            throw errno == 0 ? Short("write", offset, source.Length, done) : Failed("write", offset, source.Length, errno);
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();

    /// <inheritdoc/>
    protected override ulong Read(long offset, int width)
    {
        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        ReadExactly(offset, bytes[..width]);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    /// <inheritdoc/>
    protected override void Write(long offset, int width, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        WriteExactly(offset, bytes[..width]);
    }

    private static void RequireRegular(string path, FileStatus status)
    {
        if (status.Kind != FileKind.Regular)
        {
            throw new IOException($"Cannot use '{path}' as a file target: it is {status.Kind.Describe()}, not a regular file.");
        }
    }

    private long CurrentLength() => NativeFile.Stat(_file, Path).Size;

    private void CheckRange(long offset, int length)
    {
        if (offset < 0 || offset > long.MaxValue - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Offset {offset} with {length} bytes is outside any file ('{Path}').");
        }
    }

    private IOException Short(string verb, long offset, int length, int done)
    {
        long now;
        try
        {
            now = NativeFile.Stat(_file, Path).Size;
        }
        catch (IOException)
        {
            now = -1;
        }

        return new IOException(
            $"Cannot {verb} {length} bytes at offset 0x{offset:x} of '{Path}': only {done} were transferred; the file is now {now} bytes (it was {Length}), so another process truncated it.");
    }

    private IOException Failed(string verb, long offset, int length, int errno) =>
        new($"Cannot {verb} {length} bytes at offset 0x{offset:x} of '{Path}' ({Length} bytes): {LibC.Describe(errno)}.");
}
