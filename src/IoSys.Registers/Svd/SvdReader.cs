using System;
using System.Collections.Generic;
using System.IO;
using System.Xml;
using System.Xml.Linq;

namespace IoSys.Registers.Descriptions.Svd;

/// <summary>Limits a <see cref="SvdReader"/> applies to what it reads (hostile files must not exhaust memory).</summary>
public sealed class SvdReaderOptions
{
    /// <summary>The default options.</summary>
    public static SvdReaderOptions Default { get; } = new();

    /// <summary>Largest file read, in bytes (characters, for text). Default 256 MiB; the biggest vendor files are tens of MiB.</summary>
    public long MaxFileBytes { get; init; } = 256L << 20;

    /// <summary>
    /// Most register and cluster instances (array elements and cluster copies counted) plus fields a file may describe. Default
    /// 4,000,000; a <c>dim</c> of a billion is refused instead of allocated.
    /// </summary>
    public int MaxElements { get; init; } = 4_000_000;
}

/// <summary>
/// Reads CMSIS-SVD files into a <see cref="DeviceDescription"/>. Never throws for bad content: every problem is an
/// <see cref="SvdDiagnostic"/> naming file, line, element and path, and the element at fault is left out.
/// </summary>
/// <remarks>
/// Supported: device/peripheral/cluster/register/field/enumeratedValues, <c>derivedFrom</c> on each of them (plain or
/// dot-qualified names), <c>dim</c>/<c>dimIncrement</c>/<c>dimIndex</c> (lists, numeric and letter ranges; <c>%s</c>
/// names expanded, <c>[%s]</c> register and cluster names kept as arrays), nested clusters, the register properties
/// <c>size</c>/<c>access</c>/<c>protection</c>/<c>resetValue</c>/<c>resetMask</c> inherited device → peripheral →
/// cluster → register, <c>bitOffset</c>/<c>bitWidth</c>, <c>lsb</c>/<c>msb</c>, <c>bitRange</c>, alternates, and
/// enumerated values with <c>isDefault</c> and don't-care digits. DTDs are refused; external entities never load.
/// </remarks>
public static class SvdReader
{
#if !IOSYS_GENERATOR // The register generator gets files from the compiler (AdditionalFiles), never from the disk (RS1035).
    /// <summary>Reads an SVD file.</summary>
    /// <param name="path">The file's path. It must be a regular, non-empty file of at most <see cref="SvdReaderOptions.MaxFileBytes"/> bytes.</param>
    /// <param name="options">Limits, or null for <see cref="SvdReaderOptions.Default"/>.</param>
    /// <returns>The device and the diagnostics; an unreadable file is an <c>SVD001</c> error naming the path.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    public static SvdReadResult ReadFile(string path, SvdReaderOptions? options = null)
    {
        if (path is null)
        {
            throw new ArgumentNullException(nameof(path));
        }

        options ??= SvdReaderOptions.Default;
        string? problem = null;
        try
        {
            if (Directory.Exists(path))
            {
                problem = "is a directory, not an SVD file";
            }
            else
            {
                var info = new FileInfo(path);
                if (!info.Exists)
                {
                    problem = "does not exist";
                }
#if NET
                else if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true })
                {
                    problem = "is a symbolic link to a file that does not exist";
                }
#endif
                else if (info.Length == 0)
                {
                    // FIFOs, character devices and /proc files report length 0 as well: refusing them here means a
                    // reader never blocks on a pipe or reads /dev/zero forever.
                    problem = "is empty or not a regular file (FIFO, device, /proc)";
                }
                else if (info.Length > options.MaxFileBytes)
                {
                    problem = $"is {info.Length} bytes, more than the limit of {options.MaxFileBytes}";
                }
                else
                {
                    using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                    using var reader = new StreamReader(stream);
                    return Read(reader, path, options);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException or System.Security.SecurityException)
        {
            problem = "cannot be read: " + e.Message;
        }

        var diagnostic = new SvdDiagnostic(SvdSeverity.Error, "SVD001", new SourceLocation(path, 0, 0), "file", string.Empty, $"'{path}' {problem}");
        return new SvdReadResult(null, new[] { diagnostic });
    }
#endif

    /// <summary>Parses SVD text.</summary>
    /// <param name="text">The XML text.</param>
    /// <param name="fileName">The name diagnostics give as the file.</param>
    /// <param name="options">Limits, or null for <see cref="SvdReaderOptions.Default"/>.</param>
    /// <returns>The device and the diagnostics.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static SvdReadResult Parse(string text, string fileName, SvdReaderOptions? options = null)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        using var reader = new StringReader(text);
        return Read(reader, fileName, options);
    }

    /// <summary>Reads SVD text from a reader (which stays open).</summary>
    /// <param name="reader">The text.</param>
    /// <param name="fileName">The name diagnostics give as the file.</param>
    /// <param name="options">Limits, or null for <see cref="SvdReaderOptions.Default"/>.</param>
    /// <returns>The device and the diagnostics; text that is not well-formed XML is an <c>SVD002</c> error at its line.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    public static SvdReadResult Read(TextReader reader, string fileName, SvdReaderOptions? options = null)
    {
        if (reader is null)
        {
            throw new ArgumentNullException(nameof(reader));
        }

        options ??= SvdReaderOptions.Default;
        fileName ??= string.Empty;
        var diagnostics = new List<SvdDiagnostic>();
        XDocument document;
        DepthLimitedXmlReader? xml = null;
        try
        {
            var settings = new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                IgnoreComments = true,
                IgnoreProcessingInstructions = true,
                MaxCharactersInDocument = options.MaxFileBytes,
                CloseInput = false,
            };
            xml = new DepthLimitedXmlReader(XmlReader.Create(reader, settings));
            document = XDocument.Load(xml, LoadOptions.SetLineInfo);
        }
        catch (XmlException) when (xml?.TooDeep is { } deep)
        {
            diagnostics.Add(new SvdDiagnostic(SvdSeverity.Error, "SVD016", new SourceLocation(fileName, deep.Line, deep.Column), deep.Element, deep.Path, $"elements nested deeper than {DepthLimitedXmlReader.MaxDepth} levels are not supported (nothing is read from the file)"));
            return new SvdReadResult(null, diagnostics);
        }
        catch (XmlException e)
        {
            // Some refusals (a DTD, a missing root) carry no position: the reader's is where it stopped.
            int line = e.LineNumber, column = e.LinePosition;
            if (line == 0 && xml is IXmlLineInfo info && info.HasLineInfo())
            {
                (line, column) = (info.LineNumber, info.LinePosition);
            }

            diagnostics.Add(new SvdDiagnostic(SvdSeverity.Error, "SVD002", new SourceLocation(fileName, Math.Max(line, 1), Math.Max(column, 1)), "document", string.Empty, "not well-formed XML: " + e.Message));
            return new SvdReadResult(null, diagnostics);
        }
        catch (IOException e)
        {
            diagnostics.Add(new SvdDiagnostic(SvdSeverity.Error, "SVD001", new SourceLocation(fileName, 0, 0), "file", string.Empty, "cannot be read: " + e.Message));
            return new SvdReadResult(null, diagnostics);
        }
        finally
        {
            xml?.Dispose();
        }

        DeviceDescription? device = new SvdParser(fileName, options, diagnostics).Parse(document);
        return new SvdReadResult(device, diagnostics);
    }
}
