using IoSys.Cli.Commands;
using IoSys.Cli.Parsing;
using IoSys.Cli.Targets;
using IoSys.Simulation;

namespace IoSys.Cli.Tests;

/// <summary>
/// In-process tests of the one transfer loop: it carries out the core's plan (<see cref="IoSysMap.PlanTransfer"/>)
/// piece by piece, and stops when the target is gone.
/// </summary>
public sealed class ChunkedTransferTests
{
    private static readonly TargetSpec Spec = TargetSpec.Parse("sim:test");

    /// <summary>64 KiB of I/O memory (bulk transfers are single accesses, as on a device), traced.</summary>
    private static (IoSysMap Memory, IoSysMap Map, AccessTrace Trace) Traced()
    {
        IoSysMap memory = IoSysMap.Allocate(0x10000, IoMapOptions.IoMemory);
        IoSysMap map = TracingMap.Wrap(memory, out AccessTrace trace);
        return (memory, map, trace);
    }

    private static List<IoTransferChunk> Chunks(IoTransferPlan plan)
    {
        var chunks = new List<IoTransferChunk>();
        foreach (IoTransferChunk chunk in plan)
        {
            chunks.Add(chunk);
        }

        return chunks;
    }

    private static (long, int, AccessDirection)[] Accesses(AccessTrace trace) =>
        [.. trace.Records.Select(static r => (r.Offset, r.Width, r.Direction))];

    [Theory]
    [InlineData(4, 3000, 1024)]   // Starts 4-aligned, not 8: fixed 1024-byte pieces would split an 8-byte access at 0x404.
    [InlineData(1, 5000, 100)]    // Starts odd: byte, 2-byte, 4-byte, then 8-byte accesses.
    [InlineData(0, 4096, 1000)]
    [InlineData(6, 7, 16)]
    public void Pieces_make_exactly_the_accesses_of_the_whole_ranges_plan(long start, long length, int chunkSize)
    {
        (IoSysMap memory, IoSysMap map, AccessTrace trace) = Traced();
        using IoSysMap owner = memory;
        using var target = new OpenTarget(Spec, map);

        var whole = new byte[length];
        map.ReadBytes(start, whole);
        (long, int, AccessDirection)[] expected = Accesses(trace);
        trace.Clear();

        IoTransferPlan plan = CommonOptions.CheckRange(map, Spec, start, length, 0, write: false);
        Assert.Equal(expected.Select(static a => (a.Item1, a.Item2)), Chunks(plan).Select(static c => (c.Offset, c.Width)));
        var pieces = new List<int>();
        ChunkedTransfer.Read(target, plan, (chunk, _) => pieces.Add(chunk.Length), chunkSize: chunkSize);

        Assert.Equal(expected, Accesses(trace));
        Assert.True(pieces.Count > 1 || length <= chunkSize, $"{pieces.Count} pieces");
        Assert.All(pieces, p => Assert.InRange(p, 1, chunkSize));
        Assert.Equal(length, pieces.Sum());
    }

    [Theory]
    [InlineData(3, 0, 5000, 24)]   // A window at an odd region offset: cuts fall on the region's 8-byte boundaries, not the window's.
    [InlineData(5, 2, 777, 17)]
    [InlineData(8, 1, 64, 16)]
    public void Pieces_of_a_window_make_exactly_the_accesses_of_its_plan(long windowAt, long start, long length, int chunkSize)
    {
        (IoSysMap memory, IoSysMap traced, AccessTrace trace) = Traced();
        using IoSysMap owner = memory;
        using IoSysMap map = traced.Slice(windowAt, 0x8000);
        using var target = new OpenTarget(Spec, map);
        IoTransferPlan plan = CommonOptions.CheckRange(map, Spec, start, length, 0, write: true);
        (long, int)[] expected = [.. Chunks(plan).Select(c => (c.Offset + windowAt, c.Width))];

        var pieces = new List<int>();
        ChunkedTransfer.Write(target, plan, (chunk, at) =>
        {
            pieces.Add(chunk.Length);
            chunk.Fill((byte)at);
        }, chunkSize: chunkSize);

        Assert.Equal(expected, trace.Records.Select(static r => (r.Offset, r.Width)));
        Assert.All(trace.Records, static r => Assert.Equal(AccessDirection.Write, r.Direction));
        Assert.True(pieces.Count > 1 || length <= chunkSize, $"{pieces.Count} pieces");
        Assert.Equal(length, pieces.Sum());
    }

