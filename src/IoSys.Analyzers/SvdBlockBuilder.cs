using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using IoSys.Registers.Descriptions;
using IoSys.Registers.Descriptions.Svd;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace IoSys.Analyzers;

/// <summary>
/// One SVD file given as an <c>AdditionalFiles</c> item, with its metadata: the pipeline's cache key. Compared by
/// value (text included), so an edit elsewhere in the project does not parse the file again.
/// </summary>
internal sealed record SvdInput(string Path, string? Text, string Namespace, string Peripherals, string WidthRules, string Enums)
{
    private const string Metadata = "build_metadata.AdditionalFiles.";

    public static bool IsSvd(AdditionalText file) => file.Path.EndsWith(".svd", StringComparison.OrdinalIgnoreCase);

    public static SvdInput From(AdditionalText file, AnalyzerConfigOptionsProvider options, CancellationToken cancellation)
    {
        AnalyzerConfigOptions item = options.GetOptions(file);
        string ns = Get(item, Metadata + "IoSysNamespace");
        if (ns.Length == 0)
        {
            ns = Get(options.GlobalOptions, "build_property.RootNamespace");
        }

        return new SvdInput(
            file.Path,
            file.GetText(cancellation)?.ToString(),
            ns,
            Get(item, Metadata + "IoSysPeripherals"),
            Get(item, Metadata + "IoSysWidthRules"),
            Get(item, Metadata + "IoSysEnums"));
    }

    private static string Get(AnalyzerConfigOptions options, string key) =>
        options.TryGetValue(key, out string? value) && value is not null ? value.Trim() : string.Empty;
}

/// <summary>A diagnostic about an SVD file, kept as plain data (file, line, column) so the model stays equatable.</summary>
internal sealed record SvdProblem(string Id, string Message, string Path, int Position, int Line, int Column)
{
    public Diagnostic ToDiagnostic()
    {
        DiagnosticDescriptor descriptor = Descriptors.Svd(Id);
        var where = new LinePosition(Math.Max(Line - 1, 0), Math.Max(Column - 1, 0));
        Location location = Location.Create(Path, new TextSpan(Position, 0), new LinePositionSpan(where, where));
        return Diagnostic.Create(descriptor, location, Message);
    }
}

/// <summary>What one SVD file generates: register blocks and diagnostics.</summary>
internal sealed record SvdGeneration(EquatableArray<BlockModel> Blocks, EquatableArray<SvdProblem> Problems);

/// <summary>What a block generated from a description adds to a hand-declared one.</summary>
internal sealed record SvdBlockInfo(
    string Source,
    string Peripheral,
    string? Doc,
    ulong BaseAddress,
    EquatableArray<WidthRuleModel> WidthRules,
    EquatableArray<EnumModel> NamespaceEnums,
    EquatableArray<string> SharedBy);

/// <summary>An <c>[IoWidthRule]</c> the generator emits on a block.</summary>
internal sealed record WidthRuleModel(long Offset, long Length, int Widths);

/// <summary>An enum generated from a field's enumerated values.</summary>
internal sealed record EnumModel(string Name, string Underlying, string? Doc, EquatableArray<EnumMemberModel> Members);

/// <summary>One named value.</summary>
internal sealed record EnumMemberModel(string Name, ulong Value, string? Doc);

/// <summary>
/// Turns an SVD file into register-block models for <see cref="RegisterEmitter"/>: the same blocks a hand
/// declaration gives. Reader diagnostics (SVD001-016) become IOSYS101-116; what the generator cannot express is
/// IOSYS120 (the register is left out) and a metadata problem IOSYS121. Never throws: a bug is IOSYS199.
/// </summary>
internal static class SvdBlockBuilder
{
    private static readonly HashSet<string> RegisterMembers = new(StringComparer.Ordinal)
    {
        "Offset", "Width", "Access", "ReservedMask", "Raw", "ResetValue", "Read", "Write", "Update", "ReadRelaxed",
        "WriteRelaxed", "Equals", "GetHashCode", "ToString", "Count", "Stride", "OffsetOf", "ThrowIndexOutOfRange",
        "GetType", "MemberwiseClone", "Finalize",
    };

