using Xunit;
using Xunit.Abstractions;

namespace IoSys.Packaging.Tests;

/// <summary>
/// The public API baseline works as the repository wires it (eng/Packaging.props and .targets, the real
/// PublicApiAnalyzers package): a library whose PublicAPI files match builds; adding a public member fails the build
/// with RS0016 naming the member; eng/update-public-api.sh records it in PublicAPI.Unshipped.txt and the build
/// passes again; removing a recorded member fails with RS0017.
/// </summary>
[Collection(DotnetBuilds.Name)]
public sealed class PublicApiTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(8);
    private readonly string _root = Directory.CreateTempSubdirectory("iosys-public-api-test-").FullName;

    public void Dispose() => Dotnet.DeleteQuietly(_root);

    private const string Widget = """
        namespace Probe;

        /// <summary>A public type.</summary>
        public static class Widget
        {
            /// <summary>A public member on record.</summary>
            public static int Existing() => 1;
            // NEW
        }
        """;

    [Fact]
    public void APublicApiChangeFailsTheBuildUntilRecorded()
    {
        string repo = Dotnet.RepositoryRoot();
        // A copy of the repository's build wiring around a small library under src/, as a shipped project is.
        string probe = Path.Combine(_root, "src", "Probe");
        Directory.CreateDirectory(probe);
        Directory.CreateDirectory(Path.Combine(_root, "eng"));
        foreach (string file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "eng/Packaging.props", "eng/Packaging.targets", "eng/update-public-api.sh" })
        {
            File.Copy(Path.Combine(repo, file), Path.Combine(_root, file));
        }

        File.WriteAllText(Path.Combine(probe, "Probe.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <!-- Not a git repository: MinVer would warn (an error here). -->
                <MinVerSkip>true</MinVerSkip>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(probe, "PublicAPI.Shipped.txt"), "#nullable enable\n");
        File.WriteAllText(Path.Combine(probe, "PublicAPI.Unshipped.txt"), "#nullable enable\nProbe.Widget\nstatic Probe.Widget.Existing() -> int\n");
        string source = Path.Combine(probe, "Widget.cs");
        string project = Path.Combine(probe, "Probe.csproj");

        // 1. The API matches its record: the build passes.
        File.WriteAllText(source, Widget);
        (int rc, string log) = Build(project);
        Assert.True(rc == 0, log);

        // 2. A new public member: the build fails and names it.
        File.WriteAllText(source, Widget.Replace("// NEW", "/// <summary>New.</summary>\n    public static void Added() { }", StringComparison.Ordinal));
        (rc, log) = Build(project);
        Assert.NotEqual(0, rc);
        Assert.Contains("error RS0016: Symbol 'static Probe.Widget.Added() -> void' is not part of the declared public API", log, StringComparison.Ordinal);

        // 3. The script records it; the build passes again.
        (rc, log) = Dotnet.Run(output, BuildTimeout * 2, _root, NoBuildServers, "bash", Path.Combine(_root, "eng", "update-public-api.sh"), project);
        Assert.True(rc == 0, log);
        Assert.Contains("static Probe.Widget.Added() -> void", File.ReadAllLines(Path.Combine(probe, "PublicAPI.Unshipped.txt")));
        (rc, log) = Build(project);
        Assert.True(rc == 0, log);

        // 4. A recorded member removed: the build fails (RS0017) until the record is updated.
        File.WriteAllText(source, Widget);
        (rc, log) = Build(project);
        Assert.NotEqual(0, rc);
        Assert.Contains("error RS0017: Symbol 'static Probe.Widget.Added() -> void' is part of the declared API", log, StringComparison.Ordinal);
    }

    // The script's builds: no MSBuild node or compiler server left running after the test.
    private static readonly Dictionary<string, string?> NoBuildServers = new()
    {
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["UseSharedCompilation"] = "false",
    };

    private (int ExitCode, string Output) Build(string project) =>
        Dotnet.Run(output, BuildTimeout, _root, null, "dotnet", "build", project, "-c", "Release");
}
