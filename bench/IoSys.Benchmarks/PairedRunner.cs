using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace IoSys.Benchmarks;

/// <summary>
/// A second, interleaved measurement of the same benchmark methods, for a machine shared with other work:
/// BenchmarkDotNet measures a baseline and then, seconds later, its candidates, so a change of load between the
/// two moves the ratio. Here every round times a block of each method of a group back to back (in a shuffled
/// order) and takes the ratio within the round; the report is the median of the per-round ratios with a
/// distribution-free 95% confidence interval, and the bytes allocated on the measuring thread per operation over
/// all rounds (exact: <see cref="GC.GetAllocatedBytesForCurrentThread"/>). <c>--paired [class-name-substring ...] [--rounds N]
/// [--processes P]</c>.
/// </summary>
/// <remarks>
/// With <c>--processes P</c>, the whole measurement runs in P fresh processes, one after another, and the report is
/// the median over the processes of each process's median ratio, with the range. Within one process the ratio is
/// stable, but between processes it moves (by up to 1.5x for the tightest loops here): where the JIT places the
/// code and where the data land differ per process. The median over processes is the verdict this page uses.
/// </remarks>
public static class PairedRunner
{
    private static volatile uint s_sink;

    public static int Run(string[] args)
    {
        int rounds = 301;
        int processes = 0;
        var filters = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--rounds" && i + 1 < args.Length)
            {
                rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--processes" && i + 1 < args.Length)
            {
                processes = int.Parse(args[++i], CultureInfo.InvariantCulture);
            }
            else
            {
                filters.Add(args[i]);
            }
        }

        if (processes > 0)
        {
            return RunProcesses(processes, rounds, filters);
        }

        Console.WriteLine($"Paired (interleaved) runs: {rounds} rounds; load average at start: {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| Class | Group | Method | Median ns/op | Ratio (median of per-round ratios) | 95% CI | IQR of ratios | Allocated B/op |");
        Console.WriteLine("|---|---|---|---:|---:|---|---|---:|");
        foreach (Type type in typeof(PairedRunner).Assembly.GetTypes().Where(IsBenchmarkClass).OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            if (filters.Count > 0 && !filters.Any(f => type.Name.Contains(f, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            RunClass(type, rounds);
        }

        Console.WriteLine();
        Console.WriteLine($"Load average at end: {LoadAverage()}");
        return 0;
    }

    private static int RunProcesses(int processes, int rounds, List<string> filters)
    {
        Console.WriteLine($"Paired runs in {processes} processes of {rounds} rounds each; load average at start: {LoadAverage()}");
        var rows = new Dictionary<(string Class, string Group, string Method), List<(double Ns, double Ratio, string Allocated)>>();
        var order = new List<(string Class, string Group, string Method)>();
        for (int p = 0; p < processes; p++)
        {
            string[] lines = RunChild([.. filters, "--rounds", rounds.ToString(CultureInfo.InvariantCulture)]);
            foreach (string[] cells in lines.Select(l => l.Split('|', StringSplitOptions.TrimEntries)).Where(c => c.Length == 10 && double.TryParse(c[5], CultureInfo.InvariantCulture, out _)))
            {
                var key = (cells[1], cells[2], cells[3]);
                if (!rows.TryGetValue(key, out var list))
                {
                    rows[key] = list = [];
                    order.Add(key);
                }

                list.Add((double.Parse(cells[4], CultureInfo.InvariantCulture), double.Parse(cells[5], CultureInfo.InvariantCulture), cells[8]));
            }
        }

        Console.WriteLine();
        Console.WriteLine("| Class | Group | Method | Processes | Median ns/op | Ratio (median over processes) | Range over processes | Allocated B/op (max) |");
        Console.WriteLine("|---|---|---|---:|---:|---:|---|---:|");
        foreach (var key in order)
        {
            var list = rows[key];
            double[] ratios = [.. list.Select(x => x.Ratio).Order()];
            double[] ns = [.. list.Select(x => x.Ns).Order()];
            string allocated = list.Select(x => x.Allocated).MaxBy(a => double.Parse(a, CultureInfo.InvariantCulture))!;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {key.Class} | {key.Group} | {key.Method} | {list.Count} | {Quantile(ns, 0.5):0.###} | {Quantile(ratios, 0.5):0.000} | {ratios[0]:0.000}–{ratios[^1]:0.000} | {allocated} |"));
        }

        Console.WriteLine();
        Console.WriteLine($"Load average at end: {LoadAverage()}");
        return 0;
    }

    // Runs this program again with `--paired args`, in a new process, and returns its output lines.
    private static string[] RunChild(string[] args)
    {
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(PairedRunner).Assembly.Location);
        }

        start.ArgumentList.Add("--paired");
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process child = Process.Start(start)!;
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"The paired run in a child process failed with exit code {child.ExitCode}.");
        }

        return output.Split('\n');
    }

    private static bool IsBenchmarkClass(Type type) =>
        type.IsClass && !type.IsAbstract && type.GetMethods().Any(m => m.GetCustomAttribute<BenchmarkAttribute>()?.Baseline == true);

