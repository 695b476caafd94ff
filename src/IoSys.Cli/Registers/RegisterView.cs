using System.Globalization;
using System.Text;
using System.Xml;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;
using IoSys.Linux;
using IoSys.Registers.Descriptions;
using IoSys.Registers.Descriptions.Svd;

namespace IoSys.Cli.Registers;

/// <summary>
/// Where an access goes once names are resolved: an offset in bytes from the start of the target, a width in bytes,
/// and the register (and field) it names, if any.
/// </summary>
/// <param name="Offset">Offset in bytes from the start of the target.</param>
/// <param name="Width">Access width in bytes (1, 2, 4 or 8).</param>
/// <param name="Register">The register at that offset, or null for a plain offset.</param>
/// <param name="Field">The field named, or null.</param>
internal sealed record RegisterLocation(long Offset, int Width, RegisterInstance? Register, FieldDescription? Field)
{
    /// <summary>The register's path and the field (<c>CR.UARTEN[0]</c>), or the offset in hex.</summary>
    public string Describe() => Register is null ? ValueFormatter.Offset(Offset)
        : Field is null ? Register.Path : Register.Path + "." + Field.Name + Field.BitRangeText();

    /// <summary>Refuses to read a register its description calls write-only (its reads mean nothing); returns this.</summary>
    public RegisterLocation Readable()
    {
        if (Register is { } r && !r.Register.Access.CanRead())
        {
            throw new UsageException($"register {r.Path} is write-only ({r.Register.Access}): a read returns nothing meaningful");
        }

        if (Field is { } f && !f.Access.CanRead())
        {
            throw new UsageException($"field {Describe()} is write-only ({f.Access}): a read returns nothing meaningful");
        }

        return this;
    }
}

/// <summary>
/// One peripheral of a register description (a CMSIS-SVD file) laid over one target: the offset in the target of
/// the peripheral's offset 0, and name resolution. Every error names the file, the register or field, and the text
/// at fault.
/// </summary>
internal sealed class RegisterView(string file, PeripheralDescription peripheral, long baseOffset)
{
    /// <summary>Largest description file read, in bytes: vendor files of thousands of registers are a few MiB.</summary>
    internal const long MaxFileBytes = 64L << 20;

    /// <summary>The description file's path as given (for messages).</summary>
    public string File { get; } = file;

    /// <summary>The peripheral whose registers names refer to.</summary>
    public PeripheralDescription Peripheral { get; } = peripheral;

    /// <summary>Offset in bytes in the target of the peripheral's offset 0 (nonzero for a <c>mem:</c> range that starts before the peripheral).</summary>
    public long BaseOffset { get; } = baseOffset;

    /// <summary>
    /// Reads <paramref name="path"/> (once per process: cached in <paramref name="context"/>) and selects a peripheral:
    /// <paramref name="peripheralName"/>, else the only one, else the one a <c>mem:</c> target's range holds.
    /// </summary>
    public static RegisterView Load(string path, string? peripheralName, TargetSpec target, CliContext context)
    {
        DeviceDescription device = ReadDevice(path, context);
        PeripheralDescription peripheral = Select(device, path, peripheralName, target);
        long baseOffset = 0;
        if (target.Kind == TargetKind.PhysicalMemory)
        {
            // A physical range names real addresses: the peripheral must lie in it, else the description is for
            // another device (pl011.svd over the RTC's range would print the RTC's registers under UART names).
            ulong end = target.Address + (ulong)target.Length;
            if (peripheral.BaseAddress < target.Address || peripheral.BaseAddress >= end)
            {
                throw new UsageException(
                    $"{path}: peripheral {peripheral.Name} is at 0x{peripheral.BaseAddress:x}, outside {target.Text} (0x{target.Address:x}..0x{end:x}); " +
                    $"use mem:0x{peripheral.BaseAddress:x}+0x{Math.Max(peripheral.Span, 1):x}");
            }

            baseOffset = (long)(peripheral.BaseAddress - target.Address);
        }

        return new RegisterView(path, peripheral, baseOffset);
    }

