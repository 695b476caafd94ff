using System.Runtime.InteropServices;
using Xunit;
using Xunit.Abstractions;

namespace IoSys.Packaging.Tests;

/// <summary>
/// Packs the iosys tool as .NET 10 RID-specific tool packages (the pointer package, this machine's NativeAOT
/// package and the framework-dependent "any" fallback), installs it from that local feed into an empty tool path
/// with a private packages folder, and runs it: it must print edu's id and be the NativeAOT binary (an ELF
/// executable with no IL assembly and no .NET host beside it), not the framework-dependent tool.
/// </summary>
[Collection(DotnetBuilds.Name)]
public sealed class ToolPackageTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(3);
    private readonly string _root = Directory.CreateTempSubdirectory("iosys-tool-test-").FullName;

    public void Dispose() => Dotnet.DeleteQuietly(_root);

    [Fact]
    public void ToolFromTheLocalFeedIsTheNativeAotBinaryAndReadsEdu()
    {
        string rid = RuntimeInformation.RuntimeIdentifier; // linux-x64 or linux-arm64 on the machines we test on
        Assert.True(rid is "linux-x64" or "linux-arm64", $"the tool has NativeAOT packages for linux-x64 and linux-arm64 only, not {rid}");
        string project = Path.Combine(Dotnet.RepositoryRoot(), "src", "IoSys.Cli", "IoSys.Cli.csproj");
        string feed = Path.Combine(_root, "feed");
        var ci = new Dictionary<string, string?> { ["CI"] = "true" };
        foreach (string[] ridArguments in new[] { Array.Empty<string>(), ["-r", rid], ["-r", "any"] })
        {
            (int rc, string log) = Dotnet.Run(output, PackTimeout, _root, ci, "dotnet",
                ["pack", project, "-c", "Release", "-o", feed, "--artifacts-path", Path.Combine(_root, "artifacts"), .. ridArguments]);
            Assert.True(rc == 0, log);
        }

        string pointer = Assert.Single(Directory.GetFiles(feed, "IoSys.Cli.0*.nupkg"));
        string version = Path.GetFileNameWithoutExtension(pointer)["IoSys.Cli.".Length..];
        Assert.True(File.Exists(Path.Combine(feed, $"IoSys.Cli.{rid}.{version}.nupkg")), $"no {rid} package");
        Assert.True(File.Exists(Path.Combine(feed, $"IoSys.Cli.any.{version}.nupkg")), "no framework-dependent fallback package");

        string toolPath = Path.Combine(_root, "tools");
        var isolated = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = Path.Combine(_root, "packages"),
            ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(_root, "http-cache"),
        };
        (int installed, string installLog) = Dotnet.Run(output, InstallTimeout, _root, isolated, "dotnet",
            "tool", "install", "IoSys.Cli", "--tool-path", toolPath, "--add-source", feed, "--version", version);
        Assert.True(installed == 0, installLog);

        string command = Path.Combine(toolPath, "iosys");
        // Run with no .NET on the path at all: a NativeAOT binary needs none.
        (int ran, string text) = Dotnet.Run(output, InstallTimeout, _root,
            new Dictionary<string, string?> { ["DOTNET_ROOT"] = null, ["PATH"] = "/usr/bin:/bin" }, command, "read", "sim:edu", "0x0");
        Assert.Equal(0, ran);
        Assert.Equal("0x010000ed", text.Trim());

        string binary = new FileInfo(command).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? command;
        output.WriteLine($"iosys -> {binary}");
        Assert.Contains($"iosys.cli.{rid}", binary, StringComparison.OrdinalIgnoreCase);
        byte[] head = new byte[4];
        using (FileStream f = File.OpenRead(binary))
        {
            f.ReadExactly(head);
        }

        Assert.Equal(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' }, head);
        string folder = Path.GetDirectoryName(binary)!;
        Assert.False(File.Exists(Path.Combine(folder, "IoSys.Cli.dll")), "an IL assembly beside the binary: not the NativeAOT tool");
        Assert.False(File.Exists(Path.Combine(folder, "IoSys.Cli.runtimeconfig.json")), "a runtimeconfig beside the binary: not the NativeAOT tool");
        // An apphost (framework-dependent launcher) loads libhostfxr; a NativeAOT binary does not mention it.
        Assert.DoesNotContain("libhostfxr", System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(binary)), StringComparison.Ordinal);
    }
}
