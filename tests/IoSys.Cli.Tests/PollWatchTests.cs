using System.Diagnostics;

namespace IoSys.Cli.Tests;

public sealed class PollWatchTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Poll_ConditionAlreadyTrue_PrintsTheValue()
    {
        string file = _dir.Write("r.bin", [0x81, 0, 0, 0, 0, 0, 0, 0]);
        Expect.Output(CliProcess.Run("poll", file, "0", "--mask", "0x80", "--equals", "0x80", "--timeout", "2s"), "0x00000081\n");
        Expect.Output(CliProcess.Run("poll", "sim:edu", "0x20", "-m", "1", "-e", "0"), "0x00000000\n");
    }

    [Fact]
    public void Poll_Json()
    {
        string file = _dir.Write("r.bin", [0x81, 0, 0, 0]);
        CliResult r = CliProcess.Run("poll", file, "0", "--equals", "0x81", "--json", "--width", "8");
        Expect.Ok(r);
        using var doc = System.Text.Json.JsonDocument.Parse(r.StdOut);
        Assert.Equal(0x81UL, doc.RootElement.GetProperty("value").GetUInt64());
        Assert.Equal("0x81", doc.RootElement.GetProperty("hex").GetString());
        Assert.Equal(0xffUL, doc.RootElement.GetProperty("mask").GetUInt64());
        Assert.Equal(8, doc.RootElement.GetProperty("width").GetInt32());
    }

    [Fact]
    public void Poll_TimesOut_WithExit1AndTheLastValue()
    {
        string file = _dir.Write("r.bin", [0x01, 0, 0, 0]);
        var clock = Stopwatch.StartNew();
        CliResult r = CliProcess.Run("poll", file, "0", "--mask", "1", "--equals", "0", "--timeout", "300ms", "--interval", "10ms");
        Expect.Error(r, 1, "timed out", "0x0", "0x00000001");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Poll_SeesAChangeMadeByAnotherProcess()
    {
        string file = _dir.Write("r.bin", new byte[8]);
        using Process poll = CliProcess.Start(null, ["poll", file, "4", "--equals", "0x2a", "--timeout", "20s", "--interval", "5ms"], redirectInput: false);
        Thread.Sleep(400);
        using (var f = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            f.Position = 4;
            f.WriteByte(0x2a);
        }

        Assert.True(poll.WaitForExit(20_000));
        Assert.Equal(0, poll.ExitCode);
        Assert.Equal("0x0000002a\n", poll.StandardOutput.ReadToEnd());
    }

    [Fact]
    public void Poll_MaskAndEqualsChecked()
    {
        string file = _dir.Write("r.bin", new byte[8]);
        Expect.Error(CliProcess.Run("poll", file, "0", "--mask", "1", "--equals", "2"), 2, "outside the mask");
        Expect.Error(CliProcess.Run("poll", file, "0", "--equals", "0x100", "-w", "8"), 2, "0x100", "8 bits");
        Expect.Error(CliProcess.Run("poll", file, "0", "--equals", "0", "--timeout", "soon"), 2, "timeout", "soon");
        Expect.Error(CliProcess.Run("poll", file, "0"), 2, "--equals");
    }

    [Fact]
    public void Watch_PrintsTheValueThenEachChange()
    {
        string file = _dir.Write("r.bin", new byte[8]);
        using Process watch = CliProcess.Start(null, ["watch", file, "0", "--interval", "10ms", "--changes", "2", "--timeout", "20s"], redirectInput: false);
        // Each line is flushed as it happens: wait for it before making the next change.
        string? first = watch.StandardOutput.ReadLine();
        WriteByte(file, 0, 1);
        string? second = watch.StandardOutput.ReadLine();
        WriteByte(file, 0, 2);
        string? third = watch.StandardOutput.ReadLine();
        Assert.True(watch.WaitForExit(20_000));
        Assert.Equal(0, watch.ExitCode);
        Assert.Matches(@"^\+\d+\.\d{3}s 0x00000000$", first);
        Assert.EndsWith(" 0x00000001", second);
        Assert.EndsWith(" 0x00000002", third);
        Assert.Equal("", watch.StandardOutput.ReadToEnd());
    }

    [Fact]
    public void Watch_StopsAtTheTimeout()
    {
        CliResult r = CliProcess.Run("watch", "sim:edu", "0", "--timeout", "200ms", "--interval", "20ms");
        Expect.Ok(r);
        Assert.Matches(@"^\+0\.\d{3}s 0x010000ed\n$", r.StdOut);
        Expect.Error(CliProcess.Run("watch", "sim:edu", "2"), 1, "misaligned");
    }

    private static void WriteByte(string file, long position, byte value)
    {
        using var f = new FileStream(file, FileMode.Open, FileAccess.Write);
        f.Position = position;
        f.WriteByte(value);
    }
}
