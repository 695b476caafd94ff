using System.CommandLine;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;
using IoSys.Cli.Targets;

namespace IoSys.Cli.Commands;

/// <summary><c>dump TARGET [OFFSET [LENGTH]] [--words] [--width] [--output FILE]</c>: hexdump -C format.</summary>
internal static class DumpCommand
{
    // Large reads keep the per-call cost negligible; a multiple of 16 keeps lines whole between chunks.
    internal const int ChunkSize = 1 << 20;

    public static Command Create(CliContext context)
    {
        Argument<string> target = CommonOptions.Target();
        Argument<string?> offset = new("OFFSET") { Description = "Where to start (default 0)", Arity = ArgumentArity.ZeroOrOne };
        Argument<string?> length = new("LENGTH") { Description = "How many bytes (default: to the end of the target; K/M/G suffixes)", Arity = ArgumentArity.ZeroOrOne };
        Option<bool> words = new("--words") { Description = "Print words of the access width instead of hexdump -C bytes" };
        Option<string?> width = CommonOptions.Width("Access width in bits for reading (default: the widest the region accepts; 32 with --words)");
        Option<string?> output = new("--output", "-o") { Description = "Write the dump to FILE instead of standard output", HelpName = "FILE" };
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
            CommonOptions.CheckRange(map, spec, start, n);
            if (w != 0)
            {
                CommonOptions.CheckWidthThroughout(map, spec, start, n, w, write: false);
            }

            AccessWidths widths = CommonOptions.BulkWidths(w);
            Stream sink = context.Output;
            FileStream? file = null;
            if (outputPath is not null)
            {
                file = new FileStream(outputPath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
                sink = file;
            }

            using (file)
            using (var progress = new Progress(context, "dump", n, enabled: file is not null))
            {
                context.Out.Flush();
                var buffer = new byte[(int)Math.Min(ChunkSize, Math.Max(n, 16))];
                HexDumpWriter? hex = asWords ? null : new HexDumpWriter(sink, start);
                StreamWriter? text = asWords ? new StreamWriter(sink, leaveOpen: true) { NewLine = "\n" } : null;
                WordDumpWriter? wordWriter = text is null ? null : new WordDumpWriter(text, start, w);
                for (long done = 0; done < n;)
                {
                    int chunk = (int)Math.Min(buffer.Length, n - done);
                    Span<byte> data = buffer.AsSpan(0, chunk);
                    map.ReadBytes(start + done, data, widths);
                    if (hex is not null)
                    {
                        hex.Write(data);
                    }
                    else
                    {
                        wordWriter!.Write(data);
                    }

                    done += chunk;
                    progress.Report(done);
                }

                hex?.Finish(n > 0);
                wordWriter?.Finish(n > 0);
                text?.Dispose();
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
