using System.Buffers;
using System.CommandLine;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;
using IoSys.Cli.Targets;

namespace IoSys.Cli.Commands;

/// <summary>
/// <c>load FILE TARGET [OFFSET] [--width] [--verify]</c>: copies a file in (firmware, a table) with accesses of
/// exactly the given width at increasing offsets, then a tail shorter than the width with the widest smaller
/// accesses the region accepts.
/// </summary>
internal static class LoadCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> file = new("FILE") { Description = "The file to copy in" };
        Argument<string> target = CommonOptions.Target();
        Argument<string?> offset = new("OFFSET") { Description = "Where in the target to start (default 0)", Arity = ArgumentArity.ZeroOrOne };
        Option<string?> width = CommonOptions.Width("Access width in bits for every store (default: the widest the region accepts)");
        Option<bool> verify = new("--verify") { Description = "Read everything back afterwards (same widths) and compare; report the first mismatch" };
        var command = new Command("load", "Copy a file into the target, in accesses of the given width") { file, target, offset, width, verify };
        command.SetAction(result =>
        {
            string path = result.GetRequiredValue(file);
            TargetSpec spec = CommonOptions.GetTarget(result, target);
            long start = result.GetValue(offset) is { } o ? NumberParser.ParseOffset(o) : 0;
            int w = CommonOptions.GetWidth(result, width, 0);

            using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            long n = input.Length;
            using OpenTarget open = TargetOpener.Open(spec, writable: true, context);
            IoSysMap map = open.Map;
            CommonOptions.CheckRange(map, spec, start, n);

            // Plan and check everything before the first store: a load refused halfway would leave a device half programmed.
            long main = w == 0 ? n : n - (n % w);
            List<(long Offset, int Width)> tail = w == 0 ? [] : PlanTail(map, spec, start + main, n - main, w);
            if (w != 0 && main > 0)
            {
                CommonOptions.CheckWidthThroughout(map, spec, start, main, w, write: true);
            }

            AccessWidths widths = CommonOptions.BulkWidths(w);
            var buffer = new byte[(int)Math.Clamp(n, 8, DumpCommand.ChunkSize)];
            using (var progress = new Progress(context, "load", n))
            {
                Copy(input, n, main, buffer, (data, at) => map.WriteBytes(start + at, data, widths), progress);
                foreach ((long at, int tw) in tail)
                {
                    map.Write(at, tw, ReadFileValue(input, at - start, tw));
                }
            }

            string how = w == 0 ? "" : $" with {w * 8}-bit accesses" + (tail.Count > 0 ? $" (tail of {n - main} bytes narrower)" : "");
            if (result.GetValue(verify))
            {
                Verify(context, map, spec, input, start, n, main, widths, tail, buffer);
                context.Out.Write($"loaded and verified {n} bytes from {path} into {spec.Text} at {ValueFormatter.Offset(start)}{how}\n");
            }
            else
            {
                context.Out.Write($"loaded {n} bytes from {path} into {spec.Text} at {ValueFormatter.Offset(start)}{how}\n");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Reads the first <paramref name="length"/> bytes of the file in chunks and hands each on.</summary>
    private static void Copy(FileStream input, long total, long length, byte[] buffer, SpanAction<byte, long> each, Progress progress)
    {
        input.Position = 0;
        for (long done = 0; done < length;)
        {
            int chunk = (int)Math.Min(buffer.Length, length - done);
            input.ReadExactly(buffer, 0, chunk);
            each(buffer.AsSpan(0, chunk), done);
            done += chunk;
            progress.Report(done * total / Math.Max(length, 1));
        }
    }

    /// <summary>Accesses for the tail: at each offset the widest width below the main width that is accepted there.</summary>
    private static List<(long Offset, int Width)> PlanTail(IoSysMap map, TargetSpec spec, long at, long length, int mainWidth)
    {
        var plan = new List<(long, int)>();
        for (long end = at + length; at < end;)
        {
            int chosen = 0;
            for (int tw = mainWidth / 2; tw >= 1; tw /= 2)
            {
                if (tw <= end - at && map.CheckAccess(at, tw, write: true) == IoAccessError.None)
                {
                    chosen = tw;
                    break;
                }
            }

            if (chosen == 0)
            {
                throw new CliRuntimeException(
                    $"cannot store the last {end - at} byte(s) of the file at offset {ValueFormatter.Offset(at)} of {spec.Text}: " +
                    $"the file's length is not a multiple of the {mainWidth * 8}-bit width and the region accepts only " +
                    $"{map.WidthsAt(at).Describe()} accesses there; pad the file to a multiple of {mainWidth} bytes");
            }

            plan.Add((at, chosen));
            at += chosen;
        }

        return plan;
    }

    private static ulong ReadFileValue(FileStream input, long position, int width)
    {
        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        input.Position = position;
        input.ReadExactly(bytes[..width]);
        return BitConverter.ToUInt64(bytes);
    }

    private static void Verify(CliContext context, IoSysMap map, TargetSpec spec, FileStream input, long start, long n, long main,
        AccessWidths widths, List<(long Offset, int Width)> tail, byte[] buffer)
    {
        var readBack = new byte[buffer.Length];
        using var progress = new Progress(context, "verify", n);
        Copy(input, n, main, buffer, (expected, at) =>
        {
            Span<byte> actual = readBack.AsSpan(0, expected.Length);
            map.ReadBytes(start + at, actual, widths);
            int i = expected.CommonPrefixLength(actual);
            if (i < expected.Length)
            {
                throw Mismatch(spec, start + at + i, actual[i], expected[i]);
            }
        }, progress);
        foreach ((long at, int tw) in tail)
        {
            ulong expected = ReadFileValue(input, at - start, tw);
            ulong actual = map.Read(at, tw);
            if (actual != expected)
            {
                int i = System.Numerics.BitOperations.TrailingZeroCount(actual ^ expected) / 8;
                throw Mismatch(spec, at + i, (byte)(actual >> (i * 8)), (byte)(expected >> (i * 8)));
            }
        }
    }

    private static CliRuntimeException Mismatch(TargetSpec spec, long offset, byte actual, byte expected) => new(
        $"verify failed: the byte at offset {ValueFormatter.Offset(offset)} of {spec.Text} reads 0x{actual:x2}, but the file has 0x{expected:x2}");
}
