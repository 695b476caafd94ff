using System.Reflection;
using System.Text.RegularExpressions;

namespace IoSys.Analyzers.Tests;

/// <summary>
/// Pins the analyzer to the public API: it checks exactly the parameters marked <c>[IoOffset]</c>, so every offset
/// parameter of the access types must carry the attribute, and what the attribute says must fit the method.
/// </summary>
public sealed partial class OffsetAttributeCoverageTests
{
    // `long` parameters of the access types that are not offsets (sizes of new maps). Lengths and widths named by an
    // [IoOffset]'s LengthParameter/WidthParameter are covered by that attribute and need no entry here.
    private static readonly HashSet<string> NotOffsets = new(StringComparer.Ordinal)
    {
        "IoSysMap.Create(size)",
        "IoSysMap.Allocate(size)",
    };

    /// <summary>The access types: maps, known-size maps, leases, views and the raw layer.</summary>
    private static IEnumerable<Type> AccessTypes() =>
        typeof(IoSysMap).Assembly.GetExportedTypes().Where(t =>
            t.Namespace == "IoSys"
            && !t.IsSubclassOf(typeof(Exception))
            && !t.IsSubclassOf(typeof(Attribute))
            && (t.Name.StartsWith("IoSysMap", StringComparison.Ordinal) || t == typeof(UnsafeIoSysMap)
                || t.Name.Contains("Lease", StringComparison.Ordinal) || t.Name.Contains("View", StringComparison.Ordinal)));

    private static IEnumerable<MethodBase> PublicMembers(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Cast<MethodBase>()
            .Concat(type.GetConstructors(BindingFlags.Public | BindingFlags.Instance));

    private static string Key(MethodBase member, ParameterInfo parameter) =>
        $"{Regex.Replace(member.DeclaringType!.Name, "`.*", "")}.{(member.IsConstructor ? "ctor" : member.Name)}({parameter.Name})";

    [Fact]
    public void TheAccessTypesAreFound()
    {
        Type[] types = [.. AccessTypes()];
        Assert.Contains(typeof(IoSysMap), types);
        Assert.Contains(typeof(IoSysMap<>), types);
        Assert.Contains(typeof(IoSysMapLease), types);
        Assert.Contains(typeof(IoSysMapLease<>), types);
        Assert.Contains(typeof(UnsafeIoSysMap), types);
    }

    [Fact]
    public void EveryLongParameterOfAnAccessTypeIsAnOffsetOrAllowListed()
    {
        var uncovered = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Type type in AccessTypes())
        {
            foreach (MethodBase member in PublicMembers(type))
            {
                ParameterInfo[] parameters = member.GetParameters();
                var named = parameters.Select(p => p.GetCustomAttribute<IoOffsetAttribute>())
                    .OfType<IoOffsetAttribute>()
                    .SelectMany(a => new[] { a.LengthParameter, a.WidthParameter })
                    .OfType<string>()
                    .ToHashSet(StringComparer.Ordinal);
                foreach (ParameterInfo parameter in parameters.Where(p => p.ParameterType == typeof(long)))
                {
                    string key = Key(member, parameter);
                    seen.Add(key);
                    if (parameter.GetCustomAttribute<IoOffsetAttribute>() is null && !named.Contains(parameter.Name!) && !NotOffsets.Contains(key))
                    {
                        uncovered.Add(key);
                    }
                }
            }
        }

        Assert.True(uncovered.Count == 0, "long parameters neither [IoOffset] nor named by one nor allow-listed: " + string.Join(", ", uncovered.Distinct()));
        Assert.True(NotOffsets.IsSubsetOf(seen), "stale allow-list entries: " + string.Join(", ", NotOffsets.Except(seen)));
    }

    [Fact]
    public void EveryAccessMethodTakesAnOffset()
    {
        var missing = new List<string>();
        foreach (Type type in AccessTypes())
        {
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                // A view's element accessors take an index, not an offset: the view checked its whole range once.
                bool indexed = type.Name.Contains("View", StringComparison.Ordinal) && method.GetParameters().Any(p => p.Name == "index" && p.ParameterType == typeof(int));
                bool access = AccessName().IsMatch(method.Name) && !method.IsSpecialName && !indexed;
                if (access && !method.GetParameters().Any(p => p.GetCustomAttribute<IoOffsetAttribute>() is not null))
                {
                    missing.Add($"{type.Name}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name + " " + p.Name))})");
                }
            }
        }

        Assert.True(missing.Count == 0, "access methods with no [IoOffset] parameter: " + string.Join(", ", missing));
    }

    [Fact]
    public void WhatEachAttributeSaysFitsItsMethod()
    {
        var wrong = new List<string>();
        int count = 0;
        foreach (Type type in AccessTypes())
        {
            foreach (MethodBase member in PublicMembers(type))
            {
                ParameterInfo[] parameters = member.GetParameters();
                foreach (ParameterInfo parameter in parameters)
                {
                    if (parameter.GetCustomAttribute<IoOffsetAttribute>() is not { } attribute)
                    {
                        continue;
                    }

                    count++;
                    string key = Key(member, parameter);
                    if (parameter.ParameterType != typeof(long))
                    {
                        wrong.Add(key + ": not a long");
                    }

                    if (attribute.Width is not (0 or 1 or 2 or 4 or 8))
                    {
                        wrong.Add($"{key}: width {attribute.Width}");
                    }

                    if (attribute.WidthParameter is { } w && parameters.FirstOrDefault(p => p.Name == w)?.ParameterType != typeof(int))
                    {
                        wrong.Add($"{key}: WidthParameter '{w}' is not an int parameter");
                    }

                    if (attribute.LengthParameter is { } l && parameters.FirstOrDefault(p => p.Name == l)?.ParameterType != typeof(long))
                    {
                        wrong.Add($"{key}: LengthParameter '{l}' is not a long parameter");
                    }

                    // A fixed-width accessor (Read32, TryWrite16, ReadBigEndian64, ...) must say its width.
                    Match bits = FixedWidthName().Match(member.Name);
                    if (bits.Success && attribute.Width != int.Parse(bits.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) / 8)
                    {
                        wrong.Add($"{key}: width {attribute.Width} on a {bits.Groups[1].Value}-bit accessor");
                    }
                }
            }
        }

        Assert.True(count >= 60, $"only {count} [IoOffset] parameters found");
        Assert.True(wrong.Count == 0, string.Join("; ", wrong));
    }

    [GeneratedRegex(@"^(Try)?(Read|Write|Poll|Fill|CopyTo|Slice|AsKnownSize|AsArray)")]
    private static partial Regex AccessName();

    [GeneratedRegex(@"^(?:Try)?(?:Read|Write)(?:BigEndian)?(8|16|32|64)$")]
    private static partial Regex FixedWidthName();
}
