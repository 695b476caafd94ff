using System;
using System.Collections.Generic;
using System.Globalization;

namespace IoSys.Registers.Descriptions;

/// <summary>
/// One register of a peripheral at one address: a <see cref="RegisterDescription"/> with array elements and cluster
/// offsets resolved, named by its path (<c>CR</c>, <c>CH[3]</c>, <c>CLUSTER[1].REG</c>).
/// </summary>
/// <param name="path">The path, cluster names and array indices included.</param>
/// <param name="offset">Offset in bytes from the peripheral's base address.</param>
/// <param name="register">The register's description.</param>
public sealed class RegisterInstance(string path, ulong offset, RegisterDescription register)
{
    /// <summary>The path, cluster names and array indices included.</summary>
    public string Path { get; } = path ?? throw new ArgumentNullException(nameof(path));

    /// <summary>Offset in bytes from the peripheral's base address.</summary>
    public ulong Offset { get; } = offset;

    /// <summary>The register's description (size, access, fields).</summary>
    public RegisterDescription Register { get; } = register ?? throw new ArgumentNullException(nameof(register));

    /// <inheritdoc/>
    public override string ToString() => Path + " @ 0x" + Offset.ToString("X", CultureInfo.InvariantCulture);
}

/// <summary>Name lookups: an exact (ordinal) match wins, else the only case-insensitive one.</summary>
internal static class NameLookup
{
    public static T? Find<T>(IReadOnlyList<T> items, string name, Func<T, string> nameOf)
        where T : class
    {
        if (name is null)
        {
            return null;
        }

        T? folded = null;
        int foldedCount = 0;
        foreach (T item in items)
        {
            string n = nameOf(item);
            if (string.Equals(n, name, StringComparison.Ordinal))
            {
                return item;
            }

            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            {
                folded = item;
                foldedCount++;
            }
        }

        return foldedCount == 1 ? folded : null;
    }
}

/// <summary>The register instances of a peripheral, expanded once, with lookups by path.</summary>
internal sealed class RegisterIndex
{
    private readonly Dictionary<string, RegisterInstance> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RegisterInstance?> _folded = new(StringComparer.OrdinalIgnoreCase);

    public RegisterIndex(PeripheralDescription peripheral)
    {
        var list = new List<RegisterInstance>();
        Add(peripheral.Children, string.Empty, 0, list);
        Instances = list;
        foreach (RegisterInstance r in list)
        {
            if (!_exact.ContainsKey(r.Path))
            {
                _exact[r.Path] = r;
            }

            // Two paths that differ only in case make the case-insensitive lookup ambiguous: null marks that.
            if (!_folded.TryGetValue(r.Path, out RegisterInstance? seen))
            {
                _folded[r.Path] = r;
            }
            else if (seen is not null && !string.Equals(seen.Path, r.Path, StringComparison.Ordinal))
            {
                _folded[r.Path] = null;
            }
        }
    }

    public IReadOnlyList<RegisterInstance> Instances { get; }

    public RegisterInstance? Find(string path)
    {
        if (path is null)
        {
            return null;
        }

        path = path.Trim();
        if (_exact.TryGetValue(path, out RegisterInstance? r))
        {
            return r;
        }

        return _folded.TryGetValue(path, out r) ? r : null;
    }

    private static void Add(IReadOnlyList<RegisterNode> nodes, string prefix, ulong baseOffset, List<RegisterInstance> list)
    {
        foreach (RegisterNode node in nodes)
        {
            string name = node is RegisterDescription { AlternateGroup: { Length: > 0 } group } ? node.Name + "_" + group : node.Name;
            int count = node.Dim?.Count ?? 1;
            for (int i = 0; i < count; i++)
            {
                string segment = node.Dim is null ? name : name + "[" + ElementIndex(node.Dim, i) + "]";
                ulong offset = unchecked(baseOffset + node.AddressOffset + (node.Dim is null ? 0 : (ulong)i * node.Dim.Increment));
                string path = prefix.Length == 0 ? segment : prefix + "." + segment;
                switch (node)
                {
                    case RegisterDescription register:
                        list.Add(new RegisterInstance(path, offset, register));
                        break;
                    case ClusterDescription cluster:
                        Add(cluster.Children, path, offset, list);
                        break;
                }
            }
        }
    }

    private static string ElementIndex(DimDescription dim, int i) =>
        i < dim.Indices.Count ? dim.Indices[i] : i.ToString(CultureInfo.InvariantCulture);
}
