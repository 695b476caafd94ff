using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace IoSys.Registers.Descriptions.Svd;

/// <summary>Turns a loaded SVD document into the model, collecting diagnostics; one instance per document.</summary>
internal sealed class SvdParser
{
    // Deeper cluster nesting or derivedFrom chains than this are refused: both recurse, and a hostile file must not
    // overflow the stack (which would kill the process, or the compiler running the generator).
    private const int MaxDepth = 32;
    private const int MaxDim = 1 << 16;

    private readonly string _file;
    private readonly SvdReaderOptions _options;
    private readonly List<SvdDiagnostic> _diagnostics;
    private readonly Dictionary<XElement, List<XElement>> _effective = new();
    private readonly HashSet<XElement> _resolving = new();
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private Dictionary<string, List<XElement>>? _nameIndex;
    private long _elements;
    private bool _overBudget;

    public SvdParser(string file, SvdReaderOptions options, List<SvdDiagnostic> diagnostics)
    {
        _file = file;
        _options = options;
        _diagnostics = diagnostics;
    }

    private struct Props
    {
        public int? Size;
        public AccessType? Access;
        public Protection? Protection;
        public ulong? ResetValue;
        public ulong? ResetMask;
    }

    public DeviceDescription? Parse(XDocument document)
    {
        XElement? root = document.Root;
        if (root is null || root.Name.LocalName != "device")
        {
            Error(root ?? (XObject)document, "SVD003", string.Empty, $"the root element is <{root?.Name.LocalName ?? "(none)"}>, not <device>: not a CMSIS-SVD file");
            return null;
        }

        try
        {
            return ParseDevice(root);
        }
#pragma warning disable CA1031 // A reader of hostile files reports, never throws: a bug here becomes a diagnostic (SVD999) that tests look for.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Error(root, "SVD999", string.Empty, $"internal error ({e.GetType().Name}: {e.Message}); please report it with the file");
            return null;
        }
    }

    private DeviceDescription ParseDevice(XElement root)
    {
        List<XElement> ch = Children(root);
        string name = RequiredText(ch, root, "name", string.Empty) ?? string.Empty;
        XElement? aub = Child(ch, "addressUnitBits");
        if (aub is not null && TryNumber(aub, name, out ulong bits) && bits != 8)
        {
            Error(aub, "SVD011", name, $"addressUnitBits {bits} is not supported: only byte-addressed devices (8)");
        }

        int width = 0;
        if (Child(ch, "width") is { } w && TryNumber(w, name, out ulong wv))
        {
            width = (int)Math.Min(wv, int.MaxValue);
        }

        Props props = ReadProps(ch, default, name);
        var peripherals = new List<PeripheralDescription>();
        if (Child(ch, "peripherals") is { } list)
        {
            foreach (XElement p in list.Elements())
            {
                if (p.Name.LocalName == "peripheral")
                {
                    ParsePeripheral(p, props, peripherals);
                }
            }
        }
        else
        {
            Error(root, "SVD004", name, "missing <peripherals>");
        }

        WarnDuplicates(peripherals, static p => p.Name, static p => p.Location, "peripheral", name);
        return new DeviceDescription
        {
            Name = name,
            Description = Text(Child(ch, "description")) ?? string.Empty,
            Version = Text(Child(ch, "version")) ?? string.Empty,
            Width = width,
            Peripherals = peripherals,
        };
    }

    private void ParsePeripheral(XElement element, Props inherited, List<PeripheralDescription> output)
    {
        List<XElement> ch = Children(element);
        string? template = RequiredText(ch, element, "name", string.Empty);
        if (template is null)
        {
            return;
        }

        string path = template;
        Props props = ReadProps(ch, inherited, path);
        if (!RequiredNumber(ch, element, "baseAddress", path, out ulong baseAddress))
        {
            return;
        }

        if (!ReadDim(ch, element, path, out DimDescription? dim, out bool keepArray))
        {
            return;
        }

        if (!CheckTemplate(element, ch, template, dim, path))
        {
            return;
        }

        var blocks = new List<AddressBlock>();
        var interrupts = new List<InterruptDescription>();
        foreach (XElement c in ch)
        {
            if (c.Name.LocalName == "addressBlock")
            {
                List<XElement> bc = Children(c);
                if (RequiredNumber(bc, c, "offset", path, out ulong offset) && RequiredNumber(bc, c, "size", path, out ulong size))
                {
                    blocks.Add(new AddressBlock(offset, size, Text(Child(bc, "usage")) ?? string.Empty));
                }
            }
            else if (c.Name.LocalName == "interrupt")
            {
                List<XElement> ic = Children(c);
                string? iname = RequiredText(ic, c, "name", path);
                XElement? value = Child(ic, "value");
                if (iname is not null && value is not null && long.TryParse(Text(value), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n))
                {
                    interrupts.Add(new InterruptDescription(iname, n));
                }
                else if (iname is not null)
                {
                    Error(value ?? c, "SVD005", path, $"interrupt '{iname}' needs a decimal <value>");
                }
            }
        }

        int count = dim?.Count ?? 1;
        IReadOnlyList<RegisterNode> children = Array.Empty<RegisterNode>();
        if (Child(ch, "registers") is { } registers)
        {
            children = ParseNodes(registers.Elements(), props, path, 0, (ulong)count);
        }

        for (int i = 0; i < count; i++)
        {
            string index = dim is null ? string.Empty : dim.Indices[i];
            string name = dim is null ? template : Substitute(template, index, keepArray);
            output.Add(new PeripheralDescription
            {
                Name = name,
                Description = Substitute(Text(Child(ch, "description")) ?? string.Empty, index, false),
                GroupName = Text(Child(ch, "groupName")) ?? string.Empty,
                DerivedFrom = Attribute(element, "derivedFrom"),
                AlternatePeripheral = Text(Child(ch, "alternatePeripheral")),
                BaseAddress = unchecked(baseAddress + (dim is null ? 0 : (ulong)i * dim.Increment)),
                AddressBlocks = blocks,
                Interrupts = interrupts,
                Children = children,
                Location = Loc(element),
            });
        }
    }

    private List<RegisterNode> ParseNodes(IEnumerable<XElement> elements, Props inherited, string path, int depth, ulong multiplicity)
    {
        var nodes = new List<RegisterNode>();
        foreach (XElement e in elements)
        {
            switch (e.Name.LocalName)
            {
                case "register":
                    ParseRegister(e, inherited, path, multiplicity, nodes);
                    break;
                case "cluster":
                    ParseCluster(e, inherited, path, depth, multiplicity, nodes);
                    break;
            }
        }

        WarnDuplicates(nodes, static n => n is RegisterDescription { AlternateGroup: { Length: > 0 } g } ? n.Name + "_" + g : n.Name, static n => n.Location, "register or cluster", path);
        return nodes;
    }

    private void ParseCluster(XElement element, Props inherited, string parentPath, int depth, ulong multiplicity, List<RegisterNode> output)
    {
        List<XElement> ch = Children(element);
        string? template = RequiredText(ch, element, "name", parentPath);
        if (template is null)
        {
            return;
        }

        string path = Join(parentPath, template);
        if (depth >= MaxDepth)
        {
            Error(element, "SVD012", path, $"clusters nested deeper than {MaxDepth} are not supported");
            return;
        }

        if (!RequiredNumber(ch, element, "addressOffset", path, out ulong offset)
            || !ReadDim(ch, element, path, out DimDescription? dim, out bool keepArray)
            || !CheckTemplate(element, ch, template, dim, path))
        {
            return;
        }

        Props props = ReadProps(ch, inherited, path);
        int count = dim?.Count ?? 1;

        // Cluster copies count against the budget too: expanding a peripheral (PeripheralDescription.Registers) walks
        // every copy, even of a cluster left with no register, so two nested dim-65536 clusters would otherwise make a
        // walk of four billion paths that takes minutes (issue 16's hostile-file standard).
        if (!Spend(Multiply(multiplicity, (ulong)count), element, path))
        {
            return;
        }

        List<RegisterNode> children = ParseNodes(ch, props, path, depth + 1, Multiply(multiplicity, (ulong)count));
        string description = Text(Child(ch, "description")) ?? string.Empty;
        string? alternate = Text(Child(ch, "alternateCluster"));
        if (dim is not null && keepArray)
        {
            output.Add(new ClusterDescription { Name = ArrayName(template), Description = description, AddressOffset = offset, Dim = dim, AlternateCluster = alternate, Children = children, Location = Loc(element) });
            return;
        }

        for (int i = 0; i < count; i++)
        {
            string index = dim is null ? string.Empty : dim.Indices[i];
            output.Add(new ClusterDescription
            {
                Name = dim is null ? template : Substitute(template, index, false),
                Description = Substitute(description, index, false),
                AddressOffset = unchecked(offset + (dim is null ? 0 : (ulong)i * dim.Increment)),
                AlternateCluster = alternate,
                Children = children,
                Location = Loc(element),
            });
        }
    }

    private void ParseRegister(XElement element, Props inherited, string parentPath, ulong multiplicity, List<RegisterNode> output)
    {
        List<XElement> ch = Children(element);
        string? template = RequiredText(ch, element, "name", parentPath);
        if (template is null)
        {
            return;
        }

        string path = Join(parentPath, template);
        if (!RequiredNumber(ch, element, "addressOffset", path, out ulong offset)
            || !ReadDim(ch, element, path, out DimDescription? dim, out bool keepArray)
            || !CheckTemplate(element, ch, template, dim, path))
        {
            return;
        }

        Props props = ReadProps(ch, inherited, path);
        int size = props.Size ?? 32;
        if (size is < 1 or > 64)
        {
            Error(Child(ch, "size") ?? element, "SVD011", path, $"a register of {size} bits is not supported: sizes are 1 to 64 bits");
            return;
        }

        ulong sizeMask = size == 64 ? ulong.MaxValue : (1UL << size) - 1;
        ulong reset = props.ResetValue ?? 0;
        ulong resetMask = props.ResetMask ?? sizeMask;
        if ((reset & resetMask & ~sizeMask) != 0)
        {
            Warning(Child(ch, "resetValue") ?? element, "SVD014", path, $"reset value 0x{reset:X} is wider than the register's {size} bits; the high bits are dropped");
        }

        AccessType access = props.Access ?? AccessType.ReadWrite;
        ModifiedWriteValues modified = ReadEnum(ch, "modifiedWriteValues", path, ModifiedWriteValuesFrom) ?? ModifiedWriteValues.Modify;
        ReadAction readAction = ReadEnum(ch, "readAction", path, ReadActionFrom) ?? ReadAction.None;
        int count = dim?.Count ?? 1;
        if (!Spend(Multiply(multiplicity, (ulong)count), element, path))
        {
            return;
        }

        List<FieldDescription> fields = Child(ch, "fields") is { } f
            ? ParseFields(f, access, modified, readAction, size, path)
            : new List<FieldDescription>();
        string description = Text(Child(ch, "description")) ?? string.Empty;
        string displayName = Text(Child(ch, "displayName")) ?? string.Empty;
        for (int i = 0; i < (dim is not null && keepArray ? 1 : count); i++)
        {
            string index = dim is null || keepArray ? string.Empty : dim.Indices[i];
            output.Add(new RegisterDescription
            {
                Name = dim is null ? template : keepArray ? ArrayName(template) : Substitute(template, index, false),
                DisplayName = dim is null || keepArray ? displayName : Substitute(displayName, index, false),
                Description = dim is null || keepArray ? description : Substitute(description, index, false),
                AddressOffset = unchecked(offset + (dim is null || keepArray ? 0 : (ulong)i * dim.Increment)),
                Dim = keepArray ? dim : null,
                Size = size,
                Access = access,
                ResetValue = reset & resetMask & sizeMask,
                ResetMask = resetMask & sizeMask,
                Protection = props.Protection ?? Protection.None,
                ReadAction = readAction,
                ModifiedWriteValues = modified,
                AlternateRegister = Text(Child(ch, "alternateRegister")),
                AlternateGroup = Text(Child(ch, "alternateGroup")),
                DataType = Text(Child(ch, "dataType")),
                Fields = fields,
                Location = Loc(element),
            });
        }
    }

    private List<FieldDescription> ParseFields(XElement container, AccessType access, ModifiedWriteValues modified, ReadAction readAction, int size, string path)
    {
        var fields = new List<FieldDescription>();
        foreach (XElement e in container.Elements())
        {
            if (e.Name.LocalName == "field")
            {
                ParseField(e, access, modified, readAction, size, path, fields);
            }
        }

        ulong covered = 0;
        foreach (FieldDescription field in fields)
        {
            if ((covered & field.Mask) != 0)
            {
                Warning(field.Location, "field", Join(path, field.Name), "SVD013", $"bits {field.BitRangeText()} overlap another field's");
            }

            covered |= field.Mask;
        }

        WarnDuplicates(fields, static f => f.Name, static f => f.Location, "field", path);
        return fields;
    }

    private void ParseField(XElement element, AccessType regAccess, ModifiedWriteValues regModified, ReadAction regReadAction, int size, string parentPath, List<FieldDescription> output)
    {
        List<XElement> ch = Children(element);
        string? template = RequiredText(ch, element, "name", parentPath);
        if (template is null)
        {
            return;
        }

        string path = Join(parentPath, template);
        if (!ReadBits(ch, element, path, out int lsb, out int msb)
            || !ReadDim(ch, element, path, out DimDescription? dim, out _)
            || !CheckTemplate(element, ch, template, dim, path))
        {
            return;
        }

        int count = dim?.Count ?? 1;
        if (!Spend((ulong)count, element, path))
        {
            return;
        }

        AccessType access = ReadEnum(ch, "access", path, AccessFrom) ?? regAccess;
        ModifiedWriteValues modified = ReadEnum(ch, "modifiedWriteValues", path, ModifiedWriteValuesFrom) ?? regModified;
        ReadAction readAction = ReadEnum(ch, "readAction", path, ReadActionFrom) ?? regReadAction;
        var sets = new List<EnumeratedValueSet>();
        foreach (XElement c in ch)
        {
            if (c.Name.LocalName == "enumeratedValues" && ParseEnumeratedValues(c, msb - lsb + 1, path) is { } set)
            {
                sets.Add(set);
            }
        }

        string description = Text(Child(ch, "description")) ?? string.Empty;
        for (int i = 0; i < count; i++)
        {
            ulong shift = dim is null ? 0 : (ulong)i * dim.Increment;
            string name = dim is null ? template : Substitute(template, dim.Indices[i], false);
            if ((ulong)msb + shift >= (ulong)size)
            {
                Error(element, "SVD010", Join(parentPath, name), $"bits [{(ulong)msb + shift}:{(ulong)lsb + shift}] do not fit the register's {size} bits");
                continue;
            }

            output.Add(new FieldDescription
            {
                Name = name,
                Description = dim is null ? description : Substitute(description, dim.Indices[i], false),
                Lsb = lsb + (int)shift,
                Msb = msb + (int)shift,
                Access = access,
                ReadAction = readAction,
                ModifiedWriteValues = modified,
                EnumeratedValueSets = sets,
                Location = Loc(element),
            });
        }
    }

    private bool ReadBits(List<XElement> ch, XElement element, string path, out int lsb, out int msb)
    {
        lsb = msb = 0;
        ulong low, high;
        if (Child(ch, "bitRange") is { } range)
        {
            string text = Text(range) ?? string.Empty;
            int colon = text.IndexOf(':');
            if (text.Length < 5 || text[0] != '[' || text[text.Length - 1] != ']' || colon < 0
                || !SvdNumber.TryParse(text.Substring(1, colon - 1), out high)
                || !SvdNumber.TryParse(text.Substring(colon + 1, text.Length - colon - 2), out low))
            {
                Error(range, "SVD005", path, $"bitRange '{text}' is not of the form [msb:lsb]");
                return false;
            }
        }
        else if (Child(ch, "lsb") is { } lsbElement || Child(ch, "msb") is not null)
        {
            XElement? msbElement = Child(ch, "msb");
            lsbElement = Child(ch, "lsb");
            if (lsbElement is null || msbElement is null)
            {
                Error(element, "SVD004", path, "a field with <lsb> or <msb> needs both");
                return false;
            }

            if (!TryNumber(lsbElement, path, out low) || !TryNumber(msbElement, path, out high))
            {
                return false;
            }
        }
        else if (Child(ch, "bitOffset") is { } offsetElement)
        {
            if (!TryNumber(offsetElement, path, out low))
            {
                return false;
            }

            ulong width = 1;
            if (Child(ch, "bitWidth") is { } widthElement && !TryNumber(widthElement, path, out width))
            {
                return false;
            }

            if (width == 0 || width > 64 || low > 63)
            {
                Error(Child(ch, "bitWidth") ?? offsetElement, "SVD010", path, $"bitOffset {low} and bitWidth {width} do not describe 1 to 64 bits within 64");
                return false;
            }

            high = low + width - 1;
        }
        else
        {
            Error(element, "SVD004", path, "a field needs <bitRange>, <lsb> and <msb>, or <bitOffset> (and <bitWidth>)");
            return false;
        }

        if (high < low || high > 63)
        {
            Error(element, "SVD010", path, $"bits [{high}:{low}] are not a range msb >= lsb within 64 bits");
            return false;
        }

        lsb = (int)low;
        msb = (int)high;
        return true;
    }

    private EnumeratedValueSet? ParseEnumeratedValues(XElement element, int width, string path)
    {
        List<XElement> ch = Children(element);
        string name = Text(Child(ch, "name")) ?? string.Empty;
        EnumeratedUsage usage = ReadEnum(ch, "usage", path, UsageFrom) ?? EnumeratedUsage.ReadWrite;
        ulong max = width >= 64 ? ulong.MaxValue : (1UL << width) - 1;
        var values = new List<EnumeratedValue>();
        foreach (XElement v in ch)
        {
            if (v.Name.LocalName != "enumeratedValue")
            {
                continue;
            }

            List<XElement> vc = Children(v);
            string? vname = RequiredText(vc, v, "name", path);
            if (vname is null)
            {
                continue;
            }

            string vpath = Join(path, vname);
            bool isDefault = false;
            if (Child(vc, "isDefault") is { } d && !TryBool(d, vpath, out isDefault))
            {
                continue;
            }

            ulong value = 0, care = ulong.MaxValue;
            if (Child(vc, "value") is { } valueElement)
            {
                if (!SvdNumber.TryParseEnumeratedValue(Text(valueElement), out value, out care))
                {
                    Error(valueElement, "SVD005", vpath, $"'{Text(valueElement)}' is not a number (decimal, 0x hex, or # binary with x for don't care)");
                    continue;
                }

                if ((value & care & ~max) != 0)
                {
                    Warning(valueElement, "SVD014", vpath, $"value 0x{value:X} does not fit the field's {width} bits");
                }
            }
            else if (!isDefault)
            {
                Error(v, "SVD004", vpath, "an enumeratedValue needs a <value> or <isDefault>true</isDefault>");
                continue;
            }

            values.Add(new EnumeratedValue
            {
                Name = vname,
                Description = Text(Child(vc, "description")) ?? string.Empty,
                Value = value,
                CareMask = care,
                IsDefault = isDefault,
            });
        }

        return new EnumeratedValueSet { Name = name, Usage = usage, Values = values };
    }

    private Props ReadProps(List<XElement> ch, Props inherited, string path)
    {
        Props p = inherited;
        if (Child(ch, "size") is { } size && TryNumber(size, path, out ulong s))
        {
            p.Size = (int)Math.Min(s, int.MaxValue);
        }

        p.Access = ReadEnum(ch, "access", path, AccessFrom) ?? p.Access;
        p.Protection = ReadEnum(ch, "protection", path, ProtectionFrom) ?? p.Protection;
        if (Child(ch, "resetValue") is { } rv && TryNumber(rv, path, out ulong r))
        {
            p.ResetValue = r;
        }

        if (Child(ch, "resetMask") is { } rm && TryNumber(rm, path, out ulong m))
        {
            p.ResetMask = m;
        }

        return p;
    }

    /// <summary>Reads dim/dimIncrement/dimIndex; false (after an error) when they are present but unusable.</summary>
    private bool ReadDim(List<XElement> ch, XElement element, string path, out DimDescription? dim, out bool keepArray)
    {
        dim = null;
        keepArray = false;
        XElement? dimElement = Child(ch, "dim");
        if (dimElement is null)
        {
            return true;
        }

        if (!TryNumber(dimElement, path, out ulong count))
        {
            return false;
        }

        if (count is 0 or > MaxDim)
        {
            Error(dimElement, "SVD009", path, $"dim {count} is not supported: 1 to {MaxDim} elements");
            return false;
        }

        XElement? incrementElement = Child(ch, "dimIncrement");
        if (incrementElement is null)
        {
            Error(dimElement, "SVD009", path, "<dim> needs <dimIncrement>");
            return false;
        }

        if (!TryNumber(incrementElement, path, out ulong increment))
        {
            return false;
        }

        List<string>? indices;
        if (Child(ch, "dimIndex") is { } indexElement)
        {
            string text = Text(indexElement) ?? string.Empty;
            indices = ParseDimIndex(text, (int)count);
            if (indices is null)
            {
                Error(indexElement, "SVD009", path, $"dimIndex '{text}' is not a list (A,B,C) or range (0-3, A-D) of {count} indices");
                return false;
            }
        }
        else
        {
            indices = new List<string>((int)count);
            for (int i = 0; i < (int)count; i++)
            {
                indices.Add(i.ToString(CultureInfo.InvariantCulture));
            }
        }

        string name = Text(Child(ch, "name")) ?? string.Empty;
        keepArray = name.EndsWith("[%s]", StringComparison.Ordinal);
        dim = new DimDescription((int)count, increment, indices);
        return true;
    }

    private static List<string>? ParseDimIndex(string text, int count)
    {
        var result = new List<string>();
        int dash = text.IndexOf('-');
        if (text.IndexOf(',') < 0 && dash > 0 && dash < text.Length - 1)
        {
            string a = text.Substring(0, dash).Trim(), b = text.Substring(dash + 1).Trim();
            if (uint.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out uint from) && uint.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out uint to))
            {
                if (to < from || to - from + 1 != (uint)count)
                {
                    return null;
                }

                for (uint i = from; i <= to && result.Count < count; i++)
                {
                    result.Add(i.ToString(CultureInfo.InvariantCulture));
                }

                return result;
            }

            if (a.Length == 1 && b.Length == 1 && char.IsLetter(a[0]) && char.IsLetter(b[0]))
            {
                if (b[0] < a[0] || b[0] - a[0] + 1 != count)
                {
                    return null;
                }

                for (char c = a[0]; c <= b[0]; c++)
                {
                    result.Add(c.ToString());
                }

                return result;
            }

            return null;
        }

        foreach (string part in text.Split(','))
        {
            string p = part.Trim();
            if (p.Length == 0)
            {
                return null;
            }

            result.Add(p);
        }

        return result.Count == count ? result : null;
    }

    /// <summary>Checks a name against its dim: a dim needs %s in the name, and %s needs a dim.</summary>
    private bool CheckTemplate(XElement element, List<XElement> ch, string template, DimDescription? dim, string path)
    {
        bool hasPlaceholder = template.IndexOf("%s", StringComparison.Ordinal) >= 0;
        if (dim is not null && !hasPlaceholder)
        {
            Error(Child(ch, "name") ?? element, "SVD009", path, $"name '{template}' has a <dim> but no %s for the index");
            return false;
        }

        if (dim is null && hasPlaceholder)
        {
            Error(Child(ch, "name") ?? element, "SVD009", path, $"name '{template}' has %s but no <dim>");
            return false;
        }

        return true;
    }

    private static string Substitute(string template, string index, bool keepBrackets) =>
        keepBrackets ? template.Replace("%s", index) : template.Replace("[%s]", index).Replace("%s", index);

    private static string ArrayName(string template) => template.Substring(0, template.Length - "[%s]".Length).Replace("%s", string.Empty);

    private static string Join(string a, string b) => a.Length == 0 ? b : a + "." + b;

    private static ulong Multiply(ulong a, ulong b) => a != 0 && b > ulong.MaxValue / a ? ulong.MaxValue : a * b;

    private bool Spend(ulong count, XElement element, string path)
    {
        if (_overBudget)
        {
            return false;
        }

        _elements = count > (ulong)_options.MaxElements ? long.MaxValue : _elements + (long)count;
        if (_elements > _options.MaxElements)
        {
            _overBudget = true;
            Error(element, "SVD012", path, $"the file describes more than {_options.MaxElements} registers, clusters and fields (arrays expanded); the rest is left out");
            return false;
        }

        return true;
    }

    // ---- derivedFrom ----

    /// <summary>The element's children with its derivedFrom base merged in: the base's children, except those of a name the element has itself.</summary>
    private List<XElement> Children(XElement element) => Children(element, 0);

    private List<XElement> Children(XElement element, int depth)
    {
        if (_effective.TryGetValue(element, out List<XElement>? cached))
        {
            return cached;
        }

        var own = new List<XElement>(element.Elements());
        XAttribute? derived = element.Attribute("derivedFrom");
        if (derived is null)
        {
            _effective[element] = own;
            return own;
        }

        string reference = derived.Value.Trim();
        string kind = element.Name.LocalName;
        string path = NamePath(element);
        if (depth >= MaxDepth || _resolving.Contains(element))
        {
            Error(derived, "SVD008", path, $"derivedFrom '{reference}' is circular or chained deeper than {MaxDepth}");
            _effective[element] = own;
            return own;
        }

        XElement? baseElement = ResolveBase(element, reference);
        if (baseElement is null)
        {
            Error(derived, "SVD007", path, $"derivedFrom '{reference}': no <{kind}> of that name");
            _effective[element] = own;
            return own;
        }

        _resolving.Add(element);
        List<XElement> inherited = Children(baseElement, depth + 1);
        _resolving.Remove(element);
        var ownKinds = new HashSet<string>(StringComparer.Ordinal);
        foreach (XElement c in own)
        {
            ownKinds.Add(c.Name.LocalName);
        }

        var merged = new List<XElement>(inherited.Count + own.Count);
        foreach (XElement c in inherited)
        {
            if (!ownKinds.Contains(c.Name.LocalName))
            {
                merged.Add(c);
            }
        }

        merged.AddRange(own);
        _effective[element] = merged;
        return merged;
    }

    /// <summary>
    /// Finds what <paramref name="element"/> derives from: an element of the same kind named by the last segment of
    /// <paramref name="reference"/> whose enclosing named elements end with the other segments; of several, the one
    /// sharing the deepest ancestor with <paramref name="element"/> (its sibling before its cousin).
    /// </summary>
    private XElement? ResolveBase(XElement element, string reference)
    {
        _nameIndex ??= BuildNameIndex(element.Document!);
        string[] segments = reference.Split('.');
        string kind = element.Name.LocalName;
        if (!_nameIndex.TryGetValue(kind + "\n" + segments[segments.Length - 1], out List<XElement>? candidates))
        {
            return null;
        }

        var ancestors = new Dictionary<XElement, int>();
        int level = 0;
        for (XElement? a = element.Parent; a is not null; a = a.Parent)
        {
            ancestors[a] = level++;
        }

        XElement? best = null;
        int bestLevel = int.MaxValue;
        foreach (XElement candidate in candidates)
        {
            if (ReferenceEquals(candidate, element) || !PrefixMatches(candidate, segments))
            {
                continue;
            }

            int shared = int.MaxValue;
            for (XElement? a = candidate.Parent; a is not null; a = a.Parent)
            {
                if (ancestors.TryGetValue(a, out int l))
                {
                    shared = l;
                    break;
                }
            }

            if (shared < bestLevel)
            {
                best = candidate;
                bestLevel = shared;
            }
        }

        return best;
    }

    private static bool PrefixMatches(XElement candidate, string[] segments)
    {
        int i = segments.Length - 2;
        for (XElement? a = candidate.Parent; a is not null && i >= 0; a = a.Parent)
        {
            if (IsNamed(a))
            {
                if (!string.Equals(NameOf(a), segments[i], StringComparison.Ordinal))
                {
                    return false;
                }

                i--;
            }
        }

        return i < 0;
    }

    private static bool IsNamed(XElement e) => e.Name.LocalName is "peripheral" or "cluster" or "register" or "field";

    private static Dictionary<string, List<XElement>> BuildNameIndex(XDocument document)
    {
        var index = new Dictionary<string, List<XElement>>(StringComparer.Ordinal);
        foreach (XElement e in document.Descendants())
        {
            string kind = e.Name.LocalName;
            if (kind is "peripheral" or "cluster" or "register" or "field" or "enumeratedValues" && NameOf(e) is { } name)
            {
                string key = kind + "\n" + name;
                if (!index.TryGetValue(key, out List<XElement>? list))
                {
                    index[key] = list = new List<XElement>();
                }

                list.Add(e);
            }
        }

        return index;
    }

    private static string? NameOf(XElement e)
    {
        foreach (XElement c in e.Elements())
        {
            if (c.Name.LocalName == "name")
            {
                return Text(c);
            }
        }

        return null;
    }

    private static string NamePath(XElement element)
    {
        var names = new List<string>();
        for (XElement? a = element; a is not null; a = a.Parent)
        {
            if ((IsNamed(a) || a.Name.LocalName == "enumeratedValues") && NameOf(a) is { } n)
            {
                names.Add(n);
            }
        }

        names.Reverse();
        return string.Join(".", names);
    }

    // ---- small readers ----

    private static XElement? Child(List<XElement> children, string name)
    {
        foreach (XElement c in children)
        {
            if (c.Name.LocalName == name)
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>The element's own text (not its descendants'), trimmed; null for a missing element or empty text.</summary>
    private static string? Text(XElement? element)
    {
        if (element is null)
        {
            return null;
        }

        StringBuilder? sb = null;
        string? single = null;
        foreach (XNode node in element.Nodes())
        {
            if (node is XText t)
            {
                if (single is null)
                {
                    single = t.Value;
                }
                else
                {
                    sb ??= new StringBuilder(single);
                    sb.Append(t.Value);
                }
            }
        }

        string text = (sb?.ToString() ?? single ?? string.Empty).Trim();
        return text.Length == 0 ? null : text;
    }

    private static string? Attribute(XElement element, string name) => element.Attribute(name)?.Value.Trim();

    private string? RequiredText(List<XElement> ch, XElement owner, string name, string path)
    {
        string? text = Text(Child(ch, name));
        if (text is null)
        {
            Error(owner, "SVD004", path, $"<{owner.Name.LocalName}> needs a <{name}>");
        }

        return text;
    }

    private bool RequiredNumber(List<XElement> ch, XElement owner, string name, string path, out ulong value)
    {
        XElement? e = Child(ch, name);
        if (e is null)
        {
            value = 0;
            Error(owner, "SVD004", path, $"<{owner.Name.LocalName}> needs a <{name}>");
            return false;
        }

        return TryNumber(e, path, out value);
    }

    private bool TryNumber(XElement element, string path, out ulong value)
    {
        string? text = Text(element);
        if (SvdNumber.TryParse(text, out value))
        {
            return true;
        }

        Error(element, "SVD005", path, $"'{text}' is not a number (decimal, 0x hex or # binary, at most 64 bits)");
        return false;
    }

    private bool TryBool(XElement element, string path, out bool value)
    {
        string? text = Text(element);
        switch (text?.ToUpperInvariant())
        {
            case "TRUE" or "1":
                value = true;
                return true;
            case "FALSE" or "0":
                value = false;
                return true;
            default:
                value = false;
                Error(element, "SVD006", path, $"'{text}' is not a boolean (true, false, 1, 0)");
                return false;
        }
    }

    private T? ReadEnum<T>(List<XElement> ch, string name, string path, Func<string, T?> parse)
        where T : struct
    {
        XElement? e = Child(ch, name);
        if (e is null)
        {
            return null;
        }

        string text = Text(e) ?? string.Empty;
        T? value = parse(text);
        if (value is null)
        {
            Error(e, "SVD006", path, $"'{text}' is not a known <{name}> value; it is ignored");
        }

        return value;
    }

    private static AccessType? AccessFrom(string s) => s switch
    {
        "read-only" => AccessType.ReadOnly,
        "write-only" => AccessType.WriteOnly,
        "read-write" => AccessType.ReadWrite,
        "writeOnce" => AccessType.WriteOnce,
        "read-writeOnce" => AccessType.ReadWriteOnce,
        _ => null,
    };

    private static ModifiedWriteValues? ModifiedWriteValuesFrom(string s) => s switch
    {
        "oneToClear" => ModifiedWriteValues.OneToClear,
        "oneToSet" => ModifiedWriteValues.OneToSet,
        "oneToToggle" => ModifiedWriteValues.OneToToggle,
        "zeroToClear" => ModifiedWriteValues.ZeroToClear,
        "zeroToSet" => ModifiedWriteValues.ZeroToSet,
        "zeroToToggle" => ModifiedWriteValues.ZeroToToggle,
        "clear" => ModifiedWriteValues.Clear,
        "set" => ModifiedWriteValues.Set,
        "modify" => ModifiedWriteValues.Modify,
        _ => null,
    };

    private static ReadAction? ReadActionFrom(string s) => s switch
    {
        "clear" => ReadAction.Clear,
        "set" => ReadAction.Set,
        "modify" => ReadAction.Modify,
        "modifyExternal" => ReadAction.ModifyExternal,
        _ => null,
    };

    private static EnumeratedUsage? UsageFrom(string s) => s switch
    {
        "read" => EnumeratedUsage.Read,
        "write" => EnumeratedUsage.Write,
        "read-write" => EnumeratedUsage.ReadWrite,
        _ => null,
    };

    private static Protection? ProtectionFrom(string s) => s switch
    {
        "s" => Protection.Secure,
        "n" => Protection.NonSecure,
        "p" => Protection.Privileged,
        _ => null,
    };

    private void WarnDuplicates<T>(List<T> items, Func<T, string> name, Func<T, SourceLocation> location, string what, string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (T item in items)
        {
            if (!seen.Add(name(item)))
            {
                Warning(location(item), what, Join(path, name(item)), "SVD015", $"a second {what} named '{name(item)}' in the same scope; lookups by name find the first");
            }
        }
    }

    // ---- diagnostics ----

    private SourceLocation Loc(XObject o) =>
        o is IXmlLineInfo info && info.HasLineInfo() ? new SourceLocation(_file, info.LineNumber, info.LinePosition) : new SourceLocation(_file, 0, 0);

    private static string ElementName(XObject o) => o switch
    {
        XElement e => e.Name.LocalName,
        XAttribute a => a.Parent is { } p ? p.Name.LocalName + " " + a.Name.LocalName : a.Name.LocalName,
        _ => "document",
    };

    private void Error(XObject at, string code, string path, string message) =>
        Add(new SvdDiagnostic(SvdSeverity.Error, code, Loc(at), ElementName(at), path, message));

    private void Warning(XObject at, string code, string path, string message) =>
        Add(new SvdDiagnostic(SvdSeverity.Warning, code, Loc(at), ElementName(at), path, message));

    private void Warning(SourceLocation at, string element, string path, string code, string message) =>
        Add(new SvdDiagnostic(SvdSeverity.Warning, code, at, element, path, message));

    // A base's elements are read once per peripheral, cluster or register derived from it: report each problem once,
    // at its element, not once per derivation.
    private void Add(SvdDiagnostic diagnostic)
    {
        string key = diagnostic.Code + "\n" + diagnostic.Element + "\n" + diagnostic.Location.ToString();
        if (diagnostic.Location.Line == 0 || _reported.Add(key))
        {
            _diagnostics.Add(diagnostic);
        }
    }
}
