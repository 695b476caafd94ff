using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace IoSys.Analyzers.Tests;

/// <summary>
/// Runs the Roslyn test harness offline: references come from the installed .NET targeting pack (not downloaded
/// at test time) plus IoSys itself; C# latest with unsafe code allowed.
/// </summary>
internal static class Harness
{
    // Nothing is resolved from NuGet: the references are added explicitly below.
    private static readonly ReferenceAssemblies NoPackages = new("net10.0");

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    public static string Usings => "using System; using IoSys; using IoSys.Registers;\n";

    public static void Configure(SolutionState state, List<Func<Solution, ProjectId, Solution>> transforms)
    {
        state.AdditionalReferences.AddRange(References);
        transforms.Add(static (solution, id) =>
        {
            Project project = solution.GetProject(id)!;
            return solution
                .WithProjectCompilationOptions(id, ((CSharpCompilationOptions)project.CompilationOptions!).WithAllowUnsafe(true).WithNullableContextOptions(NullableContextOptions.Enable))
                .WithProjectParseOptions(id, ((CSharpParseOptions)project.ParseOptions!).WithLanguageVersion(LanguageVersion.Preview));
        });
    }

    public static ReferenceAssemblies ReferenceAssemblies => NoPackages;

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // <dotnet>/shared/Microsoft.NETCore.App/<version>/System.Private.CoreLib.dll -> <dotnet>/packs/Microsoft.NETCore.App.Ref/<version>/ref/net10.0
        string runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
        string packs = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        string? refDir = Directory.Exists(packs)
            ? Directory.GetDirectories(packs)
                .Select(v => Path.Combine(v, "ref", "net10.0"))
                .Where(Directory.Exists)
                .OrderByDescending(d => d, StringComparer.Ordinal)
                .FirstOrDefault()
            : null;
        IEnumerable<string> framework = refDir is not null
            ? Directory.GetFiles(refDir, "*.dll")
            : ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) == "netstandard.dll" || Path.GetFileName(p) == "mscorlib.dll");
        return [.. framework.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)), MetadataReference.CreateFromFile(typeof(IoSysMap).Assembly.Location)];
    }

    /// <summary>Runs the generator with the C# compiler directly: the generated text per hint name, and all diagnostics.</summary>
    public static (ImmutableDictionary<string, string> Sources, ImmutableArray<Diagnostic> Diagnostics) Generate(string source)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Generated",
            [CSharpSyntaxTree.ParseText(source, parse)],
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new RegisterGenerator().AsSourceGenerator()], parseOptions: parse);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        var sources = driver.GetRunResult().Results.SelectMany(r => r.GeneratedSources).ToImmutableDictionary(s => s.HintName, s => s.SourceText.ToString());
        return (sources, output.GetDiagnostics());
    }
}

/// <summary>An analyzer test that also runs the register generator, so code can use generated registers.</summary>
internal sealed class AnalyzerTest<TAnalyzer> : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public AnalyzerTest(string source, params DiagnosticResult[] expected)
    {
        TestCode = Harness.Usings + source;
        ReferenceAssemblies = Harness.ReferenceAssemblies;
        Harness.Configure(TestState, SolutionTransforms);
        ExpectedDiagnostics.AddRange(expected);
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
    }

    protected override IEnumerable<Type> GetSourceGenerators() => [typeof(RegisterGenerator)];
}

/// <summary>A code-fix test for <see cref="MapAccessAnalyzer"/>.</summary>
internal sealed class CodeFixTest<TFix> : CSharpCodeFixTest<MapAccessAnalyzer, TFix, DefaultVerifier>
    where TFix : CodeFixProvider, new()
{
    public CodeFixTest(string source, string fixedSource, string equivalenceKey, params DiagnosticResult[] expected)
    {
        TestCode = Harness.Usings + source;
        FixedCode = Harness.Usings + fixedSource;
        CodeActionEquivalenceKey = equivalenceKey;
        ReferenceAssemblies = Harness.ReferenceAssemblies;
        Harness.Configure(TestState, SolutionTransforms);
        Harness.Configure(FixedState, SolutionTransforms);
        ExpectedDiagnostics.AddRange(expected);
    }
}

/// <summary>A generator test: the output must equal the checked-in snapshot, and everything must compile.</summary>
internal sealed class GeneratorTest : CSharpSourceGeneratorTest<RegisterGenerator, DefaultVerifier>
{
    public GeneratorTest(string source, string hintName, string expected)
    {
        TestCode = source;
        ReferenceAssemblies = Harness.ReferenceAssemblies;
        Harness.Configure(TestState, SolutionTransforms);
        TestState.GeneratedSources.Add((typeof(RegisterGenerator), hintName, SourceText.From(expected, Encoding.UTF8)));
    }
}

/// <summary>Checked-in expected files under Snapshots/.</summary>
internal static class Snapshots
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Snapshots", name));

    /// <summary>Writes a snapshot into the source tree, when IOSYS_UPDATE_SNAPSHOTS=1.</summary>
    public static bool UpdateIfAsked(string name, string actual, [CallerFilePath] string caller = "")
    {
        if (Environment.GetEnvironmentVariable("IOSYS_UPDATE_SNAPSHOTS") != "1")
        {
            return false;
        }

        File.WriteAllText(Path.Combine(Path.GetDirectoryName(caller)!, "Snapshots", name), actual);
        return true;
    }
}
