using IoSys.Cli.Parsing;

namespace IoSys.Cli.Tests;

/// <summary><c>iosys batch</c>: many operations against one opened target, stopping at the first failing line.</summary>
public sealed class BatchTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Script(string text) => Write("script.txt", text);

    private string Write(string name, string text)
    {
        string path = _dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Edu_ByName_OneDeviceForTheWholeScript()
    {
        string script = Script($"""
            # a factorial on the simulated edu, by register name
            open sim:edu --svd '{RegisterNameTests.Edu}'

            read Identification
            write Liveness 0x12345678
            read Liveness          # the complement
            write Factorial 5
            poll Status.Computing --equals 0 --timeout 5s
            read Factorial
            write Status.IrqOnFactorial=1
            read 0x20 --width 32 --format bin
            """);
        Expect.Output(CliProcess.Run("batch", script),
            "0x010000ed\n0xedcba987\n0x00000000\n0x00000078\n" +
            "Status.IrqOnFactorial[7] = 0x1: read-modify-write of Status, 0x00000000 -> 0x00000080\n" +
            "0b00000000000000000000000010000000\n");
    }

    [Fact]
    public void TargetOption_AndStandardInput()
    {
        Assert.Equal(0, CliProcess.RunInShell(
            "out=$(printf 'read 0\\nread Identification.Major\\n' | \"$@\" batch --target sim:edu --svd \"$SVD\") && [ \"$out\" = \"$(printf '0x010000ed\\n0x01')\" ]",
            new Dictionary<string, string> { ["SVD"] = RegisterNameTests.Edu }));
        Assert.Equal(0, CliProcess.RunInShell(
            "out=$(printf 'read 0\\n' | \"$@\" batch - --target sim:edu) && [ \"$out\" = 0x010000ed ]", new Dictionary<string, string>()));
    }

    [Fact]
    public void ClosedStandardInput_IsAnEmptyScript()
    {
        Assert.Equal(0, CliProcess.RunInShell("\"$@\" batch --target sim:edu <&- > \"$OUT\" 2>&1 && [ ! -s \"$OUT\" ]",
            new Dictionary<string, string> { ["OUT"] = _dir.File("out.txt") }));
    }

    [Fact]
    public void Fifo_Script()
    {
        string fifo = _dir.File("fifo");
        Assert.Equal(0, CliProcess.RunInShell(
            "mkfifo \"$F\" && { printf 'read Liveness\\nwrite Liveness 1\\nread Liveness\\n' > \"$F\" & } && out=$(\"$@\" batch \"$F\" --target sim:edu --svd \"$SVD\") && [ \"$out\" = \"$(printf '0x00000000\\n0xfffffffe')\" ]",
            new Dictionary<string, string> { ["F"] = fifo, ["SVD"] = RegisterNameTests.Edu }));
    }

    [Fact]
    public void StopsAtTheFirstFailingLine_WithItsNumberTextAndExitCode()
    {
        string file = _dir.Write("regs.bin", new byte[16]);
        string script = Script("write 0x0 0x11\nread 0x0\nread 0x10\nwrite 0x4 0x22\n");
        CliResult r = CliProcess.Run("batch", script, "--target", file);
        Assert.Equal("0x00000011\n", r.StdOut);
        Expect.Error(r with { StdOut = "" }, 1, "line 3 (read 0x10)", "range", "0x10");
        Assert.Equal(new byte[] { 0x11, 0, 0, 0, 0, 0, 0, 0 }, File.ReadAllBytes(file)[..8]); // line 4 never ran

        CliResult name = CliProcess.Run("batch", Script("read Identification\nread Nope\n"), "--target", "sim:edu", "--svd", RegisterNameTests.Edu);
        Assert.Equal("0x010000ed\n", name.StdOut);
        Expect.Error(name with { StdOut = "" }, 2, "line 2 (read Nope)", "edu.svd", "Nope");
    }

    [Fact]
    public void ASyntaxErrorAnywhere_RunsNothing()
    {
        string file = _dir.Write("regs.bin", new byte[16]);
        string script = Script("write 0x0 0x11\n\n# fine so far\nread 0x0 --bogus\n");
        Expect.Error(CliProcess.Run("batch", script, "--target", file), 2, "line 4 (read 0x0 --bogus)", "--bogus");
        Assert.All(File.ReadAllBytes(file), b => Assert.Equal(0, b));
        Expect.Error(CliProcess.Run("batch", Script("write 0 1\nlist\n"), "--target", file), 2, "line 2", "'list' is not an operation");
        Expect.Error(CliProcess.Run("batch", Script("read 0\nopen sim:edu\n"), "--target", file), 2, "line 2", "first operation");
        Expect.Error(CliProcess.Run("batch", Script("read 0 --enable\n"), "--target", file), 2, "line 1", "--enable", "iosys batch");
        Expect.Error(CliProcess.Run("batch", Script("read 'unterminated\n"), "--target", file), 2, "line 1", "unterminated");
        Assert.All(File.ReadAllBytes(file), b => Assert.Equal(0, b));
    }

    [Fact]
    public void TargetErrors()
    {
        Expect.Error(CliProcess.Run("batch", Script("read 0\n")), 2, "needs a target");
        Expect.Error(CliProcess.Run("batch", Script("open sim:edu\nread 0\n"), "--target", "sim:edu"), 2, "line 1", "--target", "one of them");
        Expect.Error(CliProcess.Run("batch", Script("open\n")), 2, "line 1", "open needs a target");
        Expect.Error(CliProcess.Run("batch", Script("open sim:edu --width 8\n")), 2, "line 1", "--svd");
    }

    [Fact]
    public void HostileScripts_AreBounded()
    {
        Expect.Error(CliProcess.Run("batch", Script("read " + new string('0', 5000) + "\n"), "--target", "sim:edu"), 2, "line 1", "longer than 4096");
        Expect.Error(CliProcess.Run("batch", "/dev/zero", "--target", "sim:edu"), 1, "/dev/zero", "not a regular file or a FIFO");
        Expect.Error(CliProcess.Run("batch", _dir.Path, "--target", "sim:edu"), 1, "not a regular file");
        Expect.Error(CliProcess.Run("batch", _dir.File("none"), "--target", "sim:edu"), 1, "does not exist");
        Assert.Equal(0, CliProcess.RunInShell("head -c 100000 /dev/zero | \"$@\" batch --target sim:edu 2> \"$E\"; [ $? -eq 2 ] && grep -q 'longer than 4096' \"$E\"",
            new Dictionary<string, string> { ["E"] = _dir.File("err.txt") }));
    }

    [Fact]
    public void Split_Words()
    {
        Assert.Equal(["read", "CR", "--json"], BatchScript.Split("  read\tCR  --json # a comment", 1, "s"));
        Assert.Equal(["write", "a b", "c\"d", "x#y"], BatchScript.Split("write 'a b' 'c\"d' x#y", 1, "s"));
        Assert.Empty(BatchScript.Split("   # only a comment", 1, "s"));
        Assert.Equal(["", "x"], BatchScript.Split("'' x", 1, "s"));
        Assert.Throws<UsageException>(() => BatchScript.Split("read \"x", 7, "s"));
    }

    [Fact]
    public void Read_LineNumbersSkipCommentsAndBlanks()
    {
        List<BatchLine> lines = BatchScript.Read(new StringReader("# c\n\nread 0\r\n  \nwrite 4 1"), "s");
        Assert.Equal([3, 5], lines.Select(l => l.Number));
        Assert.Equal(["read 0", "write 4 1"], lines.Select(l => l.Text));
    }
}