    /// <summary>
    /// Resolves the text where a command takes an offset: a number is an offset (and the register there, if the
    /// description has one); anything else is a register path, optionally with <c>.FIELD</c>. The width comes from
    /// the register; an explicit <paramref name="widthText"/> that disagrees is an error.
    /// </summary>
    public static RegisterLocation Locate(string text, string? widthText, int defaultWidth, RegisterView? view)
    {
        int? explicitWidth = widthText is null ? null : NumberParser.ParseWidthBits(widthText);
        if (LooksNumeric(text))
        {
            long offset = NumberParser.ParseOffset(text);
            RegisterInstance? at = view?.RegisterAt(offset);
            if (at is not null && explicitWidth is null && TryWidth(at.Register, out int atWidth))
            {
                return new RegisterLocation(offset, atWidth, at, null);
            }

            // An explicit width that differs from the register's there makes it a raw access: no register claimed.
            return new RegisterLocation(offset, explicitWidth ?? defaultWidth, at is not null && explicitWidth is { } e && TryWidth(at.Register, out int w) && w == e ? at : null, null);
        }

        if (view is null)
        {
            throw new UsageException($"offset '{text}' is not a number (0x hex, 0b binary, decimal; K/M/G suffixes); register names need --svd FILE");
        }

        if (!RegisterCodec.TryResolve(view.Peripheral, text, out RegisterInstance? register, out FieldDescription? field, out string? error))
        {
            throw new UsageException($"{view.File}: {error}");
        }

        if (!TryWidth(register.Register, out int width))
        {
            throw new UsageException(
                $"{view.File}: register {register.Path} is {register.Register.Size} bits wide; iosys accesses registers of 8, 16, 32 or 64 bits");
        }

        if (explicitWidth is { } ew && ew != width)
        {
            throw new UsageException($"--width {ew * 8} disagrees with {view.File}: register {register.Path} is {width * 8} bits");
        }

        if (register.Offset > (ulong)(long.MaxValue - view.BaseOffset))
        {
            throw new UsageException($"{view.File}: register {register.Path} is at offset 0x{register.Offset:x}, past the largest offset");
        }

        return new RegisterLocation(view.BaseOffset + (long)register.Offset, width, register, field);
    }

    /// <summary>The first register at <paramref name="offset"/> bytes from the start of the target, or null.</summary>
    public RegisterInstance? RegisterAt(long offset)
    {
        if (offset < BaseOffset)
        {
            return null;
        }

        ulong relative = (ulong)(offset - BaseOffset);
        foreach (RegisterInstance r in Peripheral.Registers)
        {
            if (r.Offset == relative)
            {
                return r;
            }
        }

        return null;
    }

    /// <summary>The access width in bytes of a register of 8, 16, 32 or 64 bits.</summary>
    public static bool TryWidth(RegisterDescription register, out int bytes)
    {
        bytes = register.Size is 8 or 16 or 32 or 64 ? register.Size / 8 : 0;
        return bytes != 0;
    }

    /// <summary>Why reading <paramref name="register"/> unasked is not safe (write-only, a read side effect), or null.</summary>
    public static string? ReadHazard(RegisterDescription register)
    {
        if (!register.Access.CanRead())
        {
            return "write-only";
        }

        if (register.ReadAction != ReadAction.None)
        {
            return "read has a side effect (readAction " + register.ReadAction + ")";
        }

        foreach (FieldDescription f in register.Fields)
        {
            if (f.ReadAction != ReadAction.None)
            {
                return $"reading field {f.Name} has a side effect (readAction {f.ReadAction})";
            }
        }

        return null;
    }

    /// <summary>A field value as <c>0x</c> hex, without padding.</summary>
    public static string FieldHex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>The fields of <paramref name="register"/> that differ between two raw values, as <c>NAME 0x0 -> 0x1 (Meaning)</c>, comma-separated; bits no field covers are reported as <c>other bits</c>.</summary>
    public static string Changes(RegisterDescription register, ulong before, ulong after, FieldDescription? only)
    {
        var text = new StringBuilder();
        IReadOnlyList<DecodedField> a = RegisterCodec.Decode(register, before);
        IReadOnlyList<DecodedField> b = RegisterCodec.Decode(register, after);
        ulong covered = 0;
        for (int i = 0; i < a.Count; i++)
        {
            covered |= a[i].Field.Mask;
            if (a[i].Value == b[i].Value || (only is not null && !ReferenceEquals(a[i].Field, only)))
            {
                continue;
            }

            text.Append(text.Length == 0 ? "" : ", ").Append(TextEscape.Escape(a[i].Field.Name)).Append(' ')
                .Append(ValueWithMeaning(a[i])).Append(" -> ").Append(ValueWithMeaning(b[i]));
        }

        ulong other = ~covered & register.SizeMask;
        if (only is null && ((before ^ after) & other) != 0)
        {
            text.Append(text.Length == 0 ? "" : ", ").Append("other bits ").Append(FieldHex(before & other)).Append(" -> ").Append(FieldHex(after & other));
        }

        return text.ToString();
    }

    /// <summary>Every field as <c>NAME=0xV(Meaning)</c>, space-separated.</summary>
    public static string Fields(RegisterDescription register, ulong raw, FieldDescription? only)
    {
        var text = new StringBuilder();
        foreach (DecodedField f in RegisterCodec.Decode(register, raw))
        {
            if (only is null || ReferenceEquals(f.Field, only))
            {
                text.Append(text.Length == 0 ? "" : " ").Append(TextEscape.Escape(f.Field.Name)).Append('=').Append(ValueWithMeaning(f));
            }
        }

        return text.ToString();
    }

    private static string ValueWithMeaning(DecodedField f) =>
        FieldHex(f.Value) + (f.Meaning is null ? "" : "(" + TextEscape.Escape(f.Meaning.Name) + ")");

