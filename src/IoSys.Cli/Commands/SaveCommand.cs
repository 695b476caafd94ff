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
        Argument<string> file = new("FILE")
        {
            Description = "The file to write (created or replaced: written to a temporary file, then renamed into place; never the target itself)",
        };
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
            IoTransferPlan plan = CommonOptions.CheckRange(open.Map, spec, start, n, w, write: false);
            using OutputFile output = OutputFile.Create(path, open);
            using (var progress = new Progress(context, "save", n))
            {
                ChunkedTransfer.Read(open, plan, (data, _) => output.Stream.Write(data), progress);
            }

            output.Commit();
            return ExitCodes.Ok;
        });
        return command;
    }
}
