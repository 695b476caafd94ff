using IoSys.Cli.Output;
using IoSys.Cli.Targets;
using IoSys.Linux;

namespace IoSys.Cli.Commands;

/// <summary>Receives one chunk read from a target: the bytes, and their offset in bytes from the start of the transfer.</summary>
internal delegate void ChunkSink(ReadOnlySpan<byte> chunk, long at);

/// <summary>Fills one chunk to be written to a target: the buffer, and its offset in bytes from the start of the transfer.</summary>
internal delegate void ChunkSource(Span<byte> chunk, long at);

/// <summary>
/// The one chunked-transfer loop behind dump, save, load and fill: carries out a checked transfer plan
/// (<see cref="CommonOptions.CheckRange"/>) between a target and a buffer of at most <see cref="ChunkSize"/> bytes
/// at a time. Pieces are cut only between two accesses of the plan, so the device sees exactly the accesses the
/// whole range's plan makes (a cut elsewhere could split an 8-byte access into two narrower ones). The cuts are found
/// without walking the plan (see <see cref="Pieces"/>): the plan is walked once, by the transfer itself. After each
/// piece it asks whether the target is gone (a removed PCI device keeps its mapping and reads all ones), as watch does.
/// </summary>
internal static class ChunkedTransfer
{
    /// <summary>Largest chunk in bytes: large keeps the per-call cost negligible.</summary>
    internal const int ChunkSize = 1 << 20;

    /// <summary>Reads the planned range piece by piece into <paramref name="sink"/>.</summary>
    public static void Read(OpenTarget target, IoTransferPlan plan, ChunkSink sink, Progress? progress = null, int chunkSize = ChunkSize)
    {
        byte[] buffer = new byte[BufferSize(plan.Length, chunkSize)];
        RegularFileIo? file = Unmapped(target, plan.Widths);
        foreach ((long done, int length) in Pieces(plan, AlignmentBase(target.Map), buffer.Length, cutAnywhere: file is not null))
        {
            Span<byte> chunk = buffer.AsSpan(0, length);
            if (file is not null)
            {
                file.ReadExactly(target.Map.RegionOffset + plan.Offset + done, chunk);
            }
            else
            {
                target.Map.ReadBytes(plan.Offset + done, chunk, plan.Widths);
            }

            target.ThrowIfGone("reading");
            sink(chunk, done);
            progress?.Report(done + length);
        }
    }

    /// <summary>Writes the planned range piece by piece, each piece filled by <paramref name="source"/> first.</summary>
    public static void Write(OpenTarget target, IoTransferPlan plan, ChunkSource source, Progress? progress = null, int chunkSize = ChunkSize)
    {
        byte[] buffer = new byte[BufferSize(plan.Length, chunkSize)];
        RegularFileIo? file = Unmapped(target, plan.Widths);
        foreach ((long done, int length) in Pieces(plan, AlignmentBase(target.Map), buffer.Length, cutAnywhere: file is not null))
        {
            Span<byte> chunk = buffer.AsSpan(0, length);
            source(chunk, done);
            if (file is not null)
            {
                file.WriteExactly(target.Map.RegionOffset + plan.Offset + done, chunk);
            }
            else
            {
                target.Map.WriteBytes(plan.Offset + done, chunk, plan.Widths);
            }

            target.ThrowIfGone("writing");
            progress?.Report(done + length);
        }
    }

    private static int BufferSize(long length, int chunkSize) => (int)Math.Clamp(length, Math.Min(16, chunkSize), chunkSize);

    /// <summary>
    /// The pieces (offset from the start of the transfer, length in bytes) of at most <paramref name="max"/> bytes:
    /// anywhere for a vectorized copy or an unmapped file, else only between two accesses of the plan. Those cuts need
    /// no walk of the plan: its accesses are naturally aligned and at most 8 bytes wide, so none crosses an 8-byte
    /// boundary of the address (<paramref name="alignmentBase"/> + offset), and the plan of the range from such a
    /// boundary is the rest of the whole range's plan (the widest accepted aligned access at each offset, which fits
    /// the shorter range as it never crosses the boundary the piece ends on).
    /// </summary>
    private static IEnumerable<(long Done, int Length)> Pieces(IoTransferPlan plan, long alignmentBase, int max, bool cutAnywhere)
    {
        bool onBoundaries = !cutAnywhere && !plan.IsMemoryCopy;
        for (long done = 0; done < plan.Length;)
        {
            long end = Math.Min(plan.Length, done + max);
            if (onBoundaries && end < plan.Length)
            {
                long start = alignmentBase + plan.Offset;
                long boundary = ((start + end) & ~7L) - start;
                end = boundary > done ? boundary : end; // max >= 16 (BufferSize) leaves a boundary in every piece.
            }

            yield return (done, (int)(end - done));
            done = end;
        }
    }

    /// <summary>Where the core measures alignment from: the address of mapped memory, the region offset of a backend.</summary>
    private static long AlignmentBase(IoSysMap map) => map.Address.IsNull ? map.RegionOffset : (long)map.Address.ToUIntPtr();

    /// <summary>
    /// A regular file read without mapping, when the copy may use any widths: one pread/pwrite per chunk instead of
    /// one per access (a file has no access widths; a chosen --width still goes access by access through the map).
    /// </summary>
    private static RegularFileIo? Unmapped(OpenTarget target, AccessWidths widths) =>
        widths == AccessWidths.All && target.Map.Backend is RegularFileIo file ? file : null;
}
