using System.Runtime.InteropServices;

namespace IoSys.Cli.Output;

/// <summary>
/// An unbuffered, write-only stream over an inherited file descriptor (1 or 2) that writes with <c>write(2)</c>, at
/// the descriptor's shared file offset.
/// </summary>
/// <remarks>
/// Why not <c>FileStream(new SafeFileHandle(1, false))</c>: when stdout is a regular file, FileStream tracks its own
/// position and writes with <c>pwrite</c>, which does not move the shared offset, so in
/// <c>{ echo a; iosys read ...; echo b; } &gt; log</c> the shell's next write lands on top of iosys's output. Why not
/// <c>Console.OpenStandardOutput()</c>: its first write initializes the terminal (terminfo, a signal thread), which
/// costs a one-register read a noticeable part of its run time.
/// </remarks>
internal sealed partial class DescriptorStream(int descriptor) : Stream
{
    /// <summary>errno EPIPE: the reader of a pipe went away. A write failing with it throws an <see cref="IOException"/> with this HResult.</summary>
    public const int BrokenPipe = 32;

    private const int EINTR = 4;
    private const int EAGAIN = 11;
    private const int EBADF = 9;
    private const int FGetFd = 1;
    private const int ORdOnly = 0;
    private const int OWrOnly = 1;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            nint written;
            // SAFETY: the span is pinned for the call and write(2) reads at most buffer.Length bytes from it.
            fixed (byte* p = buffer)
            {
                written = SysWrite(descriptor, p, (nuint)buffer.Length);
            }

            if (written >= 0)
            {
                buffer = buffer[(int)written..];
                continue;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR)
            {
                continue;
            }

            if (errno == EAGAIN)
            {
                // A non-blocking descriptor inherited from the caller: wait for room rather than drop output.
                Thread.Sleep(1);
                continue;
            }

            throw new IOException($"cannot write to file descriptor {descriptor}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>
    /// Opens <c>/dev/null</c> on each of descriptors 0, 1 and 2 that the parent left closed, so that no file the
    /// tool opens later (a target, an output) gets that number and receives its messages (<c>iosys ... 2&gt;&amp;-</c>).
    /// Runs first thing; open(2) returns the lowest free descriptor, so the loop fills the gaps in order.
    /// </summary>
    public static void ReserveStandardDescriptors()
    {
        for (int fd = 0; fd <= 2; fd++)
        {
            if (FcntlGetFd(fd, FGetFd) >= 0 || Marshal.GetLastPInvokeError() != EBADF)
            {
                continue;
            }

            int opened = OpenNull("/dev/null", fd == 0 ? ORdOnly : OWrOnly);
            if (opened >= 0 && opened != fd)
            {
                _ = Close(opened); // A lower gap was filled meanwhile (cannot happen single-threaded); do not leak it.
            }
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlGetFd(int fd, int command);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNull(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint SysWrite(int fd, byte* buffer, nuint count);
}
