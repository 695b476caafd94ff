using System.CommandLine;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;
using IoSys.Cli.Registers;
using IoSys.Cli.Targets;

namespace IoSys.Cli.Commands;

/// <summary><c>read TARGET OFFSET [--width] [--count] [--format] [--json]</c>: one access per value.</summary>
internal static class ReadCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> target = CommonOptions.Target();
        Argument<string> offset = CommonOptions.Offset();
        Option<string?> width = CommonOptions.Width("Access width in bits (default 32); each value is one access of exactly this width");
        Option<string> count = new("--count", "-n") { Description = "Number of consecutive values to read", DefaultValueFactory = _ => "1", HelpName = "N" };
        Option<string> format = CommonOptions.Format();
        Option<bool> json = CommonOptions.Json();
        var svd = new SvdOptions();
        var command = new Command("read", "Read values: one access of exactly the width each, printed one per line") { target, offset, width, count, format, json };
        svd.AddTo(command);
        command.SetAction(result =>
        {
            TargetSpec spec = CommonOptions.GetTarget(result, target);
            // With --svd, OFFSET may be a register (its width) or REGISTER.FIELD (the field's value is printed).
            RegisterLocation location = RegisterView.Locate(result.GetRequiredValue(offset), result.GetValue(width), 4, svd.Load(result, spec, context)).Readable();
            long start = location.Offset;
            int w = location.Width;
            long n = NumberParser.ParseLength(result.GetRequiredValue(count), "count");
            ValueFormat fmt = ValueFormatter.ParseFormat(result.GetRequiredValue(format));
            if (n < 1 || n > (1 << 24))
            {
                throw new UsageException($"count {n} is not between 1 and {1 << 24}");
            }

            if (location.Field is not null && n != 1)
            {
                throw new UsageException($"--count {n} reads consecutive registers: name a register, not the field {location.Describe()}");
            }

            if (start > long.MaxValue - ((n - 1) * w))
            {
                throw new UsageException($"offset {ValueFormatter.Offset(start)} + {n} values of {w * 8} bits passes the largest offset");
            }

            using OpenTarget open = TargetOpener.Open(spec, writable: false, context);
            IoSysMap map = open.Map;

            // The whole range first, so a range that runs off the map or into a refused width reads nothing (a device
            // read can have side effects).
            CommonOptions.CheckRange(map, spec, start, n * w, w, write: false);
            var values = new ulong[n];
            for (long i = 0; i < n; i++)
            {
                values[i] = map.Read(start + (i * w), w);
            }

            open.ThrowIfGone("reading"); // A removed device reads all ones: never print them as its registers.
            if (location.Field is { } field)
            {
                // The field's value, shifted down: what `CR.UARTEN` means to someone who typed it.
                values[0] = (values[0] & field.Mask) >> field.Lsb;
                w = Math.Max(1, (field.BitWidth + 7) / 8);
            }

            if (result.GetValue(json))
            {
                var items = new List<JsonValueItem>((int)n);
                for (long i = 0; i < n; i++)
                {
                    items.Add(new JsonValueItem(start + (i * w), values[i], ValueFormatter.Hex(values[i], w)));
                }

                JsonOutput.Write(context.Out, new JsonReadResult(spec.Text, w * 8, items), CliJsonContext.Default.JsonReadResult);
            }
            else
            {
                foreach (ulong value in values)
                {
                    context.Out.Write(ValueFormatter.Format(value, w, fmt));
                    context.Out.Write('\n');
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
