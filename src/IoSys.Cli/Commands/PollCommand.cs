using System.CommandLine;
using System.Diagnostics;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;
using IoSys.Cli.Targets;

namespace IoSys.Cli.Commands;

/// <summary><c>poll TARGET OFFSET --equals V [--mask M] [--timeout T] [--interval I]</c>: waits for (value &amp; M) == V.</summary>
internal static class PollCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> target = CommonOptions.Target();
        Argument<string> offset = CommonOptions.Offset();
        Option<string?> mask = new("--mask", "-m") { Description = "Bits to compare (default: all bits of the width)", HelpName = "M" };
        Option<string> equalsOption = new("--equals", "-e") { Description = "Value the masked bits must equal", HelpName = "V", Required = true };
        Option<string> timeout = new("--timeout", "-t") { Description = "How long to wait: 500ms, 2s, 1m (a bare number is seconds); default 1s", HelpName = "T", DefaultValueFactory = _ => "1s" };
        Option<string?> interval = new("--interval", "-i") { Description = "Pause between reads (default: spin briefly, then back off)", HelpName = "I" };
        Option<string?> width = CommonOptions.Width("Access width in bits (default 32)");
        Option<string> format = CommonOptions.Format();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("poll", "Read until (value & mask) == equals, or fail after the timeout (exit 1)")
        {
            target, offset, mask, equalsOption, timeout, interval, width, format, json,
        };
        command.SetAction(result =>
        {
            TargetSpec spec = CommonOptions.GetTarget(result, target);
            long at = NumberParser.ParseOffset(result.GetRequiredValue(offset));
            int w = CommonOptions.GetWidth(result, width, 4);
            ulong all = w == 8 ? ulong.MaxValue : (1UL << (w * 8)) - 1;
            ulong m = result.GetValue(mask) is { } mt ? NumberParser.ParseValue(mt, "mask", w * 8) : all;
            ulong v = NumberParser.ParseValue(result.GetRequiredValue(equalsOption), "equals value", w * 8);
            TimeSpan limit = NumberParser.ParseDuration(result.GetRequiredValue(timeout), "timeout");
            TimeSpan pause = result.GetValue(interval) is { } it ? NumberParser.ParseDuration(it, "interval") : TimeSpan.Zero;
            ValueFormat fmt = ValueFormatter.ParseFormat(result.GetRequiredValue(format));
            if ((v & ~m) != 0)
            {
                throw new UsageException($"equals value {ValueFormatter.Hex(v, w)} has bits outside the mask {ValueFormatter.Hex(m, w)}: the condition could never hold");
            }

            using OpenTarget open = TargetOpener.Open(spec, writable: false, context);
            IoSysMap map = open.Map;
            var clock = Stopwatch.StartNew();
            ulong value = w switch
            {
                1 => map.Poll<byte>(at, x => (x & m) == v, limit, pause, context.Cancellation),
                2 => map.Poll<ushort>(at, x => (x & m) == v, limit, pause, context.Cancellation),
                4 => map.Poll<uint>(at, x => (x & m) == v, limit, pause, context.Cancellation),
                _ => map.Poll<ulong>(at, x => (x & m) == v, limit, pause, context.Cancellation),
            };
            double elapsed = clock.Elapsed.TotalMilliseconds;
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, new JsonPollResult(spec.Text, at, w * 8, m, v, value, ValueFormatter.Hex(value, w), Math.Round(elapsed, 3)),
                    CliJsonContext.Default.JsonPollResult);
            }
            else
            {
                context.Out.Write(ValueFormatter.Format(value, w, fmt));
                context.Out.Write('\n');
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
