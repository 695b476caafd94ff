using System.Diagnostics;
using System.Globalization;

namespace IoSys.HardwareTests;

/// <summary>Thrown by a scenario that cannot run here; printed as a SKIP line with its reason.</summary>
internal sealed class SkipException(string reason) : Exception(reason);

/// <summary>Thrown when a scenario observes the device doing something it should not.</summary>
internal sealed class CheckFailedException(string message) : Exception(message);

/// <summary>
/// Runs named scenarios and prints one line each, in the harness's format (tests/Hardware/README.md):
/// <c>PASS name</c>, <c>FAIL name: reason</c>, <c>SKIP name: reason</c>. Informational lines never start with those words.
/// </summary>
internal sealed class Runner
{
    private readonly string? _filter;
    private readonly bool _exact;

    /// <summary>Runs the scenarios whose names start with <paramref name="filter"/> (all if null), or only the one named so if <paramref name="exact"/>.</summary>
    public Runner(string? filter, bool exact = false)
    {
        _filter = filter;
        _exact = exact;
    }

    public int Passed { get; private set; }

    public int Failed { get; private set; }

    public int Skipped { get; private set; }

    public void Run(string name, Action scenario)
    {
        if (!Selected(name))
        {
            return;
        }

        long start = Stopwatch.GetTimestamp();
        try
        {
            scenario();
            Passed++;
            Console.Out.WriteLine($"PASS {name} ({Elapsed(start)})");
        }
        catch (SkipException e)
        {
            Skipped++;
            Console.Out.WriteLine($"SKIP {name}: {OneLine(e.Message)}");
        }
        catch (Exception e)
        {
            Failed++;
            string what = e is CheckFailedException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            Console.Out.WriteLine($"FAIL {name}: {OneLine(what)}");
            // The stack goes to the log on its own lines, indented so the harness does not count them.
            foreach (string line in (e.StackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Console.Out.WriteLine("    " + line.TrimEnd());
            }
        }

        Console.Out.Flush();
    }

    /// <summary>
    /// Runs a scenario in a child process (this program with <paramref name="childArguments"/>, which prints the
    /// scenario's own PASS/FAIL/SKIP line) and reports it here: the child's verdict line, or a FAIL naming the
    /// signal or exit status if it died without one.
    /// </summary>
    public void RunIsolated(string name, string[] childArguments)
    {
        if (!Selected(name))
        {
            return;
        }

        Native.ChildResult child;
        try
        {
            child = Native.RunSelf($"/tmp/{name}.log", childArguments);
        }
        catch (Exception e)
        {
            Failed++;
            Console.Out.WriteLine($"FAIL {name}: could not start the child process: {OneLine(e.Message)}");
            return;
        }

        string? verdict = null;
        foreach (string line in child.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (IsVerdict(line, name))
            {
                verdict = line;
            }
            else
            {
                Console.Out.WriteLine("  " + line.TrimStart());
            }
        }

        bool clean = !child.Signaled && child.ExitCode <= 1;
        if (verdict is not null && clean)
        {
            switch (verdict[0])
            {
                case 'P': Passed++; break;
                case 'F': Failed++; break;
                default: Skipped++; break;
            }

            Console.Out.WriteLine(verdict);
        }
        else
        {
            Failed++;
            Console.Out.WriteLine($"FAIL {name}: the scenario's process {child}{(verdict is null ? " before reporting a result" : $" after reporting '{verdict}'")}");
        }

        Console.Out.Flush();
    }

    /// <summary>An informational line for the CI log (never counted: it does not start with PASS/FAIL/SKIP).</summary>
    public static void Note(string text)
    {
        Console.Out.WriteLine("  " + text);
        Console.Out.Flush();
    }

    private bool Selected(string name) =>
        _filter is null || (_exact ? name == _filter : name.StartsWith(_filter, StringComparison.Ordinal));

    /// <summary>"PASS name (...)", "FAIL name: ..." or "SKIP name: ..." for exactly this name.</summary>
    private static bool IsVerdict(string line, string name) =>
        (line.StartsWith("PASS ", StringComparison.Ordinal) || line.StartsWith("FAIL ", StringComparison.Ordinal) || line.StartsWith("SKIP ", StringComparison.Ordinal)) &&
        line.AsSpan(5).StartsWith(name, StringComparison.Ordinal) && (line.Length == 5 + name.Length || line[5 + name.Length] is ' ' or ':');

    private static string Elapsed(long start) =>
        Stopwatch.GetElapsedTime(start).TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture) + " ms";

    private static string OneLine(string s) => s.ReplaceLineEndings(" | ");
}

/// <summary>Assertions with messages that say what the device did.</summary>
internal static class Check
{
    public static void Equal<T>(T expected, T actual, string what)
        where T : IEquatable<T>
    {
        if (!expected.Equals(actual))
        {
            throw new CheckFailedException($"{what}: expected {Show(expected)}, got {Show(actual)}");
        }
    }

    public static void True(bool condition, string message)
    {
        if (!condition)
        {
            throw new CheckFailedException(message);
        }
    }

    /// <summary>Runs <paramref name="action"/> and returns the exception it must throw.</summary>
    public static TException Throws<TException>(Action action, string what)
        where TException : Exception
    {
        try
        {
            action();
        }
        catch (TException e)
        {
            return e;
        }
        catch (Exception e)
        {
            throw new CheckFailedException($"{what}: expected {typeof(TException).Name}, got {e.GetType().Name}: {e.Message}");
        }

        throw new CheckFailedException($"{what}: expected {typeof(TException).Name}, but it succeeded");
    }

    /// <summary>The access must be refused with exactly <paramref name="error"/>.</summary>
    public static IoAccessException Refused(IoAccessError error, Action access, string what)
    {
        IoAccessException e = Throws<IoAccessException>(access, what);
        if (e.Error != error)
        {
            throw new CheckFailedException($"{what}: expected {error}, got {e.Error}: {e.Message}");
        }

        return e;
    }

    /// <summary>Byte-for-byte comparison that names the first differing offset.</summary>
    public static void Bytes(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
    {
        if (expected.Length != actual.Length)
        {
            throw new CheckFailedException($"{what}: expected {expected.Length} bytes, got {actual.Length}");
        }

        int at = expected.CommonPrefixLength(actual);
        if (at != expected.Length)
        {
            throw new CheckFailedException(
                $"{what}: first difference at byte 0x{at:x} of 0x{expected.Length:x}: expected 0x{expected[at]:x2}, got 0x{actual[at]:x2}");
        }
    }

    public static string Show<T>(T value) => value switch
    {
        byte b => $"0x{b:x2}",
        ushort s => $"0x{s:x4}",
        uint u => $"0x{u:x8}",
        ulong l => $"0x{l:x16}",
        _ => value?.ToString() ?? "null",
    };
}
