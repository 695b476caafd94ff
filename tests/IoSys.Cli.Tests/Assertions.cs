namespace IoSys.Cli.Tests;

internal static class Expect
{
    /// <summary>Success with exactly <paramref name="stdout"/>.</summary>
    public static void Output(CliResult r, string stdout)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(stdout, r.StdOut);
        Assert.Equal("", r.StdErr);
    }

    public static void Ok(CliResult r) => Assert.True(r.ExitCode == 0 && r.StdErr.Length == 0, r.ToString());

    /// <summary>One error line naming <paramref name="fragments"/>, the given exit code, no stack trace, no crash.</summary>
    public static void Error(CliResult r, int exitCode, params string[] fragments)
    {
        Assert.True(r.ExitCode == exitCode, $"expected exit {exitCode}: {r}");
        string[] lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one error line: {r}");
        Assert.StartsWith("iosys: error: ", lines[0]);
        Assert.DoesNotContain("   at ", r.StdErr);
        Assert.DoesNotContain("Exception", r.StdErr);
        foreach (string f in fragments)
        {
            Assert.True(lines[0].Contains(f, StringComparison.OrdinalIgnoreCase), $"error should mention '{f}': {lines[0]}");
        }
    }

    public static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
