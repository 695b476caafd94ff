using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using IoSys.Cli.Commands;
using IoSys.Cli.Output;

namespace IoSys.Cli;

/// <summary>Builds the command tree and runs one command line, turning every failure into an exit code.</summary>
internal static class CliApp
{
    private static readonly (string Name, Func<CliContext, Command> Create)[] Commands =
    [
        ("list", ListCommand.Create),
        ("read", ReadCommand.Create),
        ("write", WriteCommand.Create),
        ("dump", DumpCommand.Create),
        ("fill", FillCommand.Create),
        ("load", LoadCommand.Create),
        ("save", SaveCommand.Create),
        ("poll", PollCommand.Create),
        ("watch", WatchCommand.Create),
        ("bind", BindCommand.CreateBind),
        ("unbind", BindCommand.CreateUnbind),
        ("regs", RegsCommand.Create),
        ("batch", BatchCommand.Create),
    ];

    /// <summary>
    /// The command tree. When the first word names a command, only that command is built: a one-register read
    /// is mostly process start-up, and building the other eight commands' options is measurable there.
    /// </summary>
    public static Command Build(CliContext context, string? only = null)
    {
        // A plain command named "iosys" rather than RootCommand, whose name would follow the assembly (IoSys.Cli).
        var root = new Command("iosys",
            "iosys: safe, typed, fast access to memory-mapped I/O and shared memory (PCI BARs, UIO, /dev/mem, files, /dev/shm, simulated devices).\n" +
            "Every access is checked (range, alignment, the widths the region accepts) before it is made.\n" +
            "Try: iosys read sim:edu 0")
        {
            new HelpOption(),
            new VersionOption(),
        };
        // Roots move only through these explicit options (tests, fixtures), never the environment.
        var sysfsRoot = new Option<string>("--sysfs-root")
        {
            Description = "Read sysfs from this directory instead of /sys (test fixtures; files under /sys must be on sysfs, files elsewhere need not)",
            HelpName = "DIR",
            Recursive = true,
        };
        var devRoot = new Option<string>("--dev-root")
        {
            Description = "Look for UIO device nodes in this directory instead of /dev (test fixtures)",
            HelpName = "DIR",
            Recursive = true,
        };
        root.Options.Add(sysfsRoot);
        root.Options.Add(devRoot);
        bool known = Commands.Any(c => c.Name == only);
        foreach ((string name, Func<CliContext, Command> create) in Commands)
        {
            if (!known || name == only)
            {
                Command command = create(context);
                if (name is not ("list" or "bind" or "unbind"))
                {
                    command.Options.Add(new Option<bool>(EnableOption)
                    {
                        Description = "If a PCI device has memory decoding off, turn it on first (writes 1 to its sysfs enable; root). Without it such a device is refused",
                    });
                }

                root.Subcommands.Add(command);
            }
        }

        return root;
    }

    private const string EnableOption = "--enable";

    /// <summary>Copies the global options (roots, --enable) into the context before the command runs.</summary>
    private static void ApplyGlobalOptions(ParseResult parsed, CliContext context)
    {
        if (parsed.GetValue<string>("--sysfs-root") is { } sysfs)
        {
            context.SysfsRoot = sysfs.Length > 0 ? sysfs : throw new UsageException("--sysfs-root needs a directory");
        }

        if (parsed.GetValue<string>("--dev-root") is { } dev)
        {
            context.DevRoot = dev.Length > 0 ? dev : throw new UsageException("--dev-root needs a directory");
        }

        if (parsed.CommandResult.Command.Options.Any(o => o.Name == EnableOption))
        {
            context.EnableDevices = parsed.GetValue<bool>(EnableOption);
        }
    }

    /// <summary>Runs <paramref name="args"/>: 0 on success, 1 on a runtime error, 2 on a usage error.</summary>
    public static int Run(string[] args, CliContext context)
    {
        try
        {
            Command root = Build(context, args.Length > 0 ? args[0] : null);
            ParseResult parsed = root.Parse(args);
            if (parsed.Action is ParseErrorAction)
            {
                return ReportParseErrors(parsed, context);
            }

            ApplyGlobalOptions(parsed, context);
            var configuration = new InvocationConfiguration
            {
                Output = context.Out,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            };
            int code = parsed.Invoke(configuration);
            context.Out.Flush();
            return code;
        }
        catch (Exception e)
        {
            TryFlush(context.Out);
            if (e is IOException { HResult: DescriptorStream.BrokenPipe })
            {
                return ExitCodes.Runtime; // The reader went away (e.g. `| head`): nothing to report.
            }

            return ErrorReporter.Report(e, context.Error);
        }
    }

    private static int ReportParseErrors(ParseResult parsed, CliContext context)
    {
        string command = parsed.CommandResult.Command.Name == "iosys" ? "" : " " + parsed.CommandResult.Command.Name;
        // An unknown word explains more than the "required command" error it causes.
        string first = parsed.Errors.Select(e => e.Message).OrderBy(m => m.StartsWith("Unrecognized", StringComparison.Ordinal) ? 0 : 1)
            .FirstOrDefault() ?? "invalid command line";
        ErrorReporter.TryWrite(context.Error, $"{ErrorReporter.Prefix}{Output.TextEscape.Escape(first.TrimEnd('.'))} (see 'iosys{command} --help')\n");
        return ExitCodes.Usage;
    }

    private static void TryFlush(TextWriter writer)
    {
        try
        {
            writer.Flush();
        }
        catch (IOException)
        {
            // Standard output is gone; the error still goes to standard error.
        }
    }
}