    private static readonly string[] ArrayMembers = ["Count", "Stride", "OffsetOf", "ThrowIndexOutOfRange"];

    public static SvdGeneration Build(SvdInput input, CancellationToken cancellation)
    {
        var problems = new List<SvdProblem>();
        var blocks = new List<BlockModel>();
        SourceText? lines = null;
        int PositionOf(int line, int column)
        {
            if (line <= 0 || input.Text is null)
            {
                return 0;
            }

            lines ??= SourceText.From(input.Text);
            if (line > lines.Lines.Count)
            {
                return lines.Length;
            }

            TextLine l = lines.Lines[line - 1];
            return Math.Min(l.Start + Math.Max(column - 1, 0), l.End);
        }

        void Problem(string id, string message, SourceLocation at) =>
            problems.Add(new SvdProblem(id, message, input.Path, PositionOf(at.Line, at.Column), at.Line, at.Column));

        try
        {
            if (input.Text is null)
            {
                Problem("IOSYS101", $"'{input.Path}' cannot be read (SVD001)", default);
                return Result(blocks, problems);
            }

            SvdReadResult read = SvdReader.Parse(input.Text, input.Path);
            foreach (SvdDiagnostic d in read.Diagnostics)
            {
                string id = d.Code.Length == 6 && d.Code.StartsWith("SVD0", StringComparison.Ordinal) ? "IOSYS1" + d.Code.Substring(4) : "IOSYS199";
                Problem(id, $"<{d.Element}>{(d.Path.Length > 0 ? " in " + d.Path : string.Empty)}: {d.Message} ({d.Code})", d.Location);
            }

            if (read.Device is not DeviceDescription device)
            {
                return Result(blocks, problems);
            }

            Dictionary<string, string?>? filter = ParseFilter(input.Peripherals, out string? filterError);
            if (filterError is not null)
            {
                Problem("IOSYS121", filterError, default);
            }

            bool rules = !string.Equals(input.WidthRules, "none", StringComparison.OrdinalIgnoreCase);
            if (input.WidthRules.Length > 0 && rules && !string.Equals(input.WidthRules, "registers", StringComparison.OrdinalIgnoreCase))
            {
                Problem("IOSYS121", $"IoSysWidthRules is '{input.WidthRules}': 'registers' (the default) or 'none'", default);
            }

            bool namespaceEnums = string.Equals(input.Enums, "namespace", StringComparison.OrdinalIgnoreCase);
            if (input.Enums.Length > 0 && !namespaceEnums && !string.Equals(input.Enums, "nested", StringComparison.OrdinalIgnoreCase))
            {
                Problem("IOSYS121", $"IoSysEnums is '{input.Enums}': 'nested' (the default) or 'namespace'", default);
            }

            string? ns = input.Namespace.Length == 0 ? null : string.Join(".", input.Namespace.Split('.').Select(Identifier));
            var typeNames = new HashSet<string>(StringComparer.Ordinal);
            var namespaceEnumNames = new HashSet<string>(StringComparer.Ordinal);
            var byName = new Dictionary<string, int>(StringComparer.Ordinal);
            var shared = new Dictionary<int, List<string>>();
            foreach (PeripheralDescription p in device.Peripherals)
            {
                cancellation.ThrowIfCancellationRequested();
                string? typeName = null;
                if (filter is not null && !filter.TryGetValue(p.Name, out typeName))
                {
                    continue;
                }

                filter?.Remove(p.Name);

                var enums = new List<EnumModel>();
                BlockModel? block = BuildBlock(p, typeName ?? Identifier(p.Name), ns, rules, namespaceEnums ? enums : null, namespaceEnumNames, Problem, input.Path);
                if (block is null)
                {
                    continue;
                }

                // A peripheral derived from another with the same registers shares its type: a vendor file's
                // GPIOB..GPIOK do not each get a copy (the type describes the layout; the address is the map's).
                if (typeName is null && p.DerivedFrom is not null && byName.TryGetValue(p.DerivedFrom, out int baseIndex)
                    && blocks[baseIndex].Size == block.Size && blocks[baseIndex].Registers.Equals(block.Registers) && enums.Count == 0)
                {
                    if (!shared.TryGetValue(baseIndex, out List<string>? names))
                    {
                        shared[baseIndex] = names = [];
                    }

                    names.Add(p.Name);
                    continue;
                }

                string name = Unique(block.Name, typeNames);
                byName[p.Name] = blocks.Count;
                blocks.Add(block with
                {
                    Name = name,
                    FullName = ns is null ? name : ns + "." + name,
                    Svd = block.Svd! with { NamespaceEnums = new(enums.ToImmutableArray()) },
                });
            }

            foreach (KeyValuePair<int, List<string>> s in shared)
            {
                blocks[s.Key] = blocks[s.Key] with { Svd = blocks[s.Key].Svd! with { SharedBy = new(s.Value.ToImmutableArray()) } };
            }

            if (filter is { Count: > 0 })
            {
                Problem("IOSYS121", $"IoSysPeripherals names {string.Join(", ", filter.Keys.Select(k => "'" + k + "'"))}, which the file does not describe (it has {string.Join(", ", device.Peripherals.Take(20).Select(x => x.Name))}{(device.Peripherals.Count > 20 ? ", ..." : string.Empty)})", default);
            }
        }
        catch (OperationCanceledException)
        {
            throw;
        }
#pragma warning disable CA1031 // The generator must never crash the compiler: a bug becomes a diagnostic naming the file.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Problem("IOSYS199", $"internal error in the register generator ({e.GetType().Name}: {e.Message}); please report it with the file", default);
            blocks.Clear();
        }