    [Fact]
    public void Writes_follow_the_plan_too_and_carry_the_source_bytes()
    {
        (IoSysMap memory, IoSysMap map, AccessTrace trace) = Traced();
        using IoSysMap owner = memory;
        using var target = new OpenTarget(Spec, map);
        byte[] data = [.. Enumerable.Range(0, 777).Select(static i => (byte)(i * 7))];

        IoTransferPlan plan = CommonOptions.CheckRange(map, Spec, 0x104, data.Length, 0, write: true);
        ChunkedTransfer.Write(target, plan, (chunk, at) => data.AsSpan((int)at, chunk.Length).CopyTo(chunk), chunkSize: 64);

        Assert.Equal(Chunks(plan).Select(static c => (c.Offset, c.Width, AccessDirection.Write)), Accesses(trace));
        var back = new byte[data.Length];
        memory.ReadBytes(0x104, back);
        Assert.Equal(data, back);
    }

    [Fact]
    public void A_target_that_goes_away_stops_the_transfer_after_the_piece_in_flight()
    {
        (IoSysMap memory, IoSysMap map, _) = Traced();
        using IoSysMap owner = memory;
        int asked = 0;
        using var target = new OpenTarget(Spec, map) { Gone = () => ++asked > 1 ? "it was removed" : null };
        var seen = new List<long>();

        IoTransferPlan plan = CommonOptions.CheckRange(map, Spec, 0, 0x1000, 0, write: false);
        CliRuntimeException e = Assert.Throws<CliRuntimeException>(() =>
            ChunkedTransfer.Read(target, plan, (_, at) => seen.Add(at), chunkSize: 0x400));

        Assert.Equal("sim:test is gone, stopped reading: it was removed", e.Message);
        Assert.Equal([0L], seen); // The piece read after the device went away was never passed on.

        asked = 1;
        e = Assert.Throws<CliRuntimeException>(() => ChunkedTransfer.Write(target, plan, static (_, _) => { }, chunkSize: 0x400));
        Assert.Contains("is gone, stopped writing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_checks_name_what_the_core_refuses()
    {
        using var device = new SimulatedDevice("test", 0x100, AccessWidths.Bits32 | AccessWidths.Bits64,
            [new IoWidthRule(0, 0x40, AccessWidths.Bits32)]);
        IoSysMap map = device.Map;

        CliRuntimeException range = Assert.Throws<CliRuntimeException>(() => CommonOptions.CheckRange(map, Spec, 0xf0, 0x20, 0, write: false));
        Assert.Equal("range 0xf0..0x110 (32 bytes) is outside sim:test, which is 0x100 (256) bytes", range.Message);

        UsageException usage = Assert.Throws<UsageException>(() => CommonOptions.CheckRange(map, Spec, 0, 6, 4, write: false));
        Assert.Contains("length 6", usage.Message, StringComparison.Ordinal);

        // The first access the region refuses inside the range, as the library reports that single access.
        IoAccessException refused = Assert.Throws<IoAccessException>(() => CommonOptions.CheckRange(map, Spec, 0x30, 0x20, 8, write: false));
        Assert.Equal((IoAccessError.WidthRefused, 0x30L, 8L), (refused.Error, refused.Offset, refused.Length));
        IoAccessException misaligned = Assert.Throws<IoAccessException>(() => CommonOptions.CheckRange(map, Spec, 0x42, 8, 4, write: false));
        Assert.Equal((IoAccessError.Misaligned, 0x42L), (misaligned.Error, misaligned.Offset));

        // Without a width, a range nothing accepted can cover is refused before anything is read: the core's message.
        IoAccessException uncovered = Assert.Throws<IoAccessException>(() => CommonOptions.CheckRange(map, Spec, 0x41, 3, 0, write: false));
        Assert.Equal((IoAccessError.WidthRefused, 0x41L), (uncovered.Error, uncovered.Offset));

        using IoSysMap readOnlyMap = IoSysMap.Create(device, device.Size, device.MapOptions.AsReadOnly());
        IoAccessException readOnly = Assert.Throws<IoAccessException>(() => CommonOptions.CheckRange(readOnlyMap, Spec, 0, 8, 4, write: true));
        Assert.Equal(IoAccessError.ReadOnly, readOnly.Error);
        Assert.Empty(device.Faults);
    }
}
