using System.Text;

namespace IoSys.Cli;

/// <summary>Where a command's output goes and what it may know about its environment (injectable for tests).</summary>
internal sealed class CliContext
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public CliContext(Stream output, TextWriter error, bool errorIsTerminal, Func<string, string?>? environment = null)
    {
        Output = output;
        Out = new StreamWriter(output, Utf8NoBom, 4096, leaveOpen: true) { NewLine = "\n" };
        Error = error;
        ErrorIsTerminal = errorIsTerminal;
        Environment = environment ?? System.Environment.GetEnvironmentVariable;
    }

    /// <summary>Standard output as bytes (dumps write here directly).</summary>
    public Stream Output { get; }

    /// <summary>Standard output as text; flushed by <see cref="CliApp"/> when the command ends.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether standard error is a terminal (progress bars go there only then).</summary>
    public bool ErrorIsTerminal { get; }

    /// <summary>Environment variables (IOSYS_SYSFS_ROOT, IOSYS_DEV_ROOT).</summary>
    public Func<string, string?> Environment { get; }

    /// <summary>Cancelled by Ctrl-C (watch, poll).</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>sysfs root for enumeration and PCI lookups: <c>IOSYS_SYSFS_ROOT</c> or <c>/sys</c>.</summary>
    public string SysfsRoot => Environment("IOSYS_SYSFS_ROOT") is { Length: > 0 } root ? root : "/sys";

    /// <summary>Device root for UIO: <c>IOSYS_DEV_ROOT</c> or <c>/dev</c>.</summary>
    public string DevRoot => Environment("IOSYS_DEV_ROOT") is { Length: > 0 } root ? root : "/dev";
}
