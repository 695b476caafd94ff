using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace IoSys.Tests.CompileTime;

/// <summary>
/// The seed's bug (an absolute address passed where an offset is expected) must not compile: IoAddress converts to
/// no integer. Compiled with Roslyn against the IoSys assembly the tests run with.
/// </summary>
public sealed class AddressAsOffsetDoesNotCompileTests
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        string ioSys = typeof(IoSysMap).Assembly.Location;
        // The core library and the facades IoSys's public API is expressed in are enough for the snippets.
        string[] needed = ["System.Private.CoreLib.dll", "System.Runtime.dll", "netstandard.dll"];
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return
        [
            .. platform.Where(p => needed.Contains(Path.GetFileName(p), StringComparer.OrdinalIgnoreCase))
                .Select(p => MetadataReference.CreateFromFile(p)),
            MetadataReference.CreateFromFile(ioSys),
        ];
    });

    private static Diagnostic[] CompileErrors(string body)
    {
        string source = $$"""
            using IoSys;
            public static class Driver
            {
                public static object Run(IoSysMap map)
                {
                    {{body}}
                }
            }
            """;
        CSharpCompilation compilation = CSharpCompilation.Create(
            "SeedSnippet",
            [CSharpSyntaxTree.ParseText(source)],
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        return [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
    }

    [Fact]
    public void Passing_map_Address_plus_4_as_an_offset_is_error_CS1503()
    {
        Diagnostic error = Assert.Single(CompileErrors("return map.Read32(map.Address + 4);"));
        Assert.Equal("CS1503", error.Id);
        string message = error.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("IoSys.IoAddress", message, StringComparison.Ordinal);
        Assert.Contains("long", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("map.Write8(map.Address + 1, 0); return 0;", "CS1503")] // the seed: u8 writes at base + i
    [InlineData("map.ReadBytes(map.Address, new byte[4]); return 0;", "CS1503")]
    [InlineData("long offset = map.Address; return offset;", "CS0029")] // no implicit conversion
    [InlineData("return map.Read32((long)map.Address);", "CS0030")] // nor an explicit one
    public void No_conversion_lets_an_address_pass_for_an_offset(string body, string expectedError)
    {
        Assert.Contains(CompileErrors(body), d => d.Id == expectedError);
    }

    [Fact]
    public void Subtracting_the_base_address_gives_an_offset_that_compiles()
    {
        Assert.Empty(CompileErrors("return map.Read32((map.Address + 4) - map.Address);"));
    }
}
