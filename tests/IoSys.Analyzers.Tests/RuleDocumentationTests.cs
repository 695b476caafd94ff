using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace IoSys.Analyzers.Tests;

/// <summary>Every rule has a help link, to a section of docs/compile-time.md that exists, and a release-tracking entry.</summary>
public sealed class RuleDocumentationTests
{
    private static readonly string Root = FindRoot();

    /// <summary>Every descriptor any analyzer in the assembly reports, plus those declared on <see cref="Descriptors"/>.</summary>
    private static List<DiagnosticDescriptor> Rules() =>
        [.. typeof(Descriptors).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(DiagnosticAnalyzer)) && !t.IsAbstract)
            .SelectMany(t => ((DiagnosticAnalyzer)Activator.CreateInstance(t)!).SupportedDiagnostics)
            .Concat(typeof(Descriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
                .Select(f => (DiagnosticDescriptor)f.GetValue(null)!))
            .DistinctBy(d => d.Id)
            .OrderBy(d => d.Id, StringComparer.Ordinal)];

    [Fact]
    public void EveryRuleLinksToItsOwnSectionOfTheDocs()
    {
        string doc = File.ReadAllText(Path.Combine(Root, "docs", "compile-time.md"));
        var headings = doc.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith('#')).ToHashSet(StringComparer.Ordinal);
        List<DiagnosticDescriptor> rules = Rules();
        Assert.Equal(29, rules.Count);
        foreach (DiagnosticDescriptor rule in rules)
        {
            Assert.Equal(Descriptors.HelpLinkBase + rule.Id.ToLowerInvariant(), rule.HelpLinkUri);
            Assert.StartsWith("https://", rule.HelpLinkUri, StringComparison.Ordinal);
            Assert.EndsWith("docs/compile-time.md#" + rule.Id.ToLowerInvariant(), rule.HelpLinkUri, StringComparison.Ordinal);

            // A heading that is exactly the ID has that anchor (GitHub lower-cases it).
            Assert.True(headings.Contains("### " + rule.Id), $"docs/compile-time.md has no '### {rule.Id}' section");
        }
    }

    [Fact]
    public void EveryRuleIsInTheReleaseTrackingFiles()
    {
        string dir = Path.Combine(Root, "src", "IoSys.Analyzers");
        string[] rows = [.. File.ReadAllLines(Path.Combine(dir, "AnalyzerReleases.Shipped.md")), .. File.ReadAllLines(Path.Combine(dir, "AnalyzerReleases.Unshipped.md"))];
        foreach (DiagnosticDescriptor rule in Rules())
        {
            string expected = $"{rule.Id} | {rule.Category} | {rule.DefaultSeverity} |";
            Assert.True(rows.Any(r => r.StartsWith(expected, StringComparison.Ordinal)), "no release-tracking row " + expected);
        }
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "IoSys.slnx")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("IoSys.slnx not found above " + AppContext.BaseDirectory);
    }
}