        return Result(blocks, problems);
    }

    private static SvdGeneration Result(List<BlockModel> blocks, List<SvdProblem> problems) =>
        new(new(blocks.ToImmutableArray()), new(problems.ToImmutableArray()));

    /// <summary><c>A,B=TypeName</c>: the peripherals to generate, each optionally with the type's name.</summary>
    private static Dictionary<string, string?>? ParseFilter(string text, out string? error)
    {
        error = null;
        if (text.Length == 0)
        {
            return null;
        }

        var filter = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (string part in text.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            string entry = part.Trim();
            int eq = entry.IndexOf('=');
            string name = eq < 0 ? entry : entry.Substring(0, eq).Trim();
            string? type = eq < 0 ? null : entry.Substring(eq + 1).Trim();
            if (name.Length == 0 || (type is not null && (type.Length == 0 || Identifier(type) != type)))
            {
                error = $"IoSysPeripherals entry '{entry}' is not NAME or NAME=TypeName (a C# identifier)";
                continue;
            }

            filter[name] = type;
        }

        return filter;
    }

    /// <summary>A register as the generator flattens it: clusters become name prefixes, one array level is kept.</summary>
    private readonly record struct Flat(string Name, ulong Offset, int Count, ulong Stride, RegisterDescription Register);

    private static BlockModel? BuildBlock(
        PeripheralDescription p,
        string name,
        string? ns,
        bool widthRules,
        List<EnumModel>? namespaceEnums,
        HashSet<string> namespaceEnumNames,
        Action<string, string, SourceLocation> problem,
        string source)
    {
        var flat = new List<Flat>();
        Walk(p.Children, string.Empty, 0, null, flat);
        var registers = ImmutableArray.CreateBuilder<RegisterModel>();
        var names = new HashSet<string>(StringComparer.Ordinal) { name, "Size", "BaseAddress" };
        var ranges = new List<(long Start, long End, int Widths)>();
        long size = (long)Math.Min(p.Span, long.MaxValue);
        foreach (Flat f in flat)
        {
            RegisterDescription r = f.Register;
            string where = p.Name + "." + f.Name;
            int width = r.Size;
            int bytes = width / 8;
            string? why = width is not (8 or 16 or 32 or 64) ? $"it is {width} bits wide; generated registers are 8, 16, 32 or 64"
                : f.Offset > (ulong)int.MaxValue * 1024 ? $"offset 0x{f.Offset:X} is too large"
                : f.Offset % (ulong)bytes != 0 ? $"offset 0x{f.Offset:X} is not aligned to its {bytes}-byte width, so every access would be refused"
                : f.Count > 1 && (f.Stride < (ulong)bytes || f.Stride % (ulong)bytes != 0 || f.Stride > int.MaxValue) ? $"its array stride 0x{f.Stride:X} does not fit its {bytes}-byte width"
                : null;
            if (why is not null)
            {
                problem("IOSYS120", $"register {where} is left out: {why}", r.Location);
                continue;
            }

            string regName = Unique(Identifier(f.Name), names);
            long offset = (long)f.Offset;
            long end = offset + ((f.Count - 1) * (long)f.Stride) + bytes;
            size = Math.Max(size, end);
            for (int i = 0; i < f.Count; i++)
            {
                long start = offset + (i * (long)f.Stride);
                ranges.Add((start, start + bytes, WidthFlag(width)));
            }

            registers.Add(BuildRegister(r, regName, offset, f.Count, (long)f.Stride, ns, namespaceEnums, namespaceEnumNames, problem, where));
        }

        if (registers.Count == 0)
        {
            problem("IOSYS120", $"peripheral {p.Name} has no register the generator can make: no type generated", p.Location);
            return null;
        }

        registers.Sort((a, b) => a.Offset != b.Offset ? a.Offset.CompareTo(b.Offset) : string.CompareOrdinal(a.Name, b.Name));
        var info = new SvdBlockInfo(
            System.IO.Path.GetFileName(source),
            p.Name,
            Doc(p.Description),
            p.BaseAddress,
            new(widthRules ? MergeRules(ranges) : ImmutableArray<WidthRuleModel>.Empty),
            default,
            default);
        return new BlockModel(ns, default, name, ns is null ? name : ns + "." + name, false, size, false, new(registers.ToImmutable())) { Svd = info };
    }

    /// <summary>
    /// One rule per run of registers of one width: contiguous registers of the same width share a rule, and where
    /// registers overlap (alternate views of one offset) the rule accepts each of their widths.
    /// </summary>
    private static ImmutableArray<WidthRuleModel> MergeRules(List<(long Start, long End, int Widths)> ranges)
    {
        ranges.Sort((a, b) => a.Start.CompareTo(b.Start));
        var rules = ImmutableArray.CreateBuilder<WidthRuleModel>();
        long start = 0, end = -1;
        int widths = 0;
        foreach ((long s, long e, int w) in ranges)
        {
            if (end >= 0 && (s < end || (s == end && w == widths)))
            {
                end = Math.Max(end, e);
                widths |= w;
                continue;
            }

            if (end >= 0)
            {
                rules.Add(new WidthRuleModel(start, end - start, widths));
            }

            (start, end, widths) = (s, e, w);
        }

        if (end >= 0)
        {
            rules.Add(new WidthRuleModel(start, end - start, widths));
        }

        return rules.ToImmutable();
    }

    private static int WidthFlag(int bits) => bits / 8; // AccessWidths: Bits8 = 1, Bits16 = 2, Bits32 = 4, Bits64 = 8.

    private static void Walk(IReadOnlyList<RegisterNode> nodes, string prefix, ulong baseOffset, DimDescription? pending, List<Flat> output)
    {
        foreach (RegisterNode node in nodes)
        {
            ulong offset = unchecked(baseOffset + node.AddressOffset);
            switch (node)
            {
                case ClusterDescription cluster when cluster.Dim is { } dim && pending is null && !ContainsArray(cluster.Children):
                    // One array level is kept: the registers of a cluster array become register arrays.
                    Walk(cluster.Children, prefix + cluster.Name + "_", offset, dim, output);
                    break;
                case ClusterDescription cluster when cluster.Dim is { } dim:
                    for (int i = 0; i < dim.Count; i++)
                    {
                        string index = i < dim.Indices.Count ? dim.Indices[i] : i.ToString(CultureInfo.InvariantCulture);
                        Walk(cluster.Children, prefix + cluster.Name + index + "_", unchecked(offset + ((ulong)i * dim.Increment)), pending, output);
                    }

                    break;
                case ClusterDescription cluster:
                    Walk(cluster.Children, prefix + cluster.Name + "_", offset, pending, output);
                    break;
                case RegisterDescription register:
                    string name = prefix + register.Name + (register.AlternateGroup is { Length: > 0 } group ? "_" + group : string.Empty);
                    if (register.Dim is { } own && pending is not null)
                    {
                        // Not reached (ContainsArray keeps such clusters expanded), but never emit a wrong offset.
                        for (int i = 0; i < pending.Count; i++)
                        {
                            output.Add(new Flat(prefix.TrimEnd('_') + i.ToString(CultureInfo.InvariantCulture) + "_" + register.Name, unchecked(offset + ((ulong)i * pending.Increment)), own.Count, own.Increment, register));
                        }
                    }
                    else
                    {
                        DimDescription? dim = register.Dim ?? pending;
                        output.Add(new Flat(name, offset, dim?.Count ?? 1, dim?.Increment ?? 0, register));
                    }

                    break;
            }
        }
    }

    private static bool ContainsArray(IReadOnlyList<RegisterNode> nodes) =>
        nodes.Any(n => n.Dim is not null || (n is ClusterDescription c && ContainsArray(c.Children)));

    private static RegisterModel BuildRegister(
        RegisterDescription r,
        string name,
        long offset,
        int count,
        long stride,
        string? ns,
        List<EnumModel>? namespaceEnums,
        HashSet<string> namespaceEnumNames,
        Action<string, string, SourceLocation> problem,
        string where)
    {
        int access = r.Access switch
        {
            AccessType.ReadOnly => RegisterModel.AccessRO,
            AccessType.WriteOnly or AccessType.WriteOnce => RegisterModel.AccessWO,
            _ => r.ModifiedWriteValues != ModifiedWriteValues.Modify || r.Fields.Any(f => f.ModifiedWriteValues != ModifiedWriteValues.Modify)
                ? RegisterModel.AccessW1C // a write acts on bits (write-one-to-clear and the like): no read-modify-write.
                : RegisterModel.AccessRW,
        };

        // Field names: unique, and none of the names the generated register uses itself (nor the register's own).
        var taken = new HashSet<string>(RegisterMembers, StringComparer.Ordinal) { name };
        if (count == 1)
        {
            // Count, Stride and OffsetOf are generated for arrays only: a single register's field may have the name.
            taken.ExceptWith(ArrayMembers);
        }

        var fields = ImmutableArray.CreateBuilder<FieldModel>();
        var nested = ImmutableArray.CreateBuilder<EnumModel>();
        foreach (FieldDescription f in r.Fields)
        {
            string fieldName = Identifier(f.Name);
            while (!taken.Add(fieldName) || !taken.Add("With" + fieldName))
            {
                fieldName += "_";
            }

            string type;
            int typeBits;
            FieldKind kind;
            EnumModel? e = EnumFor(f, fieldName, taken, namespaceEnumNames, namespaceEnums is not null);
            if (e is not null)
            {
                if (namespaceEnums is not null)
                {
                    namespaceEnums.Add(e);
                    type = "global::" + (ns is null ? string.Empty : ns + ".") + e.Name;
                }
                else
                {
                    nested.Add(e);
                    type = e.Name;
                }

                kind = FieldKind.Enum;
                typeBits = e.Underlying == "ulong" ? 64 : 32;
            }
            else if (f.BitWidth == 1)
            {
                (type, typeBits, kind) = ("bool", 1, FieldKind.Bool);
            }
            else
            {
                typeBits = f.BitWidth <= 8 ? 8 : f.BitWidth <= 16 ? 16 : f.BitWidth <= 32 ? 32 : 64;
                type = typeBits switch { 8 => "byte", 16 => "ushort", 32 => "uint", _ => "ulong" };
                kind = FieldKind.Integer;
            }

            string doc = Doc(f.Description) ?? f.Name;
            fields.Add(new FieldModel(fieldName, type, kind, typeBits, false, f.Msb, f.Lsb, "public", true) { Doc = doc });
        }

        ulong sizeMask = r.SizeMask;
        return new RegisterModel(name, true, offset, access, r.Size, r.ResetValue & r.ResetMask & sizeMask, count, stride, new(fields.ToImmutable()))
        {
            Doc = (Doc(r.Description) ?? where) + (r.ReadAction != ReadAction.None ? " Reading it has a side effect (" + r.ReadAction + ")." : string.Empty),
            Enums = new(nested.ToImmutable()),
        };
    }

    /// <summary>The enum of a field's enumerated values (the set for reads, else the one for writes), or null.</summary>
    private static EnumModel? EnumFor(FieldDescription f, string fieldName, HashSet<string> taken, HashSet<string> namespaceNames, bool atNamespace)
    {
        EnumeratedValueSet? set = f.EnumeratedValueSets.FirstOrDefault(s => s.Usage == EnumeratedUsage.ReadWrite)
            ?? f.EnumeratedValueSets.FirstOrDefault(s => s.DescribesReads)
            ?? (f.EnumeratedValueSets.Count > 0 ? f.EnumeratedValueSets[0] : null);
        if (set is null)
        {
            return null;
        }

        var members = ImmutableArray.CreateBuilder<EnumMemberModel>();
        var memberNames = new HashSet<string>(StringComparer.Ordinal);
        var values = new HashSet<ulong>();
        foreach (EnumeratedValue v in set.Values)
        {
            // Patterns with don't-care bits and the isDefault entry name many values: not an enum member.
            if (v.IsDefault || (v.CareMask & f.MaxValue) != f.MaxValue || v.Value > f.MaxValue || !values.Add(v.Value))
            {
                continue;
            }

            string memberName = Identifier(v.Name);
            if (memberName == "value__")
            {
                memberName = "value___";
            }

            members.Add(new EnumMemberModel(Unique(memberName, memberNames), v.Value, Doc(v.Description)));
        }

        if (members.Count == 0)
        {
            return null;
        }

        string name = set.Name.Length > 0 ? Identifier(set.Name) : fieldName + "Value";
        if (atNamespace)
        {
            name = Unique(name, namespaceNames);
        }
        else if (taken.Contains(name) || !taken.Add(name))
        {
            name = Unique(fieldName + "Value", taken);
        }

        string underlying = f.BitWidth < 32 ? "int" : f.BitWidth == 32 ? "uint" : "ulong";
        return new EnumModel(name, underlying, Doc(f.Description), new(members.ToImmutable()));
    }

    private static string Unique(string name, HashSet<string> taken)
    {
        string candidate = name;
        for (int i = 2; !taken.Add(candidate); i++)
        {
            candidate = name + "_" + i.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    /// <summary>A C# identifier from a name: other characters become <c>_</c>; a keyword or leading digit gets one too.</summary>
    internal static string Identifier(string name)
    {
        var s = new StringBuilder(name.Length + 1);
        foreach (char c in name)
        {
            s.Append(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' ? c : '_');
        }

        if (s.Length == 0 || char.IsDigit(s[0]))
        {
            s.Insert(0, '_');
        }

        string id = s.ToString();
        return SyntaxFacts.GetKeywordKind(id) != SyntaxKind.None ? id + "_" : id;
    }

    /// <summary>A description as one line of XML doc text, or null when there is none.</summary>
    private static string? Doc(string? text)
    {
        if (text is null || text.Trim().Length == 0)
        {
            return null;
        }

        string line = string.Join(" ", text.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
        if (line.Length > 400)
        {
            line = line.Substring(0, 400) + "...";
        }

        return Escape(line);
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
