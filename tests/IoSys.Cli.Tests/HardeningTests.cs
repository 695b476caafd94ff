using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace IoSys.Cli.Tests;

/// <summary>
/// Regression tests for issue 16's tool rows: each reproduces the original failure (data loss, a fatal signal, a
/// hang, an abort, an insane message, raw control characters) and asserts the fixed behaviour.
/// </summary>
public sealed class HardeningTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // --- Row 1: the output is never the target, and is written through a temporary file --------------------------

    [Theory]
    [InlineData("same")]
    [InlineData("symlink")]
    [InlineData("hardlink")]
    [InlineData("dotdot")]
    public void Save_IntoItsOwnTarget_IsRefused_AndTheTargetKeepsItsData(string how)
    {
        byte[] data = Expect.Bytes(4096, 1);
        string target = _dir.Write("t.bin", data);
        string output = OtherName(target, how);
        Expect.Error(CliProcess.Run("save", target, "0", "4K", output), 1, "itself");
        Assert.Equal(data, File.ReadAllBytes(target));
        Expect.Error(CliProcess.Run("dump", target, "--output", output), 1, "itself");
        Assert.Equal(data, File.ReadAllBytes(target));
        Assert.Empty(Temporaries());
    }

    [Fact]
    public void Save_ShmIntoItsOwnObject_IsRefused()
    {
        string name = "iosys-cli-test-" + Guid.NewGuid().ToString("n")[..8];
        string path = "/dev/shm/" + name;
        byte[] data = Expect.Bytes(4096, 2);
        File.WriteAllBytes(path, data);
        try
        {
            Expect.Error(CliProcess.Run("save", "shm:" + name, "0", "4K", path), 1, "itself");
            Assert.Equal(data, File.ReadAllBytes(path));
            Expect.Output(CliProcess.Run("read", "shm:" + name, "8", "-w", "64"), $"0x{BitConverter.ToUInt64(data, 8):x16}\n");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Save_ReplacesAnOutputAtomically_KeepingItsSymlinkAndMode()
    {
        byte[] data = Expect.Bytes(5000, 3);
        string target = _dir.Write("t.bin", data);
        string real = _dir.Write("real.out", Expect.Bytes(100, 4));
        File.SetUnixFileMode(real, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string link = _dir.File("link.out");
        File.CreateSymbolicLink(link, real);
        Expect.Ok(CliProcess.Run("save", target, "0", "5000", link));
        Assert.Equal(data, File.ReadAllBytes(real));
        Assert.NotNull(new FileInfo(link).LinkTarget); // Still a link: the rename went to the file it names.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(real));
        Assert.Empty(Temporaries());
    }

    [Fact]
    public void Save_Refused_LeavesAnExistingOutputAsItWas()
    {
        string target = _dir.Write("t.bin", new byte[4096]);
        byte[] old = Expect.Bytes(300, 5);
        string output = _dir.Write("o.bin", old);
        Expect.Error(CliProcess.Run("save", target, "0", "8K", output), 1, "outside");
        Expect.Error(CliProcess.Run("save", "sim:edu", "0", "0x100", output, "-w", "8"), 1);
        Assert.Equal(old, File.ReadAllBytes(output));
        Assert.Empty(Temporaries());
    }

    [Fact]
    public void Dump_Output_ThatIsAFifo_IsRefusedWithoutOpeningIt()
    {
        string target = _dir.Write("t.bin", new byte[64]);
        string fifo = MakeFifo("out.fifo");
        Expect.Error(CliProcess.Run(null, TimeSpan.FromSeconds(20), "dump", target, "--output", fifo), 1, "not a regular file");
    }

    // --- Row 2 (tool): files are read and written without mapping them -------------------------------------------

    [Fact]
    public async Task Watch_FileTruncatedByAnotherProcess_IsAnError_NotASignal()
    {
        string file = _dir.Write("t.bin", new byte[4096]);
        using Process watch = CliProcess.Start(null, ["watch", file, "0xff0", "--interval", "20ms", "--timeout", "30s"], redirectInput: false);
        Task<string> stderr = watch.StandardError.ReadToEndAsync();
        Assert.NotNull(watch.StandardOutput.ReadLine()); // The first value: the file is open and read.
        using (var shrink = new FileStream(file, FileMode.Open))
        {
            shrink.SetLength(16);
        }

        Assert.True(watch.WaitForExit(20_000), "watch did not stop after the file shrank");
        string error = await stderr;
        Assert.True(watch.ExitCode == 1, $"exit {watch.ExitCode} (a signal is 128+N): {error}");
        Assert.Contains(file, error, StringComparison.Ordinal);
        Assert.Contains("0xff0", error, StringComparison.Ordinal);
        Assert.Contains("now 16 bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AfterTheFileShrank_DoesNotExtendIt()
    {
        string file = _dir.Write("t.bin", new byte[64]);
        using var io = Linux.RegularFileIo.Open(file, readOnly: false);
        using IoSysMap map = io.CreateMap();
        File.WriteAllBytes(file, new byte[8]);
        IOException e = Assert.Throws<IOException>(() => map.Write32(32, 1));
        Assert.Contains("0x20", e.Message, StringComparison.Ordinal);
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Equal(8, new FileInfo(file).Length);
        IOException r = Assert.Throws<IOException>(() => map.Read64(8));
        Assert.Contains("now 8 bytes", r.Message, StringComparison.Ordinal);
        Assert.Equal(0UL, map.Read64(0));
    }

    // --- Row 4 (tool): the timeout bounds the poll whatever the interval -------------------------------------------

    [Theory]
    [InlineData("4s")]
    [InlineData("1440m")]
    public void Poll_WithAnIntervalLongerThanTheTimeout_ReturnsAtTheTimeout(string interval)
    {
        var clock = Stopwatch.StartNew();
        CliResult r = CliProcess.Run(null, TimeSpan.FromSeconds(30), "poll", "sim:edu", "0", "--equals", "0", "--timeout", "100ms", "--interval", interval);
        TimeSpan elapsed = clock.Elapsed;
        Expect.Error(r, 1, "timed out after 100 ms");
        // Process start-up included; the bug took the full interval (4 s, or a day).
        Assert.True(elapsed < TimeSpan.FromSeconds(3.5), $"poll took {elapsed}");
    }

    // --- Row 5: closed, read-only or full standard streams -----------------------------------------------------------

    [Theory]
    [InlineData("\"$@\" read sim:edu 2 2>&-", 1)]
    [InlineData("\"$@\" read sim:edu 2 2</dev/null", 1)]
    [InlineData("\"$@\" read sim:edu 2 2>/dev/full", 1)]
    [InlineData("\"$@\" read sim:edu 0 >&-", 1)]
    [InlineData("\"$@\" read sim:edu 0 >/dev/full", 1)]
    [InlineData("\"$@\" read sim:edu 0 >&- 2>&-", 1)]
    [InlineData("\"$@\" read sim:edu 0 --widthh 2>&-", 2)]
    [InlineData("\"$@\" --help >/dev/full 2>&-", 1)]
    [InlineData("\"$@\" read sim:edu 0 2>&-", 0)]
    public void ClosedOrFullStandardStreams_GiveTheExitCode_NotAnAbort(string script, int expected)
    {
        int code = CliProcess.RunInShell(script, new Dictionary<string, string>());
        Assert.Equal(expected, code);
    }

    [Fact]
    public void BrokenPipe_EndsTheDumpQuietly()
    {
        string rc = _dir.File("rc");
        string file = _dir.Write("t.bin", Expect.Bytes(1 << 20, 9)); // Random: about 4 MiB of dump, more than a pipe holds.
        int code = CliProcess.RunInShell($"{{ \"$@\" dump '{file}'; echo $? > '{rc}'; }} | head -c 10 >/dev/null", new Dictionary<string, string>());
        Assert.Equal(0, code);
        Assert.Equal("1", File.ReadAllText(rc).Trim());
    }

    [Fact]
    public void ClosedStderr_NeverSendsAMessageIntoTheTarget()
    {
        byte[] data = Expect.Bytes(4096, 6);
        string file = _dir.Write("t.bin", data);
        int code = CliProcess.RunInShell($"\"$@\" write '{file}' 0xffc 1 -w 64 2>&-", new Dictionary<string, string>());
        Assert.Equal(1, code);
        Assert.Equal(data, File.ReadAllBytes(file));
    }

    // --- Row 6 (tool): FIFOs, sockets and devices given as files ---------------------------------------------------

    [Fact]
    public void Fifo_AsATarget_IsRefusedAtOnce()
    {
        string fifo = MakeFifo("t.fifo");
        TimeSpan bound = TimeSpan.FromSeconds(20);
        Expect.Error(CliProcess.Run(null, bound, "read", fifo, "0"), 1, "FIFO", "not a regular file");
        Expect.Error(CliProcess.Run(null, bound, "write", fifo, "0", "1"), 1, "FIFO");
        Expect.Error(CliProcess.Run(null, bound, "load", fifo, "sim:edu"), 1, "FIFO");
        Expect.Error(CliProcess.Run(null, bound, "dump", "file:" + fifo), 1, "FIFO");
    }

    [Fact]
    public void Socket_AndCharacterDevices_AsATarget_AreRefusedByKind()
    {
        string path = _dir.File("s.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        Expect.Error(CliProcess.Run("read", path, "0"), 1, "socket");
        Expect.Error(CliProcess.Run(null, TimeSpan.FromSeconds(20), "read", "/dev/zero", "0"), 1, "character device");
        Expect.Error(CliProcess.Run("dump", "/dev/null"), 1, "character device");
        Expect.Error(CliProcess.Run("read", _dir.Path, "0"), 1, "directory");
    }

    // --- Row 7: a sane range near long.MaxValue ------------------------------------------------------------------

    [Fact]
    public void Read_NearTheLargestOffset_NamesASaneRange()
    {
        string file = _dir.Write("t.bin", new byte[4096]);
        CliResult r = CliProcess.Run("read", file, "0x7fffffffffffffff");
        Expect.Error(r, 1, "0x7fffffffffffffff..0x8000000000000003", "outside");
        Assert.DoesNotContain("-0x", r.StdErr, StringComparison.Ordinal);
        Expect.Error(CliProcess.Run("dump", file, "0x7fffffffffffffff", "0x7fffffffffffffff"), 1, "..0xfffffffffffffffe");
    }

    // --- Output hygiene ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("sim:ed\u001b[2Ju")]
    [InlineData("/tmp/no\u001b]0;owned\u0007such")]
    [InlineData("/tmp/a\nb\rc\u009bd\u202ee")]
    public void EchoedInput_HasItsControlCharactersEscaped(string target)
    {
        CliResult r = CliProcess.Run("read", target, "0");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Single(r.StdErr.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain(r.StdErr.TrimEnd('\n'), c => c < ' ' || c is >= '\u007f' and <= '\u009f' or '\u202e');
        Assert.Contains("\\x", r.StdErr, StringComparison.Ordinal);
    }

    // --- One chunk loop: multi-chunk transfers through files --------------------------------------------------------

    [Fact]
    public void SaveLoadFillDump_AcrossSeveralChunks_AreExact()
    {
        int size = (5 << 19) + 13; // 2.5 MiB + 13: three chunks, the last one odd.
        byte[] data = Expect.Bytes(size, 7);
        string source = _dir.Write("s.bin", data);
        string copy = _dir.File("c.bin");
        Expect.Ok(CliProcess.Run(null, TimeSpan.FromSeconds(240), "save", source, "0", size.ToString(System.Globalization.CultureInfo.InvariantCulture), copy));
        Assert.Equal(data, File.ReadAllBytes(copy));

        string target = _dir.Write("t.bin", new byte[size + 3]);
        Expect.Ok(CliProcess.Run(null, TimeSpan.FromSeconds(240), "load", source, target, "3", "--verify"));
        Assert.Equal(data, File.ReadAllBytes(target)[3..]);

        // With --width every store is one exact 32-bit pwrite (slow by design: 1.5 MiB is 393,216 of them), so the
        // bound is generous for a loaded machine.
        TimeSpan bound = TimeSpan.FromSeconds(240);
        Expect.Output(CliProcess.Run(null, bound, "fill", target, "4", "0x180000", "0xa1b2c3d4", "--width", "32"), "");
        byte[] filled = File.ReadAllBytes(target);
        for (int i = 4; i < 4 + 0x180000; i += 4)
        {
            Assert.True(BitConverter.ToUInt32(filled, i) == 0xa1b2c3d4, $"word at 0x{i:x}");
        }

        Assert.Equal(data[0x180001], filled[0x180004]); // The first byte after the fill is the loaded data again.
        Expect.Output(CliProcess.Run(null, bound, "fill", target, "1", "0x280000", "0x5a"), "");
        Assert.Equal(0x280000, File.ReadAllBytes(target).AsSpan(1, 0x280000).Count((byte)0x5a));
        string dumped = _dir.File("d.txt");
        Expect.Ok(CliProcess.Run(null, TimeSpan.FromSeconds(240), "dump", source, "--output", dumped));
        Assert.StartsWith($"00000000  {data[0]:x2} {data[1]:x2}", File.ReadAllText(dumped), StringComparison.Ordinal);
        Assert.EndsWith($"{size:x8}\n", File.ReadAllText(dumped), StringComparison.Ordinal);
    }

    // --- Read-only commands change nothing ------------------------------------------------------------------------

    [Fact]
    public void ReadOnlyCommands_LeaveTheTargetUnchanged()
    {
        string file = _dir.Write("t.bin", Expect.Bytes(1000, 8));
        byte[] before = SHA256.HashData(File.ReadAllBytes(file));
        Expect.Ok(CliProcess.Run("read", file, "0", "-n", "10"));
        Expect.Ok(CliProcess.Run("dump", file, "0", "100", "--words", "-w", "16"));
        Expect.Ok(CliProcess.Run("save", file, "1", "999", _dir.File("o.bin")));
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(file)));
    }

    private string OtherName(string target, string how)
    {
        switch (how)
        {
            case "symlink":
                string link = _dir.File("link");
                File.CreateSymbolicLink(link, target);
                return link;
            case "hardlink":
                string hard = _dir.File("hard");
                Assert.Equal(0, CliProcess.RunInShell($"ln '{target}' '{hard}'", new Dictionary<string, string>()));
                return hard;
            case "dotdot":
                return Path.Combine(_dir.Path, "..", Path.GetFileName(_dir.Path), Path.GetFileName(target));
            default:
                return target;
        }
    }

    private string MakeFifo(string name)
    {
        string path = _dir.File(name);
        Assert.Equal(0, CliProcess.RunInShell($"mkfifo '{path}'", new Dictionary<string, string>()));
        return path;
    }

    private string[] Temporaries() => Directory.GetFiles(_dir.Path, "*.tmp");
}
