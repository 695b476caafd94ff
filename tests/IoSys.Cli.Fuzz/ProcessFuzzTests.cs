using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace IoSys.Cli.Fuzz;

/// <summary>
/// A sample of the same generated command lines run as real processes (the binary named by IOSYS_CLI, e.g. the
/// NativeAOT one, or <c>dotnet IoSys.Cli.dll</c>): what only a process shows, a death by signal (exit 128+N), the
/// entry point's own handling, and a hang killed at the bound. Slow (a process start each), so fewer cases.
/// </summary>
public sealed class ProcessFuzzTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public void Generated_command_lines_run_as_processes_never_die_of_a_signal()
    {
        int seed = Environment.GetEnvironmentVariable("IOSYS_FUZZ_SEED") is { Length: > 0 } s ? int.Parse(s, CultureInfo.InvariantCulture) + 1 : 16_2027;
        int cases = Environment.GetEnvironmentVariable("IOSYS_FUZZ_PROCESS_CASES") is { Length: > 0 } c ? int.Parse(c, CultureInfo.InvariantCulture) : 40;
        using var fixtures = new Fixtures();
        var generator = new ArgumentGenerator(new Random(seed), fixtures);
        var failures = new List<string>();
        var exits = new int[3];
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < cases; i++)
        {
            string[] args = generator.Next();
            Dictionary<string, string> before = fixtures.Hashes();
            (int code, string stdout, string stderr, TimeSpan took) = Run(args, fixtures);
            string? problem = ArgumentSpaceFuzzTests.Judge(args, code, stdout, stderr, took, before, fixtures.Hashes(), fixtures);
            if (problem is not null)
            {
                failures.Add($"process case {i} (seed {seed}): iosys {ArgumentSpaceFuzzTests.Show(args)}\n  {problem}\n  exit {code}, stderr: {ArgumentSpaceFuzzTests.Escape(stderr)}");
            }
            else
            {
                exits[code]++;
            }

            if (code == 0 && args.Length > 0 && args[0] is "write" or "fill" or "load")
            {
                fixtures.Restore();
            }
        }

        string summary = string.Create(CultureInfo.InvariantCulture,
            $"process fuzz: seed {seed}, {cases} process invocations in {clock.Elapsed.TotalSeconds:0.0} s; exit 0: {exits[0]}, 1: {exits[1]}, 2: {exits[2]}; findings: {failures.Count}");
        FuzzReport.Write(output, summary, failures);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static (int Code, string Stdout, string Stderr, TimeSpan Took) Run(string[] args, Fixtures fixtures)
    {
        string? binary = Environment.GetEnvironmentVariable("IOSYS_CLI");
        var info = new ProcessStartInfo(binary is { Length: > 0 } ? binary : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = fixtures.Outputs,
        };
        if (binary is not { Length: > 0 })
        {
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IoSys.Cli.dll"));
        }

        // The fixture roots first, so no generated command line ever reaches this machine's real devices.
        foreach (string a in ArgumentSpaceFuzzTests.WithFixtureRoots(args, fixtures))
        {
            info.ArgumentList.Add(a.Replace("\0", "", StringComparison.Ordinal)); // argv cannot carry NUL.
        }
        var clock = Stopwatch.StartNew();
        using Process process = Process.Start(info) ?? throw new InvalidOperationException("could not start iosys");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Bound))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, "", "(killed at the bound)", clock.Elapsed);
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult(), clock.Elapsed);
    }
}
