using System.Buffers.Binary;
using System.CommandLine;
using IoSys.Cli.Parsing;
using IoSys.Cli.Targets;

namespace IoSys.Cli.Commands;

/// <summary><c>fill TARGET OFFSET LENGTH VALUE [--width]</c>.</summary>
internal static class FillCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> target = CommonOptions.Target();
        Argument<string> offset = CommonOptions.Offset();
        Argument<string> length = new("LENGTH") { Description = "Bytes to fill (K/M/G suffixes)" };
        Argument<string> value = new("VALUE") { Description = "A byte, or with --width a value of that width repeated" };
        Option<string?> width = CommonOptions.Width("Width of VALUE in bits; each store is one access of exactly this width (default: VALUE is a byte, stored with the widest accesses the region accepts)");
        var command = new Command("fill", "Fill a range with a byte, or with a repeated value of the width") { target, offset, length, value, width };
        command.SetAction(result =>
        {
            TargetSpec spec = CommonOptions.GetTarget(result, target);
            long start = NumberParser.ParseOffset(result.GetRequiredValue(offset));
            long n = NumberParser.ParseLength(result.GetRequiredValue(length));
            string? widthText = result.GetValue(width);
            int w = widthText is null ? 1 : NumberParser.ParseWidthBits(widthText);
            ulong v = NumberParser.ParseValue(result.GetRequiredValue(value), "value", w * 8);
            if (widthText is not null && n % w != 0)
            {
                throw new UsageException($"length {n} (0x{n:x}) is not a multiple of the {w * 8}-bit width");
            }

            // Without --width the value is a byte stored with any widths (width 0 to the check and the copy).
            int accessWidth = widthText is null ? 0 : w;
            using OpenTarget open = TargetOpener.Open(spec, writable: true, context);
            IoTransferPlan plan = CommonOptions.CheckRange(open.Map, spec, start, n, accessWidth, write: true);

            // The pattern repeats every w bytes (w divides 8), so each piece starts at its position's place in it.
            byte[] pattern = new byte[16]; // Two periods of 8, so any phase has 8 bytes after it.
            for (int i = 0; i < pattern.Length; i += w)
            {
                Span<byte> slot = pattern.AsSpan(i, w);
                switch (w)
                {
                    case 2: BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)v); break;
                    case 4: BinaryPrimitives.WriteUInt32LittleEndian(slot, (uint)v); break;
                    case 8: BinaryPrimitives.WriteUInt64LittleEndian(slot, v); break;
                    default: slot[0] = (byte)v; break;
                }
            }

            ChunkedTransfer.Write(open, plan, (chunk, at) =>
            {
                int phase = (int)(at & 7);
                for (int i = 0; i < chunk.Length; i += 8)
                {
                    pattern.AsSpan(phase, Math.Min(8, chunk.Length - i)).CopyTo(chunk[i..]);
                }
            });
            return ExitCodes.Ok;
        });
        return command;
    }
}
