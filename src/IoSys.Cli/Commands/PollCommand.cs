using System.CommandLine;
using System.Diagnostics;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;
using IoSys.Cli.Registers;
using IoSys.Cli.Targets;
using IoSys.Registers.Descriptions;

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
        var svd = new SvdOptions();
        svd.AddTo(command);
        command.SetAction(result =>
        {
            TargetSpec spec = CommonOptions.GetTarget(result, target);
            RegisterView? view = svd.Load(result, spec, context);
            RegisterLocation location = RegisterView.Locate(result.GetRequiredValue(offset), result.GetValue(width), 4, view).Readable();
            long at = location.Offset;
            int w = location.Width;
            ulong all = w == 8 ? ulong.MaxValue : (1UL << (w * 8)) - 1;
            ulong m = result.GetValue(mask) is { } mt ? NumberParser.ParseValue(mt, "mask", w * 8) : all;
            ulong v;
            if (location.Field is { } field)
            {
                // A field is its own mask, and --equals is in the field's units (a number or an enumerated name).
                if (result.GetValue(mask) is not null)
                {
                    throw new UsageException($"--mask with the field {location.Describe()}: the field's bits are the mask");
                }

                if (!RegisterCodec.TryParseFieldValue(field, result.GetRequiredValue(equalsOption), out ulong fv, out string? error))
                {
                    throw new UsageException($"{view!.File}: --equals: {error}");
                }

                m = field.Mask;
                v = fv << field.Lsb;
            }
            else
            {
                v = NumberParser.ParseValue(result.GetRequiredValue(equalsOption), "equals value", w * 8);
            }
            TimeSpan limit = NumberParser.ParseDuration(result.GetRequiredValue(timeout), "timeout");
            TimeSpan pause = result.GetValue(interval) is { } it ? NumberParser.ParseDuration(it, "interval") : TimeSpan.Zero;
            ValueFormat fmt = ValueFormatter.ParseFormat(result.GetRequiredValue(format));
            if ((v & ~m) != 0)
            {
                throw new UsageException($"equals value {ValueFormatter.Hex(v, w)} has bits outside the mask {ValueFormatter.Hex(m, w)}: the condition could never hold");
            }

            using OpenTarget open = TargetOpener.Open(spec, writable: false, context);
            IoSysMap map = open.Map;
            CommonOptions.CheckRange(map, spec, at, w, w, write: false);
            var clock = Stopwatch.StartNew();
            ulong value = Wait(open, at, w, m, v, limit, pause, clock, context.Cancellation);
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

    /// <summary>
    /// Reads until (value &amp; mask) == expected. The deadline bounds every wait, whatever the interval: the pause
    /// before a read is cut to the time left, and a read that would come after the deadline is not made (one
    /// scheduling tick of slack). Without an interval: spin briefly, then yield, then sleep at most 1 ms. A target
    /// that can be removed (a PCI device keeps its mapping and reads all ones) is asked whether it is gone at most
    /// every <see cref="GoneCheckInterval"/>, before a timeout is reported and before a match is, as watch does.
    /// </summary>
    internal static ulong Wait(OpenTarget target, long offset, int width, ulong mask, ulong expected, TimeSpan limit,
        TimeSpan interval, Stopwatch clock, CancellationToken cancellation)
    {
        IoSysMap map = target.Map;
        TimeSpan goneChecked = clock.Elapsed;
        for (long attempt = 0; ; attempt++)
        {
            cancellation.ThrowIfCancellationRequested();
            ulong value = map.Read(offset, width);
            if ((value & mask) == expected)
            {
                // A removed device reads all ones, which may match: it must still be there for the value to count.
                target.ThrowIfGone("polling");
                return value;
            }

            TimeSpan left = limit - clock.Elapsed;
            if (target.Gone is not null && (left <= TimeSpan.Zero || clock.Elapsed - goneChecked >= GoneCheckInterval))
            {
                target.ThrowIfGone("polling");
                goneChecked = clock.Elapsed;
            }

            if (left <= TimeSpan.Zero)
            {
                throw new CliRuntimeException(
                    $"timed out after {Milliseconds(limit)} ms waiting for (value & {ValueFormatter.Hex(mask, width)}) == {ValueFormatter.Hex(expected, width)} " +
                    $"at offset {ValueFormatter.Offset(offset)} of {target.Spec.Text}; last value read {ValueFormatter.Hex(value, width)}");
            }

            TimeSpan pause = interval > TimeSpan.Zero ? interval
                : attempt < 64 ? TimeSpan.Zero
                : TimeSpan.FromMilliseconds(Math.Min(1, (attempt - 64) / 64.0));
            if (pause > left)
            {
                pause = left;
            }

            if (pause <= TimeSpan.Zero)
            {
                Thread.SpinWait(16);
            }
            else if (cancellation.WaitHandle.WaitOne(pause))
            {
                cancellation.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>How often a poll asks whether its target is gone: a sysfs lookup, rare next to the reads.</summary>
    internal static readonly TimeSpan GoneCheckInterval = TimeSpan.FromMilliseconds(20);

    private static string Milliseconds(TimeSpan span) => span.TotalMilliseconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
