using System.CommandLine;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;
using IoSys.Cli.Targets;

namespace IoSys.Cli.Commands;

/// <summary><c>dump TARGET [OFFSET [LENGTH]] [--words] [--width] [--output FILE]</c>: hexdump -C format.</summary>
internal static class DumpCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> target = CommonOptions.Target();
        Argument<string?> offset = new("OFFSET") { Description = "Where to start (default 0)", Arity = ArgumentArity.ZeroOrOne };
        Argument<string?> length = new("LENGTH") { Description = "How many bytes (default: to the end of the target; K/M/G suffixes)", Arity = ArgumentArity.ZeroOrOne };
        Option<bool> words = new("--words") { Description = "Print words of the access width instead of hexdump -C bytes" };
        Option<string?> width = CommonOptions.Width("Access width in bits for reading (default: the widest the region accepts; 32 with --words)");
        Option<string?> output = new("--output", "-o")
        {
            Description = "Write the dump to FILE instead of standard output (written to a temporary file, then renamed into place; never the target itself)",
            HelpName = "FILE",
        };
        var command = new Command("dump", "Dump memory in hexdump -C format (or as words with --words)") { target, offset, length, words, width, output };
        command.SetAction(result =>
        {
            TargetSpec spec = CommonOptions.GetTarget(result, target);
            long start = result.GetValue(offset) is { } o ? NumberParser.ParseOffset(o) : 0;
            long? count = result.GetValue(length) is { } l ? NumberParser.ParseLength(l) : null;
            bool asWords = result.GetValue(words);
            int w = CommonOptions.GetWidth(result, width, asWords ? 4 : 0);
            string? outputPath = result.GetValue(output);

            using OpenTarget open = TargetOpener.Open(spec, writable: false, context);
            IoSysMap map = open.Map;
            long n = count ?? Math.Max(0, map.Size - start);
            IoTransferPlan plan = CommonOptions.CheckRange(map, spec, start, n, w, write: false);

            using OutputFile? file = outputPath is null ? null : OutputFile.Create(outputPath, open);
            Stream sink = file?.Stream ?? context.Output;
            using (var progress = new Progress(context, "dump", n, enabled: file is not null))
            {
                context.Out.Flush();
                HexDumpWriter? hex = asWords ? null : new HexDumpWriter(sink, start);
                StreamWriter? text = asWords ? new StreamWriter(sink, leaveOpen: true) { NewLine = "\n" } : null;
                WordDumpWriter? wordWriter = text is null ? null : new WordDumpWriter(text, start, w);
                ChunkedTransfer.Read(open, plan, (data, _) =>
                {
                    if (hex is not null)
                    {
                        hex.Write(data);
                    }
                    else
                    {
                        wordWriter!.Write(data);
                    }
                }, progress);

                hex?.Finish(n > 0);
                wordWriter?.Finish(n > 0);
                text?.Dispose();
            }

            file?.Commit();
            return ExitCodes.Ok;
        });
        return command;
    }
}
