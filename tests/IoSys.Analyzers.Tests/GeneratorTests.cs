using Microsoft.CodeAnalysis;

namespace IoSys.Analyzers.Tests;

/// <summary>The register generator: output compared with checked-in snapshots, and compiled.</summary>
public sealed class GeneratorTests
{
    private const string DeviceSource = """
        using IoSys;
        using IoSys.Registers;

        namespace Device;

        public enum Direction { ToDevice, FromDevice }

        [RegisterBlock(0x100000)]
        [IoWidthRule(0x00, 0x80, AccessWidths.Bits32)]
        public partial struct DeviceRegs
        {
            [Register(0x00, RegisterAccess.RO, Reset = 0x010000ED)]
            public readonly partial struct Id
            {
                [Bits(31, 24)] public partial byte Major { get; }
                [Bits(23, 16)] public partial byte Minor { get; }
                [Bits(7, 0)] public partial byte Magic { get; }
            }

            [Register(0x20, RegisterAccess.RW)]
            public readonly partial struct Status
            {
                [Bits(0)] public partial bool Computing { get; }
                [Bits(7)] public partial bool RaiseIrq { get; }
            }

            [Register(0x64, RegisterAccess.WO)]
            public readonly partial struct IrqAck { [Bits(31, 0)] public partial uint Bits { get; } }

            [Register(0x24, RegisterAccess.W1C)]
            public readonly partial struct IrqStatus { [Bits(0)] public partial bool Done { get; } }

            [Register(0x98, RegisterAccess.RW, Width = 64)]
            public readonly partial struct DmaCommand
            {
                [Bits(0)] public partial bool Start { get; }
                [Bits(1)] public partial Direction Direction { get; }
                [Bits(63, 40)] public partial ulong Tag { get; }
            }

            [Register(0x100, RegisterAccess.RW, Count = 4, Stride = 0x10, Width = 16)]
            public readonly partial struct Queue { [Bits(11, 4)] public partial sbyte Level { get; } }
        }
        """;

    private const string NestedSource = """
        using IoSys.Registers;

        public static partial class Outer
        {
            [RegisterBlock(0x10, StrictWidths = true)]
            internal partial struct Small
            {
                [Register(0x0, RegisterAccess.RW, Width = 8, Count = 2, Stride = 4)]
                internal partial struct Ctl { [Bits(3, 0)] internal partial byte Mode { get; } }
            }
        }
        """;

    public static TheoryData<string, string, string> Cases => new()
    {
        { "Device", DeviceSource, "Device.DeviceRegs.g.cs" },
        { "Nested", NestedSource, "Outer.Small.g.cs" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task OutputMatchesTheSnapshotAndCompiles(string name, string source, string hintName)
    {
        (var sources, _) = Harness.Generate(source);
        string actual = Assert.Single(sources).Value;
        if (Snapshots.UpdateIfAsked(name + ".g.cs", actual))
        {
            return;
        }

        // The harness compiles the input together with the expected output and fails on any compiler diagnostic.
        await new GeneratorTest(source, hintName, Snapshots.Read(name + ".g.cs")).RunAsync();
    }

    [Fact]
    public void GeneratedCodeCompilesWithoutWarnings()
    {
        (_, var diagnostics) = Harness.Generate(DeviceSource);
        Assert.Empty(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Theory]
    [InlineData("DeviceRegs.Id.Write(map, default);", "IWritableRegister<Device.DeviceRegs.Id>")] // RO: no Write
    [InlineData("DeviceRegs.Id.Update(map, static v => v);", "IReadWriteRegister<Device.DeviceRegs.Id>")]
    [InlineData("_ = DeviceRegs.IrqAck.Read(map);", "IReadableRegister<Device.DeviceRegs.IrqAck>")] // WO: no Read
    [InlineData("DeviceRegs.IrqStatus.Update(map, static v => v);", "IReadWriteRegister<Device.DeviceRegs.IrqStatus>")] // W1C: no read-modify-write
    [InlineData("DeviceRegs.Queue.Read(map);", "IReadableRegister<Device.DeviceRegs.Queue>")] // an array: no accessor without an index
    [InlineData("DeviceRegs.Status.Read(map, 0);", "IReadableRegisterArray<Device.DeviceRegs.Status>")] // a single register: no accessor with an index
    public void AccessKindsAreEnforcedAtCompileTime(string statement, string lacking)
    {
        (_, var diagnostics) = Harness.Generate(DeviceSource + "\npublic static class Use { public static void M(IoSys.IoSysMap map) { " + statement + " } }");
        Diagnostic error = Assert.Single(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        // The accessors are RegisterAccessExtensions' members over the register interfaces: the register type lacks the
        // interface of the access it is not allowed (CS0315: no conversion to IWritableRegister<Id>).
        Assert.Equal("CS0315", error.Id);
        Assert.Contains("to 'IoSys.Registers." + lacking + "'", error.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void AllowedAccessesCompile()
    {
        (_, var diagnostics) = Harness.Generate(DeviceSource + """

            public static class Use
            {
                public static void M(IoSys.IoSysMap map)
                {
                    _ = DeviceRegs.Id.Read(map).Major;
                    DeviceRegs.Status.Update(map, static s => s.WithRaiseIrq(true));
                    DeviceRegs.IrqAck.Write(map, default(DeviceRegs.IrqAck).WithBits(1));
                    DeviceRegs.IrqStatus.Write(map, DeviceRegs.IrqStatus.Read(map));
                    DeviceRegs.Queue.Update(map, 3, static q => q.WithLevel(-2));
                    IoSys.IoSysMap<DeviceRegs> known = map.AsKnownSize<DeviceRegs>();
                    DeviceRegs.DmaCommand.Write(known, DeviceRegs.DmaCommand.Read(known).WithStart(true).WithDirection(Direction.FromDevice));
                }
            }
            """);
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void GeneratorIsIncremental()
    {
        // An edit outside the block leaves the model equal, so the output step is cached.
        var parse = new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Preview);
        var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(DeviceSource, parse);
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("Inc", [tree], Harness.References, new(OutputKind.DynamicallyLinkedLibrary));
        GeneratorDriver driver = Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create(
            [new RegisterGenerator().AsSourceGenerator()], parseOptions: parse, driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGenerators(compilation);
        var edited = compilation.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("public class Unrelated { }", parse));
        driver = driver.RunGenerators(edited);
        var outputs = driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs);
        Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }
}
