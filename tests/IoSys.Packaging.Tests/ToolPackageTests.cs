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
        AssertNativeToolPackage(output, Path.Combine(feed, $"IoSys.Cli.{rid}.{version}.nupkg"), rid);

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

    /// <summary>
    /// The linux-arm64 tool package, cross-compiled on this machine with the aarch64 toolchain the arm64 guest suite
    /// uses (tests/Hardware/arm64/setup.sh: idempotent and cached, so the guest suite later finds it ready): it holds
    /// an AArch64 NativeAOT binary and no symbols.
    /// </summary>
    [Fact]
    public void Arm64ToolPackageIsAnAArch64NativeAotBinaryWithoutSymbols()
    {
        string repo = Dotnet.RepositoryRoot();
        (int setup, string assignments) = Dotnet.Run(output, TimeSpan.FromMinutes(15), repo, null, "bash", "tests/Hardware/arm64/setup.sh", "--quiet");
        Assert.True(setup == 0, assignments);
        Dictionary<string, string> env = assignments.Split('\n')
            .Select(static line => line.Trim())
            .Where(static line => line.StartsWith("AARCH64_", StringComparison.Ordinal) && line.Contains('=', StringComparison.Ordinal))
            .ToDictionary(static line => line[..line.IndexOf('=', StringComparison.Ordinal)], static line => line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim('\''));
        Assert.True(env.TryGetValue("AARCH64_CC", out string? cc) && File.Exists(cc), $"no AARCH64_CC from setup.sh:\n{assignments}");
        List<string> cross = [$"-p:CppCompilerAndLinker={cc}", $"-p:ObjCopyName={env["AARCH64_OBJCOPY"]}", "-p:LinkerFlavor=bfd"];
        if (env.TryGetValue("AARCH64_SYSROOT", out string? sysroot) && sysroot.Length > 0)
        {
            cross.Add($"-p:SysRoot={sysroot}");
        }

        string feed = Path.Combine(_root, "feed");
        (int rc, string log) = Dotnet.Run(output, PackTimeout, _root, new Dictionary<string, string?> { ["CI"] = "true" }, "dotnet",
            ["pack", Path.Combine(repo, "src", "IoSys.Cli", "IoSys.Cli.csproj"), "-c", "Release", "-r", "linux-arm64", "-o", feed,
                "--artifacts-path", Path.Combine(_root, "artifacts"), .. cross]);
        Assert.True(rc == 0, log);
        AssertNativeToolPackage(output, Assert.Single(Directory.GetFiles(feed, "IoSys.Cli.linux-arm64.*.nupkg")), "linux-arm64");
    }

    /// <summary>
    /// The RID package holds one NativeAOT binary for its architecture (an ELF executable whose e_machine is x86-64 or
    /// AArch64), no symbols (.dbg, .pdb), no XML docs and no IL assembly: what <c>unzip -l</c> shows.
    /// </summary>
    internal static void AssertNativeToolPackage(ITestOutputHelper output, string nupkg, string rid)
    {
        using System.IO.Compression.ZipArchive package = System.IO.Compression.ZipFile.OpenRead(nupkg);
        string[] entries = [.. package.Entries.Select(static e => e.FullName)];
        output.WriteLine($"{Path.GetFileName(nupkg)}:\n  {string.Join("\n  ", entries)}");
        Assert.DoesNotContain(entries, static e => e.EndsWith(".dbg", StringComparison.OrdinalIgnoreCase) || e.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(entries, static e => e.EndsWith("IoSys.Cli.dll", StringComparison.OrdinalIgnoreCase));
        // The NativeAOT binary, which the tool settings name (tools/any/RID/ in a RID-specific tool package).
        string binary = Assert.Single(entries, e => e.StartsWith("tools/", StringComparison.Ordinal) && e.EndsWith($"/{rid}/IoSys.Cli", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, static e => e.StartsWith("tools/", StringComparison.Ordinal)
            && e.EndsWith(".xml", StringComparison.Ordinal) && !e.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
        byte[] header = new byte[20];
        using (Stream s = package.GetEntry(binary)!.Open())
        {
            s.ReadExactly(header);
        }

        Assert.Equal(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' }, header[..4]);
        ushort machine = BitConverter.ToUInt16(header, 18); // e_machine: 62 x86-64, 183 AArch64
        Assert.Equal(rid == "linux-arm64" ? (ushort)183 : (ushort)62, machine);
    }
}
