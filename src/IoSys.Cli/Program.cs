using Microsoft.Win32.SafeHandles;
using IoSys.Cli;

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

// Plain file streams on descriptors 1 and 2, not Console's streams: writing through those initializes the
// terminal (terminfo, a signal thread, a keypad escape sequence on a tty), which costs a one-register read a
// noticeable part of its run time and puts escape codes into captured output.
using Stream stdout = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
using var stderr = new StreamWriter(new FileStream(new SafeFileHandle(2, ownsHandle: false), FileAccess.Write, bufferSize: 0),
    new System.Text.UTF8Encoding(false), 1024) { AutoFlush = true, NewLine = "\n" };
var context = new CliContext(stdout, stderr, errorIsTerminal: !Console.IsErrorRedirected) { Cancellation = cancel.Token };
return CliApp.Run(args, context);
