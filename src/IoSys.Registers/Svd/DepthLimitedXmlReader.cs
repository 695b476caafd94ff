using System;
using System.Collections.Generic;
using System.Text;
using System.Xml;

namespace IoSys.Registers.Descriptions.Svd;

/// <summary>
/// Passes an <see cref="XmlReader"/> through to <c>XDocument.Load</c> and stops it at the first element nested deeper
/// than <see cref="MaxDepth"/>, before that element is built: a hostile file of 10,000 nested elements is refused in
/// one pass, in time linear in its length, and no later step (the parser's recursion, its ancestor walks) ever sees a
/// tree deeper than the bound. Remembers the names (<c>&lt;name&gt;</c> text) of the elements open around the reader
/// so the refusal can say where in the description it is.
/// </summary>
internal sealed class DepthLimitedXmlReader : XmlReader, IXmlLineInfo
{
    /// <summary>
    /// Deepest element nesting accepted (the root is depth 0). SVD needs about 12 levels plus one per nested cluster,
    /// and clusters nest at most 32 deep (SVD012), so a real file stays well below it; the tool uses the same bound.
    /// </summary>
    public const int MaxDepth = 64;

    private readonly XmlReader _inner;

    // Per open element (index = depth): its local name and the text of its <name> child, once read.
    private readonly List<string> _kinds = new();
    private readonly List<string?> _names = new();

    public DepthLimitedXmlReader(XmlReader inner) => _inner = inner;

    /// <summary>Set when the reader stopped at an element nested too deep: the diagnostic to report.</summary>
    public (int Line, int Column, string Element, string Path)? TooDeep { get; private set; }

    public override bool Read()
    {
        if (TooDeep is not null || !_inner.Read())
        {
            return false;
        }

        switch (_inner.NodeType)
        {
            case XmlNodeType.Element:
                int depth = _inner.Depth;
                if (depth > MaxDepth)
                {
                    var info = (IXmlLineInfo)_inner;
                    TooDeep = (info.LineNumber, info.LinePosition, _inner.LocalName, Path());
                    throw new XmlException($"<{_inner.LocalName}> is nested deeper than {MaxDepth} elements", null, info.LineNumber, info.LinePosition);
                }

                Open(depth, _inner.LocalName);
                break;
            case XmlNodeType.Text or XmlNodeType.CDATA:
                // The text of a <name> element names the element that contains it.
                int name = _inner.Depth - 1;
                if (name >= 1 && name < _kinds.Count && _kinds[name] == "name" && _names[name - 1] is null)
                {
                    _names[name - 1] = _inner.Value.Trim();
                }

                break;
        }

        return true;
    }

    private void Open(int depth, string kind)
    {
        if (depth < _kinds.Count)
        {
            _kinds.RemoveRange(depth, _kinds.Count - depth);
            _names.RemoveRange(depth, _names.Count - depth);
        }

        _kinds.Add(kind);
        _names.Add(null);
    }

    /// <summary>The names of the named elements open around the reader, dot-separated; the middle left out when long.</summary>
    private string Path()
    {
        var names = new List<string>();
        for (int i = 0; i < _kinds.Count; i++)
        {
            if (_names[i] is { Length: > 0 } n && _kinds[i] is "peripheral" or "cluster" or "register" or "field" or "enumeratedValues")
            {
                names.Add(n);
            }
        }

        if (names.Count <= 8)
        {
            return string.Join(".", names);
        }

        var path = new StringBuilder();
        path.Append(string.Join(".", names.GetRange(0, 4))).Append(".(").Append(names.Count - 8).Append(" more).");
        return path.Append(string.Join(".", names.GetRange(names.Count - 4, 4))).ToString();
    }

    // What XDocument.Load asks of a reader, passed through.
    public override XmlNodeType NodeType => _inner.NodeType;

    public override string LocalName => _inner.LocalName;

    public override string NamespaceURI => _inner.NamespaceURI;

    public override string Prefix => _inner.Prefix;

    public override string Value => _inner.Value;

    public override int Depth => _inner.Depth;

    public override string BaseURI => _inner.BaseURI;

    public override bool IsEmptyElement => _inner.IsEmptyElement;

    public override int AttributeCount => _inner.AttributeCount;

    public override bool EOF => _inner.EOF;

    public override ReadState ReadState => _inner.ReadState;

    public override XmlNameTable NameTable => _inner.NameTable;

    public override XmlReaderSettings? Settings => _inner.Settings;

    public int LineNumber => _inner is IXmlLineInfo info ? info.LineNumber : 0;

    public int LinePosition => _inner is IXmlLineInfo info ? info.LinePosition : 0;

    public bool HasLineInfo() => _inner is IXmlLineInfo info && info.HasLineInfo();

    public override string GetAttribute(int i) => _inner.GetAttribute(i);

    public override string? GetAttribute(string name) => _inner.GetAttribute(name);

    public override string? GetAttribute(string name, string? namespaceURI) => _inner.GetAttribute(name, namespaceURI);

    public override string? LookupNamespace(string prefix) => _inner.LookupNamespace(prefix);

    public override bool MoveToAttribute(string name) => _inner.MoveToAttribute(name);

    public override bool MoveToAttribute(string name, string? ns) => _inner.MoveToAttribute(name, ns);

    public override void MoveToAttribute(int i) => _inner.MoveToAttribute(i);

    public override bool MoveToElement() => _inner.MoveToElement();

    public override bool MoveToFirstAttribute() => _inner.MoveToFirstAttribute();

    public override bool MoveToNextAttribute() => _inner.MoveToNextAttribute();

    public override bool ReadAttributeValue() => _inner.ReadAttributeValue();

    public override void ResolveEntity() => _inner.ResolveEntity();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
