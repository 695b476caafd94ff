using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using IoSys.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace IoSys.Site.Tests;

/// <summary>
/// Every C# example of the API reference (the ```csharp blocks of site/examples/*.md, which docfx shows on the API
/// pages and eng/site-examples.py counts) compiles as a program of its own against IoSys, IoSys.Linux,
/// IoSys.Simulation and IoSys.Devices, with the SDK's implicit usings and the register generator: no error.
/// </summary>
public sealed partial class ExampleCompilationTests
{
    private static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        // The running runtime's assemblies, plus the libraries (loaded into this test through its references).
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        string[] libraries =
        [
            typeof(IoSysMap).Assembly.Location,
            typeof(IoSys.Linux.PciDevices).Assembly.Location,
            typeof(IoSys.Simulation.EduDevice).Assembly.Location,
            typeof(IoSys.Devices.Edu.EduRegisters).Assembly.Location,
        ];
        return [.. platform.Concat(libraries).Distinct().Select(static p => MetadataReference.CreateFromFile(p))];
    });

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach ((string name, _) in Blocks())
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void There_are_examples_to_compile() => Assert.True(Blocks().Count >= 20, $"only {Blocks().Count} examples found");

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_compiles(string name)
    {
        string code = Blocks()[name];
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        SyntaxTree usings = CSharpSyntaxTree.ParseText(string.Concat(ImplicitUsings.Select(static u => $"global using global::{u};\n")), options);
        SyntaxTree example = CSharpSyntaxTree.ParseText(code, options, path: name + ".cs");
        // A program (top-level statements), or declarations only (e.g. a helper that shows an attribute): a library.
        bool program = example.GetRoot().ChildNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax>().Any();
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Example",
            [usings, example],
            References.Value,
            new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

        GeneratorDriver driver = CSharpGeneratorDriver.Create([new RegisterGenerator().AsSourceGenerator()], parseOptions: options);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation generated, out _);
        Diagnostic[] errors = [.. generated.GetDiagnostics().Where(static d => d.Severity == DiagnosticSeverity.Error)];
        Assert.True(errors.Length == 0, $"{name}:\n{string.Join("\n", errors.Select(static e => e.ToString()))}\n\n{code}");
    }

    /// <summary>Each example's code by a readable name: its file and UID (one block per UID; a UID's code blocks joined).</summary>
    private static Dictionary<string, string> Blocks()
    {
        var blocks = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in Directory.GetFiles(Path.Combine(RepositoryRoot(), "site", "examples"), "*.md").Order(StringComparer.Ordinal))
        {
            string text = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
            foreach (Match block in Block().Matches(text))
            {
                string code = string.Join("\n", Code().Matches(block.Groups["body"].Value).Select(static m => m.Groups["code"].Value));
                if (code.Length > 0)
                {
                    blocks.Add($"{Path.GetFileNameWithoutExtension(path)}: {block.Groups["uid"].Value.Trim()}", code);
                }
            }
        }

        return blocks;
    }

    private static string RepositoryRoot([CallerFilePath] string here = "")
    {
        foreach (string start in new[] { here, AppContext.BaseDirectory })
        {
            for (string? dir = Path.GetDirectoryName(start); dir is not null; dir = Path.GetDirectoryName(dir))
            {
                if (Directory.Exists(Path.Combine(dir, "site", "examples")))
                {
                    return dir;
                }
            }
        }

        throw new InvalidOperationException("site/examples not found above the tests");
    }

    [GeneratedRegex(@"^---\nuid: *(?<uid>.+?)\n.*?^---\n(?<body>.*?)(?=^---\nuid:|\z)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Block();

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Code();
}
