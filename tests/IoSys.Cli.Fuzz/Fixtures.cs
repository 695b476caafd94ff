using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace IoSys.Cli.Fuzz;

/// <summary>
/// The files the fuzzer aims the tool at: regular files of odd sizes, symlinks (good and dangling), a FIFO, a socket,
/// a directory, and outputs (new, existing, the target itself, a link to it). Every fixture can be hashed, to check
/// that read-only commands and failed writes change nothing, and restored after a successful write.
/// </summary>
internal sealed class Fixtures : IDisposable
{
    private static readonly (string Name, int Size)[] Files = [("empty.bin", 0), ("one.bin", 1), ("seven.bin", 7), ("regs.bin", 64), ("odd.bin", 4097), ("big.bin", 65536)];
    private readonly Dictionary<string, byte[]> _contents = [];
    private readonly Socket _socket;

    public Fixtures()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outputs);
        Directory.CreateDirectory(Sysfs);
        var random = new Random(16);
        foreach ((string name, int size) in Files)
        {
            byte[] bytes = new byte[size];
            random.NextBytes(bytes);
            _contents[Path.Join(Root, name)] = bytes;
        }

        Restore();
        File.CreateSymbolicLink(Path.Join(Root, "link.bin"), Path.Join(Root, "regs.bin"));
        File.CreateSymbolicLink(Path.Join(Root, "dangling.bin"), Path.Join(Root, "nothing-here"));
        Run("mkfifo", Path.Join(Root, "fifo"));
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(Path.Join(Root, "socket")));
        File.WriteAllBytes(Path.Join(Outputs, "existing.out"), [1, 2, 3]);
        foreach ((string name, string text) in ScriptTexts)
        {
            File.WriteAllText(Path.Join(Root, name), text);
        }

        File.WriteAllBytes(Path.Join(Root, "junk.svd"), Enumerable.Range(0, 512).Select(i => (byte)(i * 37)).ToArray());
    }

    private static readonly (string Name, string Text)[] ScriptTexts =
    [
        ("read.batch", "read 0\nread 4 --width 8 --count 2\n# a comment\n\nread 0 --json\n"),
        ("write.batch", "write 0 0x11\nread 0\nfill 0 4 0xaa\n"),
        ("names.batch", "read Identification\nwrite Liveness=1\nwrite Status.IrqOnFactorial=1\nregs\n"),
        ("bad.batch", "read 0\nbogus words\nread 'unterminated\n"),
        ("open.batch", "open sim:edu\nread 0\n"),
    ];

    /// <summary>Batch scripts (regular files only: the FIFO fixture would wait for a writer by design).</summary>
    public string[] Scripts => [.. ScriptTexts.Select(s => Path.Join(Root, s.Name)), "/dev/zero", Root, "/no/such/script"];

    /// <summary>Register descriptions: the shipped ones (svd/ next to the tests), not XML, a FIFO, a device, a directory, missing.</summary>
    public string[] Descriptions =>
    [
        Path.Join(AppContext.BaseDirectory, "svd", "edu.svd"), Path.Join(AppContext.BaseDirectory, "svd", "edu.svd"),
        Path.Join(AppContext.BaseDirectory, "svd", "pl011.svd"), Path.Join(Root, "junk.svd"), Path.Join(Root, "fifo"), "/dev/zero", Root, "/no/such.svd", "",
    ];

    public string Root { get; } = Path.Join(Path.GetTempPath(), "iosys-fuzz-" + Guid.NewGuid().ToString("n")[..10]);

    public string Outputs => Path.Join(Root, "out");

    /// <summary>An empty sysfs root, so <c>list</c>, <c>pci:</c> and <c>uio:</c> look at no real device.</summary>
    public string Sysfs => Path.Join(Root, "sys");

    /// <summary>The target texts: every fixture kind, devices, simulated devices and bad selectors.</summary>
    public string[] Targets =>
    [
        .. Files.Select(f => Path.Join(Root, f.Name)), "file:" + Path.Join(Root, "regs.bin"), Path.Join(Root, "link.bin"),
        Path.Join(Root, "dangling.bin"), Path.Join(Root, "fifo"), Path.Join(Root, "socket"), Root, "/dev/null", "/dev/zero",
        "sim:edu", "sim:edu", "sim:edu", "sim:nope", "sim:", "sim:EDU", "pci:0000:00:04.0", "pci:1234:11e8#1/bar2", "pci:zz", "pci:00:04.0/bar9",
        "uio:0", "uio:", "uio:a/b", "mem:0x0+0", "mem:0xffffffffffffffff+2", "mem:+4K", "shm:", "shm:a/b", "shm:iosys-fuzz-none", "", " ",
        "nope:x", "file:", "/no/such/file", "sim:edu\u001b[2J", "a\nb",
    ];

    /// <summary>Outputs for save and dump --output: new and existing files, the target itself, and things that are not files.</summary>
    public string[] OutputsFor(string target) =>
    [
        Path.Join(Outputs, "new.out"), Path.Join(Outputs, "existing.out"), Path.IsPathRooted(target) ? target : "rel.out", Path.Join(Root, "link.bin"), Path.Join(Root, "fifo"),
        "/dev/null", "/no/such/dir/x", Outputs, Path.Join(Outputs, "new.out"),
    ];

    /// <summary>A hash of each fixture file's bytes (the outputs directory excluded), by path.</summary>
    public Dictionary<string, string> Hashes() => _contents.Keys.ToDictionary(
        path => path,
        path => File.Exists(path) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) : "missing");

    /// <summary>The fixture files an argument names (a symlink fixture names the file it points to).</summary>
    public IEnumerable<string> Named(string argument)
    {
        string path = argument.StartsWith("file:", StringComparison.Ordinal) ? argument[5..] : argument;
        if (path == Path.Join(Root, "link.bin"))
        {
            path = Path.Join(Root, "regs.bin");
        }

        return _contents.ContainsKey(path) ? [path] : [];
    }

    /// <summary>Puts every fixture file back as it was created.</summary>
    public void Restore()
    {
        foreach ((string path, byte[] bytes) in _contents)
        {
            File.WriteAllBytes(path, bytes);
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Run(string program, string argument)
    {
        using Process process = Process.Start(program, [argument]) ?? throw new InvalidOperationException(program);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {argument} failed");
        }
    }
}
