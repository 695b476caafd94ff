using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace IoSys.Cli.Fuzz;

/// <summary>
/// Fuzzes the tool's whole argument space in-process (CliApp.Run with injected streams, as Program runs it), with the
/// oracle of issue 16: exit 0, 1 or 2 only; no stack trace or exception type in the output; every run within a time
/// bound; read-only commands change no fixture; failed writes change nothing. A fatal signal (SIGBUS, SIGSEGV) would
/// kill the test host, which fails the run. The seed is printed; set IOSYS_FUZZ_SEED (and IOSYS_FUZZ_CASES) to replay.
/// </summary>
public sealed class ArgumentSpaceFuzzTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 16_2026;
    private const int DefaultCases = 10_000;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public void Every_command_line_ends_in_0_1_or_2_without_a_trace_a_hang_or_an_unwanted_change()
    {
        int seed = Environment.GetEnvironmentVariable("IOSYS_FUZZ_SEED") is { Length: > 0 } s ? int.Parse(s, CultureInfo.InvariantCulture) : DefaultSeed;
        int cases = Environment.GetEnvironmentVariable("IOSYS_FUZZ_CASES") is { Length: > 0 } c ? int.Parse(c, CultureInfo.InvariantCulture) : DefaultCases;
        using var fixtures = new Fixtures();
        var generator = new ArgumentGenerator(new Random(seed), fixtures);
        var exits = new int[3];
        var byCommand = new Dictionary<string, int>();
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        string previousDirectory = Environment.CurrentDirectory;
        Environment.CurrentDirectory = fixtures.Outputs; // Relative paths a mutation invents land here.
        try
        {
            for (int i = 0; i < cases && failures.Count < 10; i++)
            {
                string[] args = generator.Next();
                Dictionary<string, string> before = fixtures.Hashes();
                (int code, string stdout, string stderr, TimeSpan took) = RunInProcess(args, fixtures);
                string? problem = Judge(args, code, stdout, stderr, took, before, fixtures.Hashes(), fixtures);
                if (problem is not null)
                {
                    failures.Add($"case {i} (seed {seed}): iosys {Show(args)}\n  {problem}\n  exit {code}, stderr: {Escape(stderr)}");
                    if (took >= Bound)
                    {
                        break; // A hung run keeps its thread: stop here.
                    }
                }

                if (code is >= 0 and <= 2)
                {
                    exits[code]++;
                }

                string command = args.Length > 0 && ArgumentGenerator.Commands.Contains(args[0]) ? args[0] : "(other)";
                byCommand[command] = byCommand.GetValueOrDefault(command) + 1;
                if (code == 0 && args.Length > 0 && args[0] is "write" or "fill" or "load" or "batch")
                {
                    fixtures.Restore();
                }
            }
        }
        finally
        {
            Environment.CurrentDirectory = previousDirectory;
        }

        int total = exits.Sum();
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"argument fuzz: seed {seed}, {total} in-process invocations in {clock.Elapsed.TotalSeconds:0.0} s; exit 0: {exits[0]}, 1: {exits[1]}, 2: {exits[2]}; " +
            $"by command: {string.Join(", ", byCommand.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}; findings: {failures.Count}");
        FuzzReport.Write(output, summary, failures);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(exits[0] > total / 50 && exits[1] > total / 20 && exits[2] > total / 20, "the generator should reach every outcome: " + summary);
    }

    /// <summary>
    /// The command line with the fixture tree as sysfs and dev root in front (the roots move only through these options),
    /// so no generated case ever reaches this machine's real PCI or UIO devices.
    /// </summary>
    internal static string[] WithFixtureRoots(string[] args, Fixtures fixtures) =>
        ["--sysfs-root", fixtures.Sysfs, "--dev-root", fixtures.Sysfs, .. args];

    internal static (int Code, string Stdout, string Stderr, TimeSpan Took) RunInProcess(string[] args, Fixtures fixtures)
    {
        using var stdout = new MemoryStream();
        using var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, errorIsTerminal: false);
        string[] rooted = WithFixtureRoots(args, fixtures);
        var clock = Stopwatch.StartNew();
        var run = Task.Factory.StartNew(() => CliApp.Run(rooted, context), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!run.Wait(Bound))
        {
            return (-1, "", "(did not finish)", clock.Elapsed);
        }

        return (run.Result, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString(), clock.Elapsed);
    }

    /// <summary>The oracle: null when the run is acceptable, else what is wrong.</summary>
    internal static string? Judge(string[] args, int code, string stdout, string stderr, TimeSpan took,
        Dictionary<string, string> before, Dictionary<string, string> after, Fixtures fixtures)
    {
        if (took >= Bound)
        {
            return $"did not finish within {Bound.TotalSeconds} s";
        }

        if (code is < 0 or > 2)
        {
            return $"exit code {code} is not 0, 1 or 2";
        }

        if (stderr.Contains("   at ", StringComparison.Ordinal) || stdout.Contains("   at ", StringComparison.Ordinal))
        {
            return "a stack trace was printed";
        }

        if (stderr.Contains("Exception", StringComparison.Ordinal))
        {
            return "an exception type leaked into the message (an unexpected exception)";
        }

        if (code != 0 && stderr.TrimEnd('\n').Split('\n').Count(l => l.StartsWith("iosys: error: ", StringComparison.Ordinal)) != 1)
        {
            return "a failure must print exactly one error line";
        }

        if (stderr.Any(ch => ch < ' ' && ch != '\n' || ch is >= '\u007f' and <= '\u009f'))
        {
            return "a raw control character reached standard error";
        }

        string[] changed = [.. before.Keys.Where(k => before[k] != after[k])];
        if (changed.Length == 0)
        {
            return null;
        }

        string command = args.Length > 0 ? args[0] : "";
        bool writes = command is "write" or "fill" or "load" or "batch";
        // A batch that fails at line N has run lines 1..N-1: their writes stand (still only to files it names).
        if (code != 0 && command != "batch")
        {
            return $"a failed command changed {string.Join(", ", changed)}";
        }

        // A successful command may change only files it names; a read-only one only as the output of save/dump, never its target.
        HashSet<string> named = [.. args.Skip(1).SelectMany(fixtures.Named)];
        HashSet<string> targets = [.. args.Skip(1).Take(1).SelectMany(fixtures.Named)];
        foreach (string path in changed)
        {
            if (!named.Contains(path))
            {
                return $"{command} changed {path}, which it does not name";
            }

            if (!writes && (command is not ("save" or "dump") || targets.Contains(path)))
            {
                return $"read-only {command} changed {path}";
            }
        }

        return null;
    }

    internal static string Show(string[] args) => string.Join(' ', args.Select(a => "'" + Escape(a) + "'"));

    internal static string Escape(string text) => string.Concat(text.Select(ch => ch < ' ' || ch is >= '\u007f' and <= '\u009f' ? $"\\x{(int)ch:x2}" : ch.ToString()));
}

/// <summary>Prints a fuzz summary to the test output and, when IOSYS_FUZZ_REPORT names a directory, to a file there (CI prints it).</summary>
internal static class FuzzReport
{
    public static void Write(ITestOutputHelper output, string summary, IReadOnlyList<string> failures)
    {
        output.WriteLine(summary);
        foreach (string failure in failures)
        {
            output.WriteLine(failure);
        }

        if (Environment.GetEnvironmentVariable("IOSYS_FUZZ_REPORT") is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
            File.AppendAllText(Path.Join(directory, "fuzz-summary.txt"), summary + "\n" + string.Concat(failures.Select(f => f + "\n")));
        }
    }
}
