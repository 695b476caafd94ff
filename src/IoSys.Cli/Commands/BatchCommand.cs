using System.CommandLine;
using System.CommandLine.Invocation;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;
using IoSys.Cli.Registers;
using IoSys.Cli.Targets;
using IoSys.Linux;

namespace IoSys.Cli.Commands;

/// <summary>
/// <c>batch [SCRIPT|-] [--target TARGET] [--svd FILE] [--peripheral P]</c>: many operations against one opened target in
/// one process. Each line is a command as typed after <c>iosys</c>, without the target (<c>read ID</c>,
/// <c>write Status.IrqOnFactorial=1</c>); the target comes from <c>--target</c> or a first line <c>open TARGET [--svd
/// FILE] [--peripheral P]</c>. The whole script is read and every line parsed before the first operation; the run
/// stops at the first failing line, reporting its number, text and error, with that command's exit code.
/// </summary>
internal static class BatchCommand
{
    /// <summary>The commands a line may use.</summary>
    internal static readonly string[] LineCommands = ["read", "write", "dump", "fill", "load", "save", "poll", "watch", "regs"];

    private static readonly string[] Writers = ["write", "fill", "load"];

    /// <summary>Options that choose how the target is opened: only the batch itself takes them.</summary>
    private static readonly string[] BatchOnlyOptions = ["--enable", "--sysfs-root", "--dev-root"];

    public static Command Create(CliContext context)
    {
        Argument<string> script = new("SCRIPT")
        {
            Description = "The operations, one a line (a file, a FIFO such as <(...), or - for standard input, the default)",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => "-",
        };
        Option<string?> targetOption = new("--target")
        {
            Description = CommonOptions.TargetHelp + ". Or give it in a first line: open TARGET [--svd FILE] [--peripheral NAME]",
            HelpName = "TARGET",
        };
        var svd = new SvdOptions();
        var command = new Command("batch",
            "Run many operations, one a line (read ID, write CR.UARTEN=1, poll Status.Computing --equals 0, regs; # comments), against one opened target in one process")
        {
            script, targetOption,
        };
        svd.AddTo(command);
        command.SetAction(result =>
        {
            string name = result.GetValue(script) ?? "-";
            List<BatchLine> lines = ReadScript(name);
            string? targetText = result.GetValue(targetOption);
            string? svdPath = result.GetValue(svd.Svd);
            string? peripheral = result.GetValue(svd.Peripheral);
            if (lines.Count > 0 && lines[0].Words[0] == "open")
            {
                BatchLine open = lines[0];
                lines.RemoveAt(0);
                if (targetText is not null)
                {
                    throw new UsageException($"line {open.Number} opens {open.Words.ElementAtOrDefault(1)} and --target gives {targetText}: use one of them");
                }

                (targetText, string? lineSvd, string? linePeripheral) = ParseOpen(open);
                svdPath = lineSvd ?? svdPath;
                peripheral = linePeripheral ?? peripheral;
            }

            if (targetText is null)
            {
                throw new UsageException("batch needs a target: --target TARGET, or a first line 'open TARGET'");
            }

            TargetSpec spec = TargetSpec.Parse(targetText);
            context.BatchSvd = svdPath;
            context.BatchPeripheral = peripheral;
            if (svdPath is not null)
            {
                // Read once, now: a description that is unusable stops the batch before any operation.
                _ = RegisterView.Load(svdPath, peripheral, spec, context);
            }
            else if (peripheral is not null)
            {
                throw new UsageException($"--peripheral {peripheral} needs --svd FILE");
            }

            // Every line is parsed before anything runs: a typo on line 9000 must not leave a device half programmed.
            var commands = new Dictionary<string, Command>(StringComparer.Ordinal);
            bool writes = false;
            foreach (BatchLine line in lines)
            {
                ParseResult parsed = Parse(line, targetText, context, commands);
                if (parsed.Errors.Count > 0)
                {
                    throw new UsageException($"line {line.Number} ({line.Text}): {parsed.Errors[0].Message.TrimEnd('.')}");
                }

                writes |= Writers.Contains(line.Words[0]);
            }

            using OpenTarget target = TargetOpener.Open(spec, writable: writes, context);
            context.BatchTarget = target;
            try
            {
                return Run(lines, targetText, context, commands);
            }
            finally
            {
                context.BatchTarget = null;
            }
        });
        return command;
    }

