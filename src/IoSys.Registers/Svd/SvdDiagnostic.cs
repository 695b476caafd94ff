using System;
using System.Collections.Generic;
using System.Globalization;

namespace IoSys.Registers.Descriptions.Svd;

/// <summary>How bad a problem in a description file is.</summary>
public enum SvdSeverity
{
    /// <summary>The content is odd but was read (e.g. overlapping fields, a reset value wider than its register).</summary>
    Warning,

    /// <summary>The content is malformed or unsupported; the element at fault was left out or given a default.</summary>
    Error,
}

/// <summary>
/// A problem found while reading a description file: where (file, line, column), in which element (its XML name and
/// the path of named elements around it, e.g. <c>UART0.CR.UARTEN</c>), and what.
/// </summary>
public sealed class SvdDiagnostic
{
    internal SvdDiagnostic(SvdSeverity severity, string code, SourceLocation location, string element, string path, string message)
    {
        Severity = severity;
        Code = code;
        Location = location;
        Element = element;
        Path = path;
        Message = message;
    }

    /// <summary>Error or warning.</summary>
    public SvdSeverity Severity { get; }

    /// <summary>A stable code, <c>SVD001</c> and up (see docs/registers.md).</summary>
    public string Code { get; }

    /// <summary>File, line and column of the element at fault.</summary>
    public SourceLocation Location { get; }

    /// <summary>The XML name of the element at fault, e.g. <c>bitRange</c>.</summary>
    public string Element { get; }

    /// <summary>The names of the peripheral, clusters, register and field around it, dot-separated, or empty.</summary>
    public string Path { get; }

    /// <summary>What is wrong.</summary>
    public string Message { get; }

    /// <summary>The diagnostic in the compiler's form: <c>file(line,col): error SVD010: &lt;element&gt; in PATH: message</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        string.Format(
            CultureInfo.InvariantCulture,
            "{0}: {1} {2}: <{3}>{4}: {5}",
            Location,
            Severity == SvdSeverity.Error ? "error" : "warning",
            Code,
            Element,
            Path.Length > 0 ? " in " + Path : string.Empty,
            Message);
}

/// <summary>The result of reading a description: the device (when the file was readable at all) and every problem found.</summary>
public sealed class SvdReadResult
{
    internal SvdReadResult(DeviceDescription? device, IReadOnlyList<SvdDiagnostic> diagnostics)
    {
        Device = device;
        Diagnostics = diagnostics;
        foreach (SvdDiagnostic d in diagnostics)
        {
            if (d.Severity == SvdSeverity.Error)
            {
                ErrorCount++;
            }
        }
    }

    /// <summary>
    /// The device, with every element that had an error left out; null when the file could not be read or parsed
    /// as XML, or its root is not <c>device</c>.
    /// </summary>
    public DeviceDescription? Device { get; }

    /// <summary>Every problem, in the order found.</summary>
    public IReadOnlyList<SvdDiagnostic> Diagnostics { get; }

    /// <summary>Number of <see cref="SvdSeverity.Error"/> diagnostics.</summary>
    public int ErrorCount { get; }

    /// <summary>Whether any diagnostic is an error.</summary>
    public bool HasErrors => ErrorCount > 0;

    /// <summary>The device when there is one and no error was found.</summary>
    /// <param name="device">The device, or null.</param>
    /// <returns>True when the file was read without errors.</returns>
    public bool TryGetDevice([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DeviceDescription? device)
    {
        device = HasErrors ? null : Device;
        return device is not null;
    }

    /// <summary>The diagnostics, one per line, in the compiler's form.</summary>
    /// <returns>The text, empty when there are none.</returns>
#if IOSYS_GENERATOR
    public override string ToString() => string.Join("\n", Diagnostics); // RS1035: a generator reads no Environment.
#else
    public override string ToString() => string.Join(Environment.NewLine, Diagnostics);
#endif
}
