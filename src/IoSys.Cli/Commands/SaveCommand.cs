using System.CommandLine;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;
using IoSys.Cli.Targets;

namespace IoSys.Cli.Commands;

/// <summary><c>save TARGET OFFSET LENGTH FILE [--width]</c>: copies a range out to a file.</summary>
internal static class SaveCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> target = CommonOptions.Target();
        Argument<string> offset = CommonOptions.Offset();
        Argument<string> length = new("LENGTH") { Description = "Bytes to save (K/M/G suffixes)" };
        Argument<string> file = new("FILE") { Description = "The file to write (created or replaced)" };
        Option<string?> width = CommonOptions.Width("Access width in bits for every load (default: the widest the region accepts)");
        var command = new Command("save", "Copy a range of the target out to a file") { target, offset, length, file, width };
        command.SetAction(result =>
        {
            TargetSpec spec = CommonOptions.GetTarget(result, target);
            long start = NumberParser.ParseOffset(result.GetRequiredValue(offset));
            long n = NumberParser.ParseLength(result.GetRequiredValue(length));
            string path = result.GetRequiredValue(file);
            int w = CommonOptions.GetWidth(result, width, 0);

            using OpenTarget open = TargetOpener.Open(spec, writable: false, context);
            IoSysMap map = open.Map;
            CommonOptions.CheckRange(map, spec, start, n);
            if (w != 0)
            {
                CommonOptions.CheckWidthThroughout(map, spec, start, n, w, write: false);
            }

            AccessWidths widths = CommonOptions.BulkWidths(w);
            var buffer = new byte[(int)Math.Clamp(n, 1, DumpCommand.ChunkSize)];
            using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            using var progress = new Progress(context, "save", n);
            for (long done = 0; done < n;)
            {
                int chunk = (int)Math.Min(buffer.Length, n - done);
                map.ReadBytes(start + done, buffer.AsSpan(0, chunk), widths);
                output.Write(buffer, 0, chunk);
                done += chunk;
                progress.Report(done);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
