using IoSys.Cli;
using IoSys.Cli.Output;

// Ctrl-C cancels watch/poll cleanly instead of killing the process mid-access. Registered only for them: the
// handler starts a signal thread, and a one-register read should start as fast as possible.
using var cancel = new CancellationTokenSource();
if (args.Length > 0 && args[0] is "watch" or "poll")
{
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancel.Cancel();
    };
}

// write(2) on descriptors 1 and 2 (see DescriptorStream for why neither Console's streams nor FileStream).
using Stream stdout = new DescriptorStream(1);
using var stderr = new StreamWriter(new DescriptorStream(2),
    new System.Text.UTF8Encoding(false), 1024) { AutoFlush = true, NewLine = "\n" };
var context = new CliContext(stdout, stderr, errorIsTerminal: !Console.IsErrorRedirected) { Cancellation = cancel.Token };
return CliApp.Run(args, context);