    private static void RunClass(Type type, int rounds)
    {
        object instance = Activator.CreateInstance(type)!;
        Invoke<GlobalSetupAttribute>(type, instance);
        try
        {
            var groups = type.GetMethods()
                .Select(m => (Method: m, Attribute: m.GetCustomAttribute<BenchmarkAttribute>()))
                .Where(x => x.Attribute is not null)
                .GroupBy(x => string.Join(",", x.Method.GetCustomAttributes<BenchmarkCategoryAttribute>().SelectMany(c => c.Categories)));
            foreach (var group in groups)
            {
                var members = group.OrderByDescending(x => x.Attribute!.Baseline).ToList();
                if (!members[0].Attribute!.Baseline)
                {
                    continue;
                }

                var bodies = members.Select(x => Body(x.Method, instance)).ToArray();
                int[] perInvoke = members.Select(x => x.Attribute!.OperationsPerInvoke).ToArray();
                RunGroup(type.Name, group.Key, members.Select(x => x.Method.Name).ToArray(), bodies, perInvoke, rounds);
            }
        }
        finally
        {
            Invoke<GlobalCleanupAttribute>(type, instance);
        }
    }

    private static void RunGroup(string typeName, string group, string[] names, Action[] bodies, int[] perInvoke, int rounds)
    {
        // Warm up (tier-1 code for every method), then size each block to about 2 ms of the slowest method.
        foreach (Action body in bodies)
        {
            var warm = Stopwatch.StartNew();
            while (warm.ElapsedMilliseconds < 600)
            {
                body();
            }
        }

        long invocations = 1;
        while (bodies.Max(b => Time(b, invocations)) < Stopwatch.Frequency / 500)
        {
            invocations *= 2;
        }

        var allocated = new long[bodies.Length];
        var times = new double[bodies.Length][];
        for (int i = 0; i < bodies.Length; i++)
        {
            times[i] = new double[rounds];
        }

        var order = Enumerable.Range(0, bodies.Length).ToArray();
        var random = new Random(12345);
        for (int r = 0; r < rounds; r++)
        {
            random.Shuffle(order);
            foreach (int i in order)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                times[i][r] = Time(bodies[i], invocations) * 1e9 / Stopwatch.Frequency / invocations / perInvoke[i];
                allocated[i] += GC.GetAllocatedBytesForCurrentThread() - before;
            }
        }

        for (int i = 0; i < bodies.Length; i++)
        {
            double[] ratios = Enumerable.Range(0, rounds).Select(r => times[i][r] / times[0][r]).Order().ToArray();
            double[] sorted = times[i].Order().ToArray();
            (double low, double high) = MedianConfidence(ratios);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {typeName} | {(group.Length == 0 ? "-" : group)} | {names[i]}{(i == 0 ? " (baseline)" : "")} | {Quantile(sorted, 0.5):0.###} | {Quantile(ratios, 0.5):0.000} | {low:0.000}–{high:0.000} | {Quantile(ratios, 0.25):0.000}–{Quantile(ratios, 0.75):0.000} | {(double)allocated[i] / ((double)rounds * invocations * perInvoke[i]):0.###} |"));
        }
    }

    private static long Time(Action body, long invocations)
    {
        long start = Stopwatch.GetTimestamp();
        for (long n = 0; n < invocations; n++)
        {
            body();
        }

        return Stopwatch.GetTimestamp() - start;
    }

    private static Action Body(MethodInfo method, object instance)
    {
        if (method.ReturnType == typeof(void))
        {
            return method.CreateDelegate<Action>(instance);
        }

        if (method.ReturnType == typeof(uint))
        {
            Func<uint> f = method.CreateDelegate<Func<uint>>(instance);
            return () => s_sink += f();
        }

        // Any other result: stored in a static of its type, so it is consumed without boxing.
        MethodInfo make = typeof(PairedRunner).GetMethod(nameof(MakeBody), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(method.ReturnType);
        return (Action)make.Invoke(null, [method, instance])!;
    }

    private static Action MakeBody<T>(MethodInfo method, object instance)
    {
        Func<T> f = method.CreateDelegate<Func<T>>(instance);
        return () => Sink<T>.Value = f();
    }

    private static class Sink<T>
    {
        public static T? Value;
    }

    private static void Invoke<TAttribute>(Type type, object instance)
        where TAttribute : Attribute
    {
        foreach (MethodInfo m in type.GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is not null))
        {
            m.Invoke(instance, null);
        }
    }

    private static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((position - low) * (sorted[high] - sorted[low]));
    }

    // Distribution-free 95% interval for the median: order statistics n/2 -+ 1.96 sqrt(n)/2.
    private static (double Low, double High) MedianConfidence(double[] sorted)
    {
        int n = sorted.Length;
        int half = (int)Math.Ceiling(1.96 * Math.Sqrt(n) / 2);
        return (sorted[Math.Max(0, (n / 2) - half)], sorted[Math.Min(n - 1, (n / 2) + half)]);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
