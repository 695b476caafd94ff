using Xunit;
using Xunit.Abstractions;

namespace IoSys.Packaging.Tests;

/// <summary>
/// Packs IoSys, then builds a fresh project that references the package from a local folder: the analyzer shipped
/// inside the package must report a bad constant offset, and the generator must produce working registers. Every
/// dotnet process has a timeout. The pack restores like any build of the repository; the fresh project restores into
/// a private packages folder from the local feed only, so the IoSys package it gets is the one just packed, never a
/// stale copy from the machine's cache, and it needs no network.
/// </summary>
[Collection(DotnetBuilds.Name)]
public sealed class PackageTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

    // A version no feed has, so the package comes from the folder we just packed into.
    private const string Version = "0.0.0-packagetest";

    private readonly string _root = Directory.CreateTempSubdirectory("iosys-package-test-").FullName;

    private const string Registers = """
        using IoSys;
        using IoSys.Registers;

        [RegisterBlock(0x100)]
        public partial struct Regs
        {
            [Register(0x04, RegisterAccess.RW)]
            public readonly partial struct Control
            {
                [Bits(0)] public partial bool Enable { get; }
                [Bits(7, 4)] public partial byte Mode { get; }
            }
        }

        public static class Program
        {
            public static int Main()
            {
                using IoSysMap map = IoSysMap.Allocate(0x1000);
                IoSysMap<Regs> regs = map.AsKnownSize<Regs>();
                map.Write32(0x04, 0xAB000000);
                Regs.Control.Update(regs, static c => c.WithEnable(true).WithMode(5));
                System.Console.WriteLine($"control=0x{map.Read32(0x04):X8} mode={Regs.Control.Read(map).Mode}");
                // BAD
                return 0;
            }
        }
        """;

    public void Dispose()
    {
        Dotnet.DeleteQuietly(_root);
    }

    [Fact]
    public void PackageShipsTheAnalyzerAndTheGenerator()
    {
        string feed = Path.Combine(_root, "feed");
        string project = Path.Combine(RepositoryRoot(), "src", "IoSys", "IoSys.csproj");
        Run(PackTimeout, _root, isolated: false, "pack", project, "-c", "Release", "-o", feed, "--artifacts-path", Path.Combine(_root, "artifacts"), $"-p:PackageVersion={Version}");
        Assert.True(File.Exists(Path.Combine(feed, $"IoSys.{Version}.nupkg")), "the package was not produced");

        string app = Path.Combine(_root, "app");
        Dotnet.WriteConsumerProject(app, feed, "IoSys", Version);

        // 1. A constant offset past the end of a known-size map: the analyzer from the package fails the build.
        File.WriteAllText(Path.Combine(app, "Program.cs"), Registers.Replace("// BAD", "_ = regs.Read32(0x100);", StringComparison.Ordinal));
        (int failed, string log) = Run(BuildTimeout, app, isolated: true, "build", "-c", "Release", "-o", Path.Combine(app, "out-bad"));
        Assert.NotEqual(0, failed);
        Assert.Contains("error IOSYS001", log, StringComparison.Ordinal);
        Assert.DoesNotContain("error CS", log, StringComparison.Ordinal); // the generated registers compiled

        // 2. Without it: the build succeeds and the generated registers work against a real map.
        File.WriteAllText(Path.Combine(app, "Program.cs"), Registers);
        (int built, string buildLog) = Run(BuildTimeout, app, isolated: true, "build", "-c", "Release", "-o", Path.Combine(app, "out"));
        Assert.True(built == 0, buildLog);
        (int ran, string runLog) = Run(BuildTimeout, app, isolated: true, Path.Combine(app, "out", "App.dll"));
        Assert.Equal(0, ran);
        Assert.Contains("control=0xAB000051 mode=5", runLog, StringComparison.Ordinal);
    }

    private (int ExitCode, string Output) Run(TimeSpan timeout, string directory, bool isolated, params string[] arguments) =>
        Dotnet.Run(output, timeout, directory,
            isolated
                ? new Dictionary<string, string?>
                {
                    ["NUGET_PACKAGES"] = Path.Combine(_root, "packages"),
                    ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(_root, "http-cache"),
                }
                : null,
            "dotnet", arguments);

    private static string RepositoryRoot() => Dotnet.RepositoryRoot();
}
