using System.Buffers.Binary;
using System.CommandLine;
using IoSys.Cli.Output;
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

            using OpenTarget open = TargetOpener.Open(spec, writable: true, context);
            IoSysMap map = open.Map;
            CommonOptions.CheckRange(map, spec, start, n);
            if (widthText is null)
            {
                map.Fill(start, n, (byte)v);
                return ExitCodes.Ok;
            }

            // Whole range checked first: the fill goes in chunks, and a refusal halfway would leave it half done.
            CommonOptions.CheckWidthThroughout(map, spec, start, n, w, write: true);
            var pattern = new byte[(int)Math.Min(DumpCommand.ChunkSize, n)];
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

            AccessWidths only = AccessWidthsExtensions.FromBytes(w);
            for (long done = 0; done < n;)
            {
                int chunk = (int)Math.Min(pattern.Length, n - done);
                map.WriteBytes(start + done, pattern.AsSpan(0, chunk), only);
                done += chunk;
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
