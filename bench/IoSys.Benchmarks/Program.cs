using BenchmarkDotNet.Running;

namespace IoSys.Benchmarks;

/// <summary>
/// Entry point: every public benchmark class in this assembly is offered by the switcher, so classes added to
/// this folder later (register benchmarks, CLI benchmarks) need no change here.
/// <c>dotnet run -c Release --project bench/IoSys.Benchmarks -- --filter '*'</c>; <c>-- --paired [Class ...]</c> for the
/// interleaved ratios of <see cref="PairedRunner"/>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--paired")
        {
            return PairedRunner.Run(args[1..]);
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchConfig.Create());
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
