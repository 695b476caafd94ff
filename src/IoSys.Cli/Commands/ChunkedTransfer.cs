using IoSys.Cli.Output;
using IoSys.Cli.Targets;
using IoSys.Linux;

namespace IoSys.Cli.Commands;

/// <summary>Receives one chunk read from a target: the bytes, and their offset in bytes from the start of the transfer.</summary>
internal delegate void ChunkSink(ReadOnlySpan<byte> chunk, long at);

/// <summary>Fills one chunk to be written to a target: the buffer, and its offset in bytes from the start of the transfer.</summary>
internal delegate void ChunkSource(Span<byte> chunk, long at);

/// <summary>
/// The one chunked-transfer loop behind dump, save, load and fill: moves a range between a target and a buffer of
/// at most <see cref="ChunkSize"/> bytes at a time. The caller has checked the whole range with
/// <see cref="CommonOptions.CheckRange"/> first.
/// </summary>
internal static class ChunkedTransfer
{
    /// <summary>Largest chunk in bytes: large keeps the per-call cost negligible; a multiple of 16 keeps dump lines whole and of 8 keeps width patterns aligned.</summary>
    internal const int ChunkSize = 1 << 20;

    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="start"/> chunk by chunk into <paramref name="sink"/>.</summary>
    public static void Read(OpenTarget target, long start, long length, AccessWidths widths, ChunkSink sink, Progress? progress = null)
    {
        byte[] buffer = new byte[BufferSize(length)];
        for (long done = 0; done < length;)
        {
            Span<byte> chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - done));
            if (Unmapped(target, widths) is { } file)
            {
                file.ReadExactly(target.Map.RegionOffset + start + done, chunk);
            }
            else
            {
                target.Map.ReadBytes(start + done, chunk, widths);
            }

            sink(chunk, done);
            done += chunk.Length;
            progress?.Report(done);
        }
    }

    /// <summary>Writes <paramref name="length"/> bytes at <paramref name="start"/>, each chunk filled by <paramref name="source"/> first.</summary>
    public static void Write(OpenTarget target, long start, long length, AccessWidths widths, ChunkSource source, Progress? progress = null)
    {
        byte[] buffer = new byte[BufferSize(length)];
        for (long done = 0; done < length;)
        {
            Span<byte> chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - done));
            source(chunk, done);
            if (Unmapped(target, widths) is { } file)
            {
                file.WriteExactly(target.Map.RegionOffset + start + done, chunk);
            }
            else
            {
                target.Map.WriteBytes(start + done, chunk, widths);
            }

            done += chunk.Length;
            progress?.Report(done);
        }
    }

    private static int BufferSize(long length) => (int)Math.Clamp(length, 16, ChunkSize);

    /// <summary>
    /// A regular file read without mapping, when the copy may use any widths: one pread/pwrite per chunk instead of
    /// one per access (a file has no access widths; a chosen --width still goes access by access through the map).
    /// </summary>
    private static RegularFileIo? Unmapped(OpenTarget target, AccessWidths widths) =>
        widths == AccessWidths.All && target.Map.Backend is RegularFileIo file ? file : null;
}
