using System.Text.RegularExpressions;

namespace IoSys.Cli;

/// <summary>Turns any exception into one line on standard error and an exit code: never a stack trace.</summary>
internal static partial class ErrorReporter
{
    public const string Prefix = "iosys: error: ";

    /// <summary>The exit code and one-line message for <paramref name="error"/>.</summary>
    public static (int ExitCode, string Message) Describe(Exception error) => error switch
    {
        UsageException e => (ExitCodes.Usage, e.Message),
        CliRuntimeException e => (ExitCodes.Runtime, e.Message),
        IoAccessException e => (ExitCodes.Runtime, e.Reason),
        IoPollTimeoutException e => (ExitCodes.Runtime, e.Message),
        UnauthorizedAccessException e => (ExitCodes.Runtime, WithRootHint(OneLine(e))),
        FileNotFoundException e => (ExitCodes.Runtime, OneLine(e)),
        DirectoryNotFoundException e => (ExitCodes.Runtime, OneLine(e)),
        ObjectDisposedException e => (ExitCodes.Runtime, OneLine(e)),
        FormatException e => (ExitCodes.Usage, OneLine(e)),
        OverflowException e => (ExitCodes.Runtime, OneLine(e)),
        OperationCanceledException => (130, "interrupted"),
        _ => (ExitCodes.Runtime, OneLine(error)),
    };

    /// <summary>
    /// Reports <paramref name="error"/> on <paramref name="stderr"/> (control characters escaped: messages echo
    /// user input) and returns the exit code. Standard error may be closed, read-only or full: the message is then
    /// lost, but the exit code still says what happened.
    /// </summary>
    public static int Report(Exception error, TextWriter stderr)
    {
        (int code, string message) = Describe(error);
        TryWrite(stderr, Prefix + Output.TextEscape.Escape(message) + "\n");
        return code;
    }

    /// <summary>Writes and flushes <paramref name="text"/>, ignoring a failure of the stream itself (EBADF, EPIPE, ENOSPC).</summary>
    public static void TryWrite(TextWriter writer, string text)
    {
        try
        {
            writer.Write(text);
            writer.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            // Nowhere left to report it.
        }
    }

    /// <summary>
    /// The first line of the message without ArgumentException's <c>(Parameter 'x')</c> suffix; unexpected types
    /// are named so that a bug report says what happened.
    /// </summary>
    public static string OneLine(Exception error)
    {
        string message = error.Message;
        int newline = message.IndexOfAny(['\r', '\n']);
        if (newline >= 0)
        {
            message = message[..newline];
        }

        message = ParameterSuffix().Replace(message, "").Trim();
        bool known = error is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
            or NotSupportedException or KeyNotFoundException or TimeoutException or FormatException or OverflowException
            or ObjectDisposedException;
        return known || message.Length == 0 ? (message.Length == 0 ? error.GetType().Name : message) : $"{message} ({error.GetType().Name})";
    }

    private static string WithRootHint(string message) =>
        message.Contains("root", StringComparison.OrdinalIgnoreCase) || message.Contains("udev", StringComparison.OrdinalIgnoreCase)
            ? message
            : message + " (run as root, or grant access with a udev rule)";

    [GeneratedRegex(@"\s*\(Parameter '[^']*'\)\s*$")]
    private static partial Regex ParameterSuffix();
}
