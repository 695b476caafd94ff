using System.Text;

namespace IoSys.Cli;

/// <summary>Where a command's output goes and what it may know about its environment (injectable for tests).</summary>
internal sealed class CliContext
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public CliContext(Stream output, TextWriter error, bool errorIsTerminal)
    {
        Output = output;
        Out = new StreamWriter(output, Utf8NoBom, 4096, leaveOpen: true) { NewLine = "\n" };
        Error = error;
        ErrorIsTerminal = errorIsTerminal;
    }

    /// <summary>Standard output as bytes (dumps write here directly).</summary>
    public Stream Output { get; }

    /// <summary>Standard output as text; flushed by <see cref="CliApp"/> when the command ends.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether standard error is a terminal (progress bars go there only then).</summary>
    public bool ErrorIsTerminal { get; }

    /// <summary>Cancelled by Ctrl-C (watch, poll).</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>
    /// sysfs root for enumeration and PCI/UIO lookups: <c>/sys</c>, or the <c>--sysfs-root</c> option. Never taken from
    /// the environment: whoever sets the environment of a privileged tool must not choose which files it writes.
    /// </summary>
    public string SysfsRoot { get; set; } = "/sys";

    /// <summary>Device root for UIO: <c>/dev</c>, or the <c>--dev-root</c> option (never the environment).</summary>
    public string DevRoot { get; set; } = "/dev";

    /// <summary><c>--enable</c>: turn on a PCI device's memory decoding (sysfs <c>enable</c>) before mapping its BAR.</summary>
    public bool EnableDevices { get; set; }

    /// <summary>Register descriptions read so far, by path as given: a description is read once per process (batch).</summary>
    public Dictionary<string, IoSys.Registers.Descriptions.DeviceDescription> Descriptions { get; } = new(StringComparer.Ordinal);

    /// <summary>In a batch: the <c>--svd</c> file of the batch, used by lines that give none.</summary>
    public string? BatchSvd { get; set; }

    /// <summary>In a batch: the <c>--peripheral</c> of the batch.</summary>
    public string? BatchPeripheral { get; set; }

    /// <summary>In a batch: the one opened target every line works on (commands borrow it instead of opening their own).</summary>
    public Targets.OpenTarget? BatchTarget { get; set; }
}
