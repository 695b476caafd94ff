using System.Diagnostics;

namespace IoSys.Cli.Tests;

public sealed class DumpTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Random data with runs of identical lines, a run that starts mid-line, and a short last line.</summary>
    internal static byte[] TrickyData(int seed)
    {
        var bytes = Expect.Bytes(70_000 + 13, seed);
        Array.Clear(bytes, 0x100, 0x400);          // Repeated zero lines: one '*'.
        bytes.AsSpan(0x900, 0x40).Fill(0x41);     // Printable repeated lines.
        Array.Clear(bytes, 0x2008, 0x30);         // A run that does not start on a line boundary.
        Array.Clear(bytes, bytes.Length - 40, 40); // Zero lines then a short zero tail (printed, not squeezed).
        return bytes;
    }

    [Fact]
    public void A_reader_that_goes_away_ends_the_dump_quietly_with_exit_1()
    {
        // `iosys dump BIG | head`: head exits, the next write fails with EPIPE; no stack trace, no crash.
        string file = _dir.Write("big.bin", Expect.Bytes(1 << 20, 7));
        string err = _dir.File("err.txt"), rc = _dir.File("rc.txt");
        int shell = CliProcess.RunInShell("{ \"$@\" dump \"$TARGET\" 2> \"$ERR\"; echo $? > \"$RC\"; } | head -c 100 > /dev/null",
            new Dictionary<string, string> { ["TARGET"] = file, ["ERR"] = err, ["RC"] = rc });
        Assert.Equal(0, shell);
        Assert.Equal("1", File.ReadAllText(rc).Trim());
        Assert.Equal("", File.ReadAllText(err));
    }

    internal static string HexdumpC(params string[] args)
    {
        var info = new ProcessStartInfo("hexdump") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-C");
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using Process p = Process.Start(info)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return output;
    }

    [Fact]
    public void Dump_IsIdenticalToHexdumpC()
    {
        string file = _dir.Write("data.bin", TrickyData(1));
        CliResult r = CliProcess.Run("dump", file);
        Expect.Ok(r);
        Assert.Equal(HexdumpC(file), r.StdOut);
    }

    [Theory]
    [InlineData("3", "40")]
    [InlineData("0x100", "0x400")]
    [InlineData("0x2000", "1K")]
    [InlineData("0", "1")]
    [InlineData("0x10", "0")]
    public void Dump_OffsetAndLength_MatchHexdumpSkipAndLength(string offset, string length)
    {
        string file = _dir.Write("data.bin", TrickyData(2));
        CliResult r = CliProcess.Run("dump", file, offset, length);
        Expect.Ok(r);
        long len = length == "1K" ? 1024 : Convert.ToInt64(length, length.StartsWith("0x", StringComparison.Ordinal) ? 16 : 10);
        long off = Convert.ToInt64(offset, offset.StartsWith("0x", StringComparison.Ordinal) ? 16 : 10);
        Assert.Equal(HexdumpC("-s", off.ToString(), "-n", len.ToString(), file), r.StdOut);
    }

    [Fact]
    public void Dump_ToOutputFile_WritesTheSameText()
    {
        string file = _dir.Write("data.bin", TrickyData(3));
        string output = _dir.File("dump.txt");
        Expect.Output(CliProcess.Run("dump", file, "--output", output), "");
        Assert.Equal(HexdumpC(file), File.ReadAllText(output));
    }

    [Fact]
    public void Dump_Words_OfTheAccessWidth()
    {
        var bytes = new byte[64];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i < 16 ? i : 0xaa);
        }

        string file = _dir.Write("w.bin", bytes);
        Expect.Output(CliProcess.Run("dump", file, "--words"),
            "00000000  03020100 07060504 0b0a0908 0f0e0d0c\n00000010  aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa\n*\n00000040\n");
        Expect.Output(CliProcess.Run("dump", file, "0", "16", "--words", "--width", "64"),
            "00000000  0706050403020100 0f0e0d0c0b0a0908\n00000010\n");
        Expect.Output(CliProcess.Run("dump", file, "0", "4", "--words", "-w", "16"), "00000000  0100 0302\n00000004\n");
    }

    [Fact]
    public void Dump_SimEdu_UsesAcceptedWidths()
    {
        CliResult r = CliProcess.Run("dump", "sim:edu", "0", "16");
        Expect.Ok(r);
        Assert.StartsWith("00000000  ed 00 00 01 ", r.StdOut);
        Assert.EndsWith("\n00000010\n", r.StdOut);
        Expect.Output(CliProcess.Run("dump", "sim:edu", "0", "8", "--words"), "00000000  010000ed 00000000\n00000008\n");
    }

    [Fact]
    public void Dump_EmptyRange_PrintsNothingLikeHexdump() =>
        Expect.Output(CliProcess.Run("dump", _dir.Write("one.bin", [1, 2, 3]), "3"), "");
}
