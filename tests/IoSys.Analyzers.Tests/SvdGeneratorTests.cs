using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit.Abstractions;

namespace IoSys.Analyzers.Tests;

/// <summary>The register generator on SVD files given as AdditionalFiles, driven in memory: diagnostics, hostile files, caching, vendor files.</summary>
public sealed class SvdGeneratorTests(ITestOutputHelper output)
{
    private const string Header = """
        <?xml version="1.0" encoding="utf-8"?>
        <device>
          <name>D</name>
          <addressUnitBits>8</addressUnitBits>
          <width>32</width>
          <size>32</size>
          <peripherals>
        """;

    private const string Footer = """
          </peripherals>
        </device>
        """;

    private static string Peripheral(string registers, string name = "P", string extra = "") => $"""
            <peripheral{extra}>
              <name>{name}</name>
              <baseAddress>0x1000</baseAddress>
              <addressBlock><offset>0</offset><size>0x100</size><usage>registers</usage></addressBlock>
              <registers>
        {registers}
              </registers>
            </peripheral>
        """;

    private static string Device(params string[] peripherals) => Header + "\n" + string.Join("\n", peripherals) + "\n" + Footer;

    [Fact]
    public void GeneratedCodeCompilesAndCarriesTheDescription()
    {
        string svd = Device(Peripheral("""
                    <register><name>CTRL</name><description>Control &amp; status.</description><addressOffset>0x0</addressOffset>
                      <fields><field><name>EN</name><bitRange>[0:0]</bitRange></field><field><name>DIV</name><bitRange>[11:4]</bitRange></field>
                        <field><name>Count</name><bitRange>[15:12]</bitRange></field></fields></register>
                    <register><name>WIDE</name><addressOffset>0x8</addressOffset><size>64</size></register>
            """));
        Result r = Run([("/src/d.svd", svd, new() { ["IoSysNamespace"] = "My.Device" })]);
        Assert.Empty(r.Problems);
        Assert.Empty(r.CompileErrors);
        string text = Assert.Single(r.Sources).Value;
        Assert.Contains("namespace My.Device", text, StringComparison.Ordinal);
        Assert.Contains("public partial struct P : global::IoSys.IIoKnownSize", text, StringComparison.Ordinal);
        Assert.Contains("/// <summary>Control &amp; status.</summary>", text, StringComparison.Ordinal);
        Assert.Contains("[global::IoSys.IoWidthRule(0x0L, 0x4L, global::IoSys.AccessWidths.Bits32)]", text, StringComparison.Ordinal);
        Assert.Contains("[global::IoSys.IoWidthRule(0x8L, 0x8L, global::IoSys.AccessWidths.Bits64)]", text, StringComparison.Ordinal);
        Assert.Contains("public byte DIV { ", text, StringComparison.Ordinal);

        // Count, Stride and OffsetOf are names the generator uses for arrays only: a single register's field keeps them.
        Assert.Contains("public byte Count { ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void MetadataFiltersRenamesAndTurnsWidthRulesOff()
    {
        string reg = "<register><name>R</name><addressOffset>0</addressOffset></register>";
        string svd = Device(Peripheral(reg, "A"), Peripheral(reg, "B"), Peripheral(reg, "C"));
        Result r = Run([("/src/d.svd", svd, new() { ["IoSysPeripherals"] = "B=Bee, C", ["IoSysWidthRules"] = "none" })]);
        Assert.Empty(r.Problems);
        Assert.Empty(r.CompileErrors);
        Assert.Equal(["Bee", "C"], r.Sources.Values.Select(t => t.Contains("partial struct Bee", StringComparison.Ordinal) ? "Bee" : "C").Order());
        Assert.DoesNotContain(r.Sources.Values, t => t.Contains("IoWidthRule", StringComparison.Ordinal));

        // A peripheral the file lacks, or a malformed value, is named in a warning on the file.
        Result bad = Run([("/src/d.svd", svd, new() { ["IoSysPeripherals"] = "A, NOPE, B=not valid", ["IoSysWidthRules"] = "sometimes" })]);
        Assert.Equal(3, bad.Problems.Count(d => d.Id == "IOSYS121"));
        Assert.Contains(bad.Problems, d => d.GetMessage(null).Contains("'NOPE'", StringComparison.Ordinal));
        Assert.Contains(bad.Problems, d => d.GetMessage(null).Contains("'B=not valid'", StringComparison.Ordinal));
        Assert.Contains(bad.Problems, d => d.GetMessage(null).Contains("sometimes", StringComparison.Ordinal));
    }

    [Fact]
    public void ReaderDiagnosticsNameFileLineAndElement()
    {
        string svd = Device(Peripheral("""
                    <register><name>R</name><addressOffset>0x0</addressOffset>
                      <fields>
                        <field><name>TOO_WIDE</name><bitRange>[40:0]</bitRange></field>
                      </fields>
                    </register>
            """));
        int line = svd.Split('\n').ToList().FindIndex(l => l.Contains("TOO_WIDE", StringComparison.Ordinal)) + 1;
        Result r = Run([("/src/bad.svd", svd, [])]);
        Diagnostic d = Assert.Single(r.Problems);
        Assert.Equal(("IOSYS110", DiagnosticSeverity.Error), (d.Id, d.Severity));
        FileLinePositionSpan where = d.Location.GetLineSpan();
        Assert.Equal(("/src/bad.svd", line), (where.Path, where.StartLinePosition.Line + 1));
        Assert.Contains("<field> in P.R.TOO_WIDE", d.GetMessage(null), StringComparison.Ordinal);
        Assert.Contains("(SVD010)", d.GetMessage(null), StringComparison.Ordinal);
        Assert.EndsWith("docs/compile-time.md#iosys110", d.Descriptor.HelpLinkUri, StringComparison.Ordinal);

        // The register is still generated, without the bad field.
        Assert.Empty(r.CompileErrors);
        Assert.DoesNotContain("TOO_WIDE", Assert.Single(r.Sources).Value, StringComparison.Ordinal);
    }

    [Fact]
    public void WhatCannotBeGeneratedIsLeftOutWithAWarning()
    {
        string svd = Device(Peripheral("""
                    <register><name>ODD</name><addressOffset>0x0</addressOffset><size>24</size></register>
                    <register><name>MISALIGNED</name><addressOffset>0x6</addressOffset></register>
                    <register><name>OK</name><addressOffset>0x8</addressOffset></register>
            """));
        Result r = Run([("/src/d.svd", svd, [])]);
        Assert.Equal(["P.MISALIGNED", "P.ODD"], r.Problems.Where(d => d.Id == "IOSYS120").Select(d => d.GetMessage(null).Split(' ')[1]).Order());
        Assert.All(r.Problems, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.Empty(r.CompileErrors);
        Assert.Contains("partial struct OK", Assert.Single(r.Sources).Value, StringComparison.Ordinal);
    }

    [Fact]
    public void NamesThatAreNotIdentifiersOrClashAreMadeValid()
    {
        // C# keywords, digits first, a field named like its register, like generated members, twice the same name.
        string svd = Device(Peripheral("""
                    <register><name>class</name><addressOffset>0x0</addressOffset>
                      <fields><field><name>class</name><bitRange>[0:0]</bitRange></field><field><name>Read</name><bitRange>[1:1]</bitRange></field>
                              <field><name>2X</name><bitRange>[3:2]</bitRange></field><field><name>Offset</name><bitRange>[4:4]</bitRange></field></fields></register>
                    <register><name>Size</name><addressOffset>0x4</addressOffset></register>
                    <register><name>P</name><addressOffset>0x8</addressOffset></register>
                    <register><name>R</name><addressOffset>0xC</addressOffset></register>
                    <register><name>R</name><addressOffset>0x10</addressOffset></register>
            """));
        Result r = Run([("/src/d.svd", svd, [])]);
        Assert.Empty(r.CompileErrors);
        Assert.All(r.Problems, d => Assert.Equal("IOSYS115", d.Id)); // the duplicate R, as the reader warns
    }

    [Fact]
    public void NestingDeeperThanTheBoundIsOneDiagnosticNamingFileAndPath()
    {
        // 10,000 nested clusters: refused at the first element beyond 64 levels, in one pass, no stack overflow.
        var sb = new StringBuilder();
        for (int i = 0; i < 10_000; i++)
        {
            sb.Append("<cluster><name>C").Append(i).Append("</name><addressOffset>0</addressOffset>\n");
        }

        sb.Append(string.Concat(Enumerable.Repeat("</cluster>", 10_000)));
        Result r = Run([("/src/deep.svd", Device(Peripheral(sb.ToString())), [])]);
        Diagnostic d = Assert.Single(r.Problems);
        Assert.Equal(("IOSYS116", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Equal("/src/deep.svd", d.Location.GetLineSpan().Path);
        Assert.Contains("> in P.C0.C1.C2.(53 more).C56.C57.C58.C59: ", d.GetMessage(null), StringComparison.Ordinal);
        Assert.Contains("deeper than 64 levels", d.GetMessage(null), StringComparison.Ordinal);
        Assert.EndsWith("docs/compile-time.md#iosys116", d.Descriptor.HelpLinkUri, StringComparison.Ordinal);
        Assert.Empty(r.Sources);
        Assert.Empty(r.CompileErrors);
    }

    public static TheoryData<string, string> Hostile => new()
    {
        { "empty", string.Empty },
        { "not XML", "this is not XML \0\u0001" },
        { "truncated", Device(Peripheral("<register><name>R</name><addressOffset>0")).Substring(0, 300) },
        { "DTD with entities", "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]><device>&b;</device>" },
        { "external entity", "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><device><name>&x;</name></device>" },
        { "root not device", "<registers/>" },
        { "derivedFrom cycle", Device(Peripheral("<register><name>R</name><addressOffset>0</addressOffset></register>", "A", " derivedFrom=\"B\""), Peripheral("<register><name>R</name><addressOffset>0</addressOffset></register>", "B", " derivedFrom=\"A\"")) },
        { "huge dim", Device(Peripheral("<register><dim>1000000000</dim><dimIncrement>4</dimIncrement><name>R[%s]</name><addressOffset>0</addressOffset></register>")) },
        { "deep clusters", Device(Peripheral(string.Concat(Enumerable.Repeat("<cluster><name>C</name><addressOffset>0</addressOffset>", 200)) + "<register><name>R</name><addressOffset>0</addressOffset></register>" + string.Concat(Enumerable.Repeat("</cluster>", 200)))) },
        { "10,000 nested unknown elements", Device(Peripheral(string.Concat(Enumerable.Repeat("<x>", 10_000)) + string.Concat(Enumerable.Repeat("</x>", 10_000)))) },
        { "bad numbers", Device(Peripheral("<register><name>R</name><addressOffset>0xZZ</addressOffset><size>-1</size></register><register><name>S</name><addressOffset>99999999999999999999999</addressOffset></register>")) },
        { "huge offset", Device(Peripheral("<register><name>R</name><addressOffset>0xFFFFFFFFFFFFFFF0</addressOffset></register>")) },
        { "array beyond long", Device(Peripheral("<register><dim>65536</dim><dimIncrement>0x4000000000000</dimIncrement><name>R[%s]</name><addressOffset>0</addressOffset></register>")) },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void HostileFilesAreDiagnosticsNeverACrash(string what, string svd)
    {
        Result r = Run([("/src/hostile.svd", svd, [])]);
        output.WriteLine($"{what}: {string.Join(" | ", r.Problems.Select(d => d.Id + " " + d.GetMessage(null)))}");

        // A generator that throws is reported by the compiler as CS8785 and produces nothing: never that.
        Assert.DoesNotContain(r.All, d => d.Id is "CS8785" or "IOSYS199");
        Assert.NotEmpty(r.Problems);
        Assert.All(r.Problems, d => Assert.Equal("/src/hostile.svd", d.Location.GetLineSpan().Path));
        Assert.Empty(r.CompileErrors);
    }

    [Fact]
    public void AnEditElsewhereDoesNotParseTheFileAgain()
    {
        string svd = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vendor", "e310x.svd"));
        var file = new MemoryText("/src/e310x.svd", svd);
        CSharpCompilation compilation = Compilation("class Unrelated { }");
        GeneratorDriver driver = Driver([file], []);
        driver = driver.RunGenerators(compilation);

        CSharpCompilation edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees[0], CSharpSyntaxTree.ParseText("class Unrelated { int x; }", ParseOptions));
        driver = driver.RunGenerators(edited);
        GeneratorRunResult run = Assert.Single(driver.GetRunResult().Results);
        IncrementalGeneratorRunStep[] model = run.TrackedSteps[RegisterGenerator.SvdModelStep].ToArray();
        Assert.All(model.SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.All(run.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));

        // An edit of the file itself parses it again.
        driver = driver.RemoveAdditionalTexts([file]).AddAdditionalTexts([new MemoryText("/src/e310x.svd", svd.Replace("<name>QSPI0</name>", "<name>QSPIX</name>", StringComparison.Ordinal))]);
        driver = driver.RunGenerators(edited);
        Assert.Contains(driver.GetRunResult().Results[0].TrackedSteps[RegisterGenerator.SvdModelStep].SelectMany(s => s.Outputs), o => o.Reason is IncrementalStepRunReason.New or IncrementalStepRunReason.Modified);
    }

    public static TheoryData<string, int> VendorFiles => new()
    {
        // file, registers generated (types; an array counts once). From the run's output; see docs/registers.md.
        { "rp2040.svd", 947 },
        { "nrf51.svd", 385 },
        { "ATSAMD21G18A.svd", 701 },
        { "e310x.svd", 102 },
        { "edu.svd", 11 },
        { "pl011.svd", 23 },
        { "pl031.svd", 16 },
        { "pl061.svd", 18 },
    };

    [Theory]
    [MemberData(nameof(VendorFiles))]
    public void VendorFilesGenerateCodeThatCompiles(string name, int expectedRegisters)
    {
        string path = Path.Combine(AppContext.BaseDirectory, File.Exists(Path.Combine(AppContext.BaseDirectory, "vendor", name)) ? "vendor" : "devices", name);
        Result r = Run([(path, File.ReadAllText(path), new() { ["IoSysNamespace"] = "Vendor" })]);
        int registers = r.Sources.Values.Sum(t => Count(t, "[global::IoSys.Registers.Register("));
        int instances = r.Sources.Values.Sum(t => Count(t, "IIoKnownSize"));
        long chars = r.Sources.Values.Sum(t => (long)t.Length);
        output.WriteLine($"{name}: {instances} blocks, {registers} registers, {r.Sources.Values.Sum(t => Count(t, "[__IoBits("))} fields, {chars / 1024} KiB of C# ({(registers == 0 ? 0 : chars / registers)} chars per register); diagnostics: {string.Join(", ", r.Problems.GroupBy(d => d.Id).Select(g => g.Key + " x" + g.Count()))}; generated in {s_lastTimes.Generate.TotalSeconds:F1} s, compiled in {s_lastTimes.Compile.TotalSeconds:F1} s");
        foreach (Diagnostic d in r.Problems.Take(5))
        {
            output.WriteLine("  " + d);
        }

        Assert.Empty(r.CompileErrors);
        Assert.DoesNotContain(r.All, d => d.Id is "CS8785" or "IOSYS199");
        Assert.Equal(expectedRegisters, registers);
    }

    private static int Count(string text, string what)
    {
        int n = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    private static CSharpCompilation Compilation(string source) => CSharpCompilation.Create(
        "Svd",
        [CSharpSyntaxTree.ParseText(source, ParseOptions)],
        Harness.References,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static CSharpGeneratorDriver Driver(ImmutableArray<AdditionalText> files, Dictionary<AdditionalText, Dictionary<string, string>> metadata) =>
        CSharpGeneratorDriver.Create(
            [new RegisterGenerator().AsSourceGenerator()],
            files,
            ParseOptions,
            new Options(metadata),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static Result Run((string Path, string Text, Dictionary<string, string> Metadata)[] files)
    {
        var texts = files.Select(f => (AdditionalText)new MemoryText(f.Path, f.Text)).ToImmutableArray();
        var metadata = files.Select((f, i) => (texts[i], f.Metadata)).ToDictionary(x => x.Item1, x => x.Metadata);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        GeneratorDriver driver = Driver(texts, metadata).RunGeneratorsAndUpdateCompilation(Compilation("class Unrelated { }"), out Compilation compiled, out ImmutableArray<Diagnostic> generatorDiagnostics);
        GeneratorRunResult run = Assert.Single(driver.GetRunResult().Results);
        Assert.Null(run.Exception);
        TimeSpan generate = clock.Elapsed;
        ImmutableArray<Diagnostic> compile = compiled.GetDiagnostics();
        s_lastTimes = (generate, clock.Elapsed - generate);
        return new Result(
            run.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString()),
            run.Diagnostics,
            [.. compile.Where(d => d.Severity == DiagnosticSeverity.Error)],
            [.. generatorDiagnostics, .. compile]);
    }

    /// <summary>How long the last <see cref="Run"/> took to generate, and to compile the output (for the test's output).</summary>
    [ThreadStatic]
    private static (TimeSpan Generate, TimeSpan Compile) s_lastTimes;

    private sealed record Result(Dictionary<string, string> Sources, ImmutableArray<Diagnostic> Problems, ImmutableArray<Diagnostic> CompileErrors, ImmutableArray<Diagnostic> All);

    private sealed class MemoryText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text, Encoding.UTF8);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class Options(Dictionary<AdditionalText, Dictionary<string, string>> metadata) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Values([]);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Values([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
            new Values(metadata.TryGetValue(textFile, out Dictionary<string, string>? m)
                ? m.ToDictionary(kv => "build_metadata.AdditionalFiles." + kv.Key, kv => kv.Value)
                : []);
    }

    private sealed class Values(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