    private static bool LooksNumeric(string text)
    {
        string t = text.TrimStart();
        return t.Length == 0 || char.IsAsciiDigit(t[0]) || t[0] is '+' or '-';
    }

    private static DeviceDescription ReadDevice(string path, CliContext context)
    {
        if (context.Descriptions.TryGetValue(path, out DeviceDescription? cached))
        {
            return cached;
        }

        if (path.Length == 0)
        {
            throw new UsageException("--svd needs a file");
        }

        // Opened by RegularFileIo: the kind is checked on the path and again on the descriptor, opened non-blocking,
        // so a FIFO, a device or /proc file is refused at once instead of blocking or reading forever.
        byte[] bytes;
        try
        {
            using RegularFileIo file = RegularFileIo.Open(path, readOnly: true);
            if (file.Length > MaxFileBytes)
            {
                throw new CliRuntimeException($"{path}: the description is {file.Length} bytes, more than the limit of {MaxFileBytes} ({MaxFileBytes >> 20} MiB)");
            }

            if (file.Length == 0)
            {
                throw new CliRuntimeException($"{path}: the description file is empty");
            }

            bytes = new byte[file.Length];
            file.ReadExactly(0, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new CliRuntimeException($"cannot read register description {path}: {ErrorReporter.OneLine(e)}");
        }

        CheckDepth(bytes, path);
        SvdReadResult result;
        using (var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
        {
            result = SvdReader.Read(reader, path, new SvdReaderOptions { MaxFileBytes = MaxFileBytes });
        }

        SvdDiagnostic? first = result.Diagnostics.FirstOrDefault(d => d.Severity == SvdSeverity.Error);
        if (first is not null || result.Device is null)
        {
            // A description read with errors has elements left out: acting on it could write the wrong bits.
            string more = result.ErrorCount > 1 ? $" (and {result.ErrorCount - 1} more errors)" : "";
            throw new CliRuntimeException($"register description {path} is not usable: {first?.ToString() ?? "no device"}{more}");
        }

        context.Descriptions[path] = result.Device;
        return result.Device;
    }

    /// <summary>Deepest element nesting accepted: SVD needs about 12 levels plus one per nested cluster (at most 32).</summary>
    internal const int MaxDepth = 64;

    /// <summary>
    /// Refuses elements nested deeper than <see cref="MaxDepth"/> with one streaming pass before the description is
    /// built: the reader's time grows with the square of the nesting depth (60,000 levels of unknown elements take
    /// tens of seconds), which a hostile file could use to stall the tool. Malformed XML is left to the reader, which
    /// reports it with its line.
    /// </summary>
    private static void CheckDepth(byte[] bytes, string path)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreWhitespace = true,
            IgnoreProcessingInstructions = true,
        };
        try
        {
            using var xml = XmlReader.Create(new MemoryStream(bytes), settings);
            while (xml.Read())
            {
                if (xml.NodeType == XmlNodeType.Element && xml.Depth > MaxDepth)
                {
                    var at = (IXmlLineInfo)xml;
                    throw new CliRuntimeException(
                        $"register description {path} is not usable: {path}({at.LineNumber},{at.LinePosition}): <{xml.LocalName}> is nested deeper than {MaxDepth} elements");
                }
            }
        }
        catch (XmlException)
        {
            // Reported by the reader, with its position.
        }
    }

    private static PeripheralDescription Select(DeviceDescription device, string path, string? name, TargetSpec target)
    {
        IReadOnlyList<PeripheralDescription> all = device.Peripherals;
        if (name is not null)
        {
            return device.FindPeripheral(name) ?? throw new UsageException(
                $"{path}: no peripheral '{name}'; it has {List(all.Select(p => p.Name))}");
        }

        if (all.Count == 1)
        {
            return all[0];
        }

        if (all.Count == 0)
        {
            throw new UsageException($"{path} describes no peripherals");
        }

        if (target.Kind == TargetKind.PhysicalMemory)
        {
            ulong end = target.Address + (ulong)target.Length;
            PeripheralDescription[] inside = all.Where(p => p.BaseAddress >= target.Address && p.BaseAddress < end).ToArray();
            PeripheralDescription[] exact = inside.Where(p => p.BaseAddress == target.Address).ToArray();
            if (exact.Length == 1)
            {
                return exact[0];
            }

            if (inside.Length == 1)
            {
                return inside[0];
            }
        }

        throw new UsageException(
            $"{path} describes {all.Count} peripherals ({List(all.Select(p => p.Name))}): choose one with --peripheral NAME" +
            (target.Kind == TargetKind.PhysicalMemory ? $"; none starts at {target.Text}'s address alone" : ""));
    }

    private static string List(IEnumerable<string> names)
    {
        string[] first = names.Take(13).ToArray();
        return first.Length > 12 ? string.Join(", ", first.Take(12)) + ", ..." : string.Join(", ", first);
    }
}
