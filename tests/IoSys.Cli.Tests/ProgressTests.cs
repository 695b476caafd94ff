using IoSys.Cli.Output;

namespace IoSys.Cli.Tests;

/// <summary>The progress bar: drawn on a terminal once a transfer passes about a second, never otherwise.</summary>
public sealed class ProgressTests
{
    private static CliContext Context(StringWriter error, bool terminal) => new(new MemoryStream(), error, terminal);

    [Fact]
    public void DrawsOnATerminal_AfterASecond_AndEndsTheLine()
    {
        var error = new StringWriter();
        using (var progress = new Progress(Context(error, terminal: true), "save", 4L << 20))
        {
            progress.Report(1L << 20);
            Assert.Equal("", error.ToString()); // Too early: quick commands never show a bar.
            Thread.Sleep(1100);
            progress.Report(2L << 20);
            Assert.StartsWith("\rsave [###############...............]  50% 2/4 MiB ", error.ToString());
        }

        Assert.EndsWith("\n", error.ToString());
        Assert.Contains("100% 4/4 MiB", error.ToString());
    }

    [Fact]
    public void SilentWhenStandardErrorIsNotATerminal()
    {
        var error = new StringWriter();
        using (var progress = new Progress(Context(error, terminal: false), "load", 1 << 20))
        {
            Thread.Sleep(1100);
            progress.Report(1 << 19);
        }

        Assert.Equal("", error.ToString());
    }
}