    private static int Run(List<BatchLine> lines, string targetText, CliContext context, Dictionary<string, Command> commands)
    {
        var configuration = new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        foreach (BatchLine line in lines)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            int code;
            string? message = null;
            try
            {
                code = Parse(line, targetText, context, commands).Invoke(configuration);
            }
            catch (Exception e) when (e is not IOException { HResult: DescriptorStream.BrokenPipe } and not OperationCanceledException)
            {
                (code, message) = ErrorReporter.Describe(e);
            }

            if (code != ExitCodes.Ok)
            {
                context.Out.Flush();
                ErrorReporter.TryWrite(context.Error,
                    $"{ErrorReporter.Prefix}line {line.Number} ({TextEscape.Escape(line.Text)}): {TextEscape.Escape(message ?? $"exit {code}")}\n");
                return code;
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>Parses one line as <c>iosys COMMAND TARGET ARGS...</c>, building each command's tree once.</summary>
    private static ParseResult Parse(BatchLine line, string targetText, CliContext context, Dictionary<string, Command> commands)
    {
        string verb = line.Words[0];
        if (!LineCommands.Contains(verb))
        {
            throw new UsageException(verb == "open"
                ? $"line {line.Number} ({line.Text}): 'open' may only be the first operation of a script"
                : $"line {line.Number} ({line.Text}): '{verb}' is not an operation of a batch (use {string.Join(", ", LineCommands)})");
        }

        foreach (string word in line.Words)
        {
            if (BatchOnlyOptions.Any(o => word == o || word.StartsWith(o + "=", StringComparison.Ordinal)))
            {
                throw new UsageException($"line {line.Number} ({line.Text}): {word} chooses how the target is opened: give it to 'iosys batch' itself");
            }
        }

        if (!commands.TryGetValue(verb, out Command? root))
        {
            root = CliApp.Build(context, verb);
            commands[verb] = root;
        }

        // The target goes where the command takes it: first, except for `load FILE TARGET [OFFSET]`.
        int at = verb == "load" && line.Words.Length > 1 ? 2 : 1;
        var args = new List<string>(line.Words.Length + 1);
        args.AddRange(line.Words.Take(at));
        args.Add(targetText);
        args.AddRange(line.Words.Skip(at));
        return root.Parse(args);
    }

    private static (string Target, string? Svd, string? Peripheral) ParseOpen(BatchLine line)
    {
        string[] w = line.Words;
        if (w.Length < 2 || w[1].StartsWith('-'))
        {
            throw new UsageException($"line {line.Number} ({line.Text}): open needs a target: open TARGET [--svd FILE] [--peripheral NAME]");
        }

        string? svd = null, peripheral = null;
        for (int i = 2; i < w.Length; i += 2)
        {
            if (i + 1 >= w.Length || (w[i] != "--svd" && w[i] != "--peripheral"))
            {
                throw new UsageException($"line {line.Number} ({line.Text}): open takes only --svd FILE and --peripheral NAME after the target");
            }

            if (w[i] == "--svd")
            {
                svd = w[i + 1];
            }
            else
            {
                peripheral = w[i + 1];
            }
        }

        return (w[1], svd, peripheral);
    }

    /// <summary>
    /// Whether descriptor 0 is a pipe this process holds another end of: the caller closed standard input and the
    /// runtime's own start-up (before <c>Main</c> could put <c>/dev/null</c> there) created a pipe that took number 0.
    /// Reading it would wait forever; an inherited pipe's write end belongs to another process.
    /// </summary>
    private static bool StandardInputIsInternal()
    {
        try
        {
            string? zero = new FileInfo("/proc/self/fd/0").LinkTarget;
            if (zero is null || !zero.StartsWith("pipe:", StringComparison.Ordinal))
            {
                return false;
            }

            foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                // The runtime keeps a duplicate of descriptor 0 (a read end): only a write end makes the pipe ours.
                string number = Path.GetFileName(fd);
                if (number != "0" && new FileInfo(fd).LinkTarget == zero && IsWriteOnly(number))
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            // No /proc: read standard input as it is.
        }

        return false;
    }

    /// <summary>Whether descriptor <paramref name="number"/> is open for writing only (<c>/proc/self/fdinfo</c> flags, O_ACCMODE == O_WRONLY).</summary>
    private static bool IsWriteOnly(string number)
    {
        foreach (string line in File.ReadLines("/proc/self/fdinfo/" + number))
        {
            if (line.StartsWith("flags:", StringComparison.Ordinal))
            {
                return (Convert.ToInt32(line[6..].Trim(), 8) & 3) == 1;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads the script: <c>-</c> is standard input (closed, it reads as empty); a path must be a regular file or a
    /// FIFO (a process substitution), never a device or a directory.
    /// </summary>
    private static List<BatchLine> ReadScript(string name)
    {
        if (name == "-")
        {
            if (StandardInputIsInternal())
            {
                return []; // The caller closed standard input: an empty script.
            }

            using Stream stdin = Console.OpenStandardInput();
            using var reader = new StreamReader(stdin, System.Text.Encoding.UTF8);
            return BatchScript.Read(reader, "standard input");
        }

        if (!FileStatus.TryGet(name, out FileStatus status))
        {
            throw new CliRuntimeException($"batch script '{name}' does not exist");
        }

        if (status.Kind is not (FileKind.Regular or FileKind.Fifo))
        {
            throw new CliRuntimeException($"batch script '{name}' is not a regular file or a FIFO ({status.Kind}); use - for standard input");
        }

        try
        {
            using var reader = new StreamReader(name, System.Text.Encoding.UTF8);
            return BatchScript.Read(reader, name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliRuntimeException($"cannot read batch script '{name}': {ErrorReporter.OneLine(e)}");
        }
    }
}
