using System.CommandLine;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;
using IoSys.Cli.Targets;
using IoSys.Linux;

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
        Argument<string> file = new("FILE") { Description = "The file to copy in (a regular file)" };
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

            // Read without mapping and only if it is a regular file: a FIFO is refused, and a file that shrinks while
            // it is read is an error (short read), not a SIGBUS.
            TargetOpener.RequireRegular(path);
            using RegularFileIo input = RegularFileIo.Open(path, readOnly: true);
            long n = input.Length;
            using OpenTarget open = TargetOpener.Open(spec, writable: true, context);
            IoSysMap map = open.Map;

            // Plan and check everything before the first store: a load refused halfway would leave a device half programmed.
            long main = w == 0 ? n : n - (n % w);
            if (main < n)
            {
                CommonOptions.CheckInRange(map, spec, start, n); // Without a tail, the main part's check is the range check.
            }

            IoTransferPlan plan = CommonOptions.CheckRange(map, spec, start, main, w, write: true);
            IoTransferPlan tail = PlanTail(map, spec, start + main, n - main, w);

            using (var progress = new Progress(context, "load", n))
            {
                ChunkedTransfer.Write(open, plan, (chunk, at) => input.ReadExactly(at, chunk), progress);
                foreach (IoTransferChunk access in tail)
                {
                    map.Write(access.Offset, access.Width, ReadFileValue(input, access.Offset - start, access.Width));
                }

                open.ThrowIfGone("writing");
            }

            string how = w == 0 ? "" : $" with {w * 8}-bit accesses" + (n > main ? $" (tail of {n - main} bytes narrower)" : "");
            if (result.GetValue(verify))
            {
                Verify(context, open, input, start, n, plan, tail);
                context.Out.Write($"loaded and verified {n} bytes from {TextEscape.Escape(path)} into {TextEscape.Escape(spec.Text)} at {ValueFormatter.Offset(start)}{how}\n");
            }
            else
            {
                context.Out.Write($"loaded {n} bytes from {TextEscape.Escape(path)} into {TextEscape.Escape(spec.Text)} at {ValueFormatter.Offset(start)}{how}\n");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// The accesses for the tail (shorter than the main width): the core's plan with the widths below
    /// <paramref name="mainWidth"/>, i.e. at each offset the widest of them that is aligned and accepted there.
    /// </summary>
    private static IoTransferPlan PlanTail(IoSysMap map, TargetSpec spec, long at, long length, int mainWidth)
    {
        // AccessWidths flags are the widths in bytes, so the widths below mainWidth are mainWidth - 1.
        AccessWidths narrower = mainWidth == 0 ? AccessWidths.None : (AccessWidths)(mainWidth - 1);
        if (!map.TryCheckRange(at, length, narrower, write: true, out _, out long failedAt))
        {
            throw new CliRuntimeException(
                $"cannot store the last {at + length - failedAt} byte(s) of the file at offset {ValueFormatter.Offset(failedAt)} of {spec.Text}: " +
                $"the file's length is not a multiple of the {mainWidth * 8}-bit width and the region accepts only " +
                $"{map.WidthsAt(failedAt).Describe()} accesses there; pad the file to a multiple of {mainWidth} bytes");
        }

        return map.PlanTransfer(at, length, narrower);
    }

    private static ulong ReadFileValue(RegularFileIo input, long position, int width)
    {
        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        input.ReadExactly(position, bytes[..width]);
        return BitConverter.ToUInt64(bytes);
    }

    private static void Verify(CliContext context, OpenTarget open, RegularFileIo input, long start, long n, IoTransferPlan plan, IoTransferPlan tail)
    {
        byte[] expected = new byte[(int)Math.Clamp(plan.Length, 16, ChunkedTransfer.ChunkSize)];
        using (var progress = new Progress(context, "verify", n))
        {
            ChunkedTransfer.Read(open, plan, (actual, at) =>
            {
                Span<byte> wanted = expected.AsSpan(0, actual.Length);
                input.ReadExactly(at, wanted);
                int i = wanted.CommonPrefixLength(actual);
                if (i < wanted.Length)
                {
                    throw Mismatch(open.Spec, start + at + i, actual[i], wanted[i]);
                }
            }, progress);
        }

        foreach (IoTransferChunk access in tail)
        {
            ulong wanted = ReadFileValue(input, access.Offset - start, access.Width);
            ulong actual = open.Map.Read(access.Offset, access.Width);
            if (actual != wanted)
            {
                int i = System.Numerics.BitOperations.TrailingZeroCount(actual ^ wanted) / 8;
                throw Mismatch(open.Spec, access.Offset + i, (byte)(actual >> (i * 8)), (byte)(wanted >> (i * 8)));
            }
        }
    }

    private static CliRuntimeException Mismatch(TargetSpec spec, long offset, byte actual, byte expected) => new(
        $"verify failed: the byte at offset {ValueFormatter.Offset(offset)} of {spec.Text} reads 0x{actual:x2}, but the file has 0x{expected:x2}");
}
