using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace IoSys.Packaging.Tests;

/// <summary>
/// Packs each shipped library as CI does (CI=true, version from git by MinVer) and opens the packages: each carries
/// its own README, its XML docs and the repository metadata, IoSys carries the analyzers, and a .snupkg lies beside
/// each .nupkg with a portable PDB whose SourceLink points at the repository's raw sources at the built commit. Then,
/// from that feed, a project that references only IoSys.Linux, and one that references only IoSys.Simulation, get
/// IoSys's analyzers and register generator through the dependency.
/// </summary>
[Collection(DotnetBuilds.Name)]
public sealed partial class PackageContentsTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    private readonly string _root = Directory.CreateTempSubdirectory("iosys-package-contents-").FullName;

    public void Dispose() => Dotnet.DeleteQuietly(_root);

    [Fact]
    public void EveryLibraryPackageHasReadmeDocsSymbolsAndSourceLinkAndBringsTheAnalyzersToItsConsumers()
    {
        string repo = Dotnet.RepositoryRoot();
        string feed = Path.Combine(_root, "feed");
        string[] libraries = ["IoSys", "IoSys.Devices", "IoSys.Linux", "IoSys.Simulation"];
        foreach (string library in libraries)
        {
            (int rc, string log) = Dotnet.Run(output, PackTimeout, _root, new Dictionary<string, string?> { ["CI"] = "true" },
                "dotnet", "pack", Path.Combine(repo, "src", library, library + ".csproj"), "-c", "Release", "-o", feed,
                "--artifacts-path", Path.Combine(_root, "artifacts"));
            Assert.True(rc == 0, log);
        }

        foreach (string library in libraries)
        {
            string nupkg = Assert.Single(Directory.GetFiles(feed, $"{library}.0*.nupkg"));
            string version = Path.GetFileNameWithoutExtension(nupkg)[(library.Length + 1)..];
            // MinVer: a tag vX.Y.Z gives X.Y.Z; no tag (a fresh or shallow clone) gives 0.1.0-alpha.0.HEIGHT.
            Assert.Matches(SemVer(), version);
            string snupkg = Path.ChangeExtension(nupkg, ".snupkg");
            Assert.True(File.Exists(snupkg), $"no symbol package beside {nupkg}");

            using ZipArchive package = ZipFile.OpenRead(nupkg);
            string[] entries = package.Entries.Select(e => e.FullName).ToArray();
            output.WriteLine($"{Path.GetFileName(nupkg)}:\n  {string.Join("\n  ", entries)}");
            Assert.Contains("README.md", entries);
            Assert.Contains($"lib/net10.0/{library}.dll", entries);
            Assert.Contains($"lib/net10.0/{library}.xml", entries);
            if (library == "IoSys")
            {
                Assert.Contains("analyzers/dotnet/cs/IoSys.Analyzers.dll", entries);
                Assert.Contains("analyzers/dotnet/cs/IoSys.Analyzers.CodeFixes.dll", entries);
            }

            // The package's own README, not the repository's.
            string readme = Read(package, "README.md");
            Assert.StartsWith($"# {library}", readme, StringComparison.Ordinal);
            Assert.NotEqual(File.ReadAllText(Path.Combine(repo, "README.md")), readme);

            XNamespace ns = XDocument.Parse(Read(package, $"{library}.nuspec")).Root!.Name.Namespace;
            XElement metadata = XDocument.Parse(Read(package, $"{library}.nuspec")).Root!.Element(ns + "metadata")!;
            Assert.Equal(version, metadata.Element(ns + "version")!.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
            XElement repository = metadata.Element(ns + "repository")!;
            Assert.Equal("https://github.com/iosys/iosys", repository.Attribute("url")!.Value);
            string commit = repository.Attribute("commit")!.Value;
            Assert.Matches("^[0-9a-f]{40}$", commit);

            // Every dependency on another IoSys package carries all of its assets: NuGet's default for a reference,
            // exclude="Build,Analyzers", would leave a consumer of this package alone without IoSys's analyzers,
            // register generator and buildTransitive targets.
            XElement[] dependencies = [.. metadata.Descendants(ns + "dependency")];
            output.WriteLine($"{library} depends on: {string.Join(", ", dependencies.Select(d => d.ToString(SaveOptions.DisableFormatting)))}");
            foreach (XElement dependency in dependencies.Where(d => d.Attribute("id")!.Value.StartsWith("IoSys", StringComparison.Ordinal)))
            {
                Assert.True(dependency.Attribute("exclude") is null || dependency.Attribute("exclude")!.Value.Length == 0,
                    $"{library}'s dependency {dependency} excludes assets");
            }

            if (library != "IoSys")
            {
                Assert.Contains(dependencies, d => d.Attribute("id")!.Value == "IoSys");
            }

            if (library == "IoSys.Simulation")
            {
                Assert.Contains(dependencies, d => d.Attribute("id")!.Value == "IoSys.Devices");
            }

            using ZipArchive symbols = ZipFile.OpenRead(snupkg);
            ZipArchiveEntry pdbEntry = symbols.GetEntry($"lib/net10.0/{library}.pdb") ?? throw new InvalidOperationException($"no PDB in {snupkg}");
            using var pdbBytes = new MemoryStream();
            using (Stream s = pdbEntry.Open())
            {
                s.CopyTo(pdbBytes);
            }

            pdbBytes.Position = 0;
            using MetadataReaderProvider provider = MetadataReaderProvider.FromPortablePdbStream(pdbBytes);
            string sourceLink = SourceLinkJson(provider.GetMetadataReader());
            Assert.Contains($"https://raw.githubusercontent.com/iosys/iosys/{commit}/*", sourceLink, StringComparison.Ordinal);
            // CI builds map the build folder to /_/ (deterministic paths), so the PDB does not name this machine.
            Assert.Contains("\"/_/*\"", sourceLink, StringComparison.Ordinal);
        }

        // The same feed, consumed: a project referencing only IoSys.Linux (or only IoSys.Simulation) gets IoSys
        // transitively and with it the analyzers (constant offsets out of range or misaligned on a 4 KiB known-size
        // map fail its build with IOSYS001/IOSYS002) and the register generator (its register block compiles).
        foreach ((string package, string type) in new[] { ("IoSys.Linux", "IoSys.Linux.SharedMemory"), ("IoSys.Simulation", "IoSys.Simulation.EduDevice") })
        {
            string nupkg = Assert.Single(Directory.GetFiles(feed, $"{package}.0*.nupkg"));
            string version = Path.GetFileNameWithoutExtension(nupkg)[(package.Length + 1)..];
            string app = Path.Combine(_root, "app-" + package);
            WriteConsumer(app, feed, package, version, type);
            (int failed, string log) = Dotnet.Run(output, BuildTimeout, app,
                new Dictionary<string, string?>
                {
                    ["NUGET_PACKAGES"] = Path.Combine(_root, "packages"),
                    ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(_root, "http-cache"),
                },
                "dotnet", "build", "-c", "Release", "-o", Path.Combine(app, "out"));
            Assert.NotEqual(0, failed);
            Assert.Contains("error IOSYS001", log, StringComparison.Ordinal);
            Assert.Contains("error IOSYS002", log, StringComparison.Ordinal);
            Assert.DoesNotContain("error CS", log, StringComparison.Ordinal); // IoSys came transitively and the registers were generated.
            Assert.DoesNotContain("error NU", log, StringComparison.Ordinal);
        }
    }

    /// <summary>A consumer of <paramref name="package"/> alone whose program names <paramref name="type"/> from it.</summary>
    private static void WriteConsumer(string app, string feed, string package, string version, string type)
    {
        Dotnet.WriteConsumerProject(app, feed, package, version);
        File.WriteAllText(Path.Combine(app, "Program.cs"), $$"""
            using IoSys;
            using IoSys.Registers;

            [RegisterBlock(0x1000)]
            public partial struct Regs
            {
                [Register(0x04, RegisterAccess.RW)]
                public readonly partial struct Control
                {
                    [Bits(0)] public partial bool Enable { get; }
                }
            }

            public static class Program
            {
                public static int Main()
                {
                    System.Console.WriteLine(typeof({{type}}).Assembly.GetName().Name);
                    using IoSysMap map = IoSysMap.Allocate(0x1000);
                    IoSysMap<Regs> regs = map.AsKnownSize<Regs>();
                    Regs.Control.Update(regs, static c => c.WithEnable(true));
                    _ = regs.Read32(0x1000);
                    _ = regs.Read32(3);
                    return 0;
                }
            }
            """);
    }

    private static string Read(ZipArchive archive, string name)
    {
        using var reader = new StreamReader(archive.GetEntry(name)?.Open() ?? throw new InvalidOperationException($"no {name} in the package"));
        return reader.ReadToEnd();
    }

    // The SourceLink custom debug information of a portable PDB.
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    private static string SourceLinkJson(MetadataReader pdb)
    {
        foreach (CustomDebugInformationHandle handle in pdb.GetCustomDebugInformation(EntityHandle.ModuleDefinition))
        {
            CustomDebugInformation info = pdb.GetCustomDebugInformation(handle);
            if (pdb.GetGuid(info.Kind) == SourceLinkKind)
            {
                return System.Text.Encoding.UTF8.GetString(pdb.GetBlobBytes(info.Value));
            }
        }

        throw new InvalidOperationException("the PDB has no SourceLink information");
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")]
    private static partial Regex SemVer();
}
