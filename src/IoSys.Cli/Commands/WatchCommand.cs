using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;
using IoSys.Cli.Registers;
using IoSys.Cli.Targets;

namespace IoSys.Cli.Commands;

/// <summary><c>watch TARGET OFFSET [--interval] [--width]</c>: prints the value, then each change, until Ctrl-C.</summary>
internal static class WatchCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> target = CommonOptions.Target();
        Argument<string> offset = CommonOptions.Offset();
        Option<string> interval = new("--interval", "-i") { Description = "Time between reads (default 100ms)", HelpName = "I", DefaultValueFactory = _ => "100ms" };
        Option<string?> width = CommonOptions.Width("Access width in bits (default 32)");
        Option<string> format = CommonOptions.Format();
        Option<string?> changes = new("--changes", "-c") { Description = "Stop after this many changes", HelpName = "N" };
        Option<string?> duration = new("--timeout", "-t") { Description = "Stop after this long (500ms, 2s, 1m)", HelpName = "T" };
        var command = new Command("watch", "Print the value and then each change (with the time since start) until Ctrl-C")
        {
            target, offset, interval, width, format, changes, duration,
        };
        var svd = new SvdOptions();
        svd.AddTo(command);
        command.SetAction(result =>
        {
            TargetSpec spec = CommonOptions.GetTarget(result, target);
            RegisterLocation location = RegisterView.Locate(result.GetRequiredValue(offset), result.GetValue(width), 4, svd.Load(result, spec, context)).Readable();
            long at = location.Offset;
            int w = location.Width;
            TimeSpan pause = NumberParser.ParseDuration(result.GetRequiredValue(interval), "interval");
            ValueFormat fmt = ValueFormatter.ParseFormat(result.GetRequiredValue(format));
            long maxChanges = result.GetValue(changes) is { } c ? NumberParser.ParseLength(c, "changes") : long.MaxValue;
            TimeSpan limit = result.GetValue(duration) is { } d ? NumberParser.ParseDuration(d, "timeout") : Timeout.InfiniteTimeSpan;

            using OpenTarget open = TargetOpener.Open(spec, writable: false, context);
            IoSysMap map = open.Map;
            CommonOptions.CheckRange(map, spec, at, w, w, write: false);
            var clock = Stopwatch.StartNew();
            ulong last = map.Read(at, w);
            Print(context, clock, last, w, fmt, location, null);
            for (long seen = 0; seen < maxChanges;)
            {
                TimeSpan left = limit == Timeout.InfiniteTimeSpan ? pause : limit - clock.Elapsed;
                if (left <= TimeSpan.Zero || context.Cancellation.WaitHandle.WaitOne(left < pause ? left : pause))
                {
                    break; // Timed out, or Ctrl-C: both are the normal ways to stop watching.
                }

                // A removed device stays mapped and reads whatever the bus answers: check it is still there first.
                open.ThrowIfGone("watching");

                ulong value = map.Read(at, w);
                // A field is watched alone: changes of the register's other bits are not its changes.
                ulong watched = location.Field?.Mask ?? ulong.MaxValue;
                if (((value ^ last) & watched) != 0)
                {
                    Print(context, clock, value, w, fmt, location, last);
                    last = value;
                    seen++;
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// One line: <c>+SECONDS VALUE</c>; with a described register, its fields (first line) or the fields that changed
    /// since <paramref name="previous"/> (<c>NAME 0x0 -> 0x1</c>).
    /// </summary>
    private static void Print(CliContext context, Stopwatch clock, ulong value, int width, ValueFormat format, RegisterLocation location, ulong? previous)
    {
        string fields = location.Register is not { } r || r.Register.Fields.Count == 0 ? ""
            : previous is { } before ? " " + RegisterView.Changes(r.Register, before, value, location.Field)
            : " " + RegisterView.Fields(r.Register, value, location.Field);
        context.Out.Write(string.Create(CultureInfo.InvariantCulture, $"+{clock.Elapsed.TotalSeconds:0.000}s {ValueFormatter.Format(value, width, format)}{fields}\n"));
        context.Out.Flush(); // A watcher is read live, often through a pipe.
    }
}
