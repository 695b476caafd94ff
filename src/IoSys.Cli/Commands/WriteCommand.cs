using System.CommandLine;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;
using IoSys.Cli.Targets;

namespace IoSys.Cli.Commands;

/// <summary><c>write TARGET OFFSET VALUE [--width] [--read-back]</c>: exactly one access of the width.</summary>
internal static class WriteCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> target = CommonOptions.Target();
        Argument<string> offset = CommonOptions.Offset();
        Argument<string> value = new("VALUE") { Description = "Value to write (0x hex, 0b binary, decimal); must fit the width" };
        Option<string?> width = CommonOptions.Width("Access width in bits (default 32): one access of exactly this width");
        Option<bool> readBack = new("--read-back", "-r") { Description = "Read the value back after writing (one access) and print it" };
        Option<string> format = CommonOptions.Format();
        var command = new Command("write", "Write one value with one access of exactly the width") { target, offset, value, width, readBack, format };
        command.SetAction(result =>
        {
            TargetSpec spec = CommonOptions.GetTarget(result, target);
            long at = NumberParser.ParseOffset(result.GetRequiredValue(offset));
            int w = CommonOptions.GetWidth(result, width, 4);
            ulong v = NumberParser.ParseValue(result.GetRequiredValue(value), "value", w * 8);
            ValueFormat fmt = ValueFormatter.ParseFormat(result.GetRequiredValue(format));

            using OpenTarget open = TargetOpener.Open(spec, writable: true, context);
            CommonOptions.CheckRange(open.Map, spec, at, w, w, write: true);
            open.Map.Write(at, w, v);
            open.ThrowIfGone("writing"); // A removed device drops the write silently.
            if (result.GetValue(readBack))
            {
                context.Out.Write(ValueFormatter.Format(open.Map.Read(at, w), w, fmt));
                context.Out.Write('\n');
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
