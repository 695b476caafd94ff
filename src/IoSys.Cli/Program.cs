using IoSys.Cli;
using IoSys.Cli.Output;

// Before anything opens a file: a descriptor 0-2 the parent closed must not go to a target or an output file.
DescriptorStream.ReserveStandardDescriptors();

// Ctrl-C cancels watch/poll cleanly instead of killing the process mid-access. Registered only for them: the
// handler starts a signal thread, and a one-register read should start as fast as possible.
using var cancel = new CancellationTokenSource();
if (args.Length > 0 && args[0] is "watch" or "poll" or "batch")
{
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancel.Cancel();
    };
}

// write(2) on descriptors 1 and 2 (see DescriptorStream for why neither Console's streams nor FileStream).
// Either may be closed, read-only, a full disk or a pipe whose reader left: writing them then throws IOException,
// which CliApp turns into an exit code (never an abort); the last line here guards what runs outside it.
using Stream stdout = new DescriptorStream(1);
using var stderr = new StreamWriter(new DescriptorStream(2),
    new System.Text.UTF8Encoding(false), 1024) { AutoFlush = true, NewLine = "\n" };
var context = new CliContext(stdout, stderr, errorIsTerminal: !Console.IsErrorRedirected) { Cancellation = cancel.Token };
try
{
    return CliApp.Run(args, context);
}
catch (IOException)
{
    return ExitCodes.Runtime;
}
