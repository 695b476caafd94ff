using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace IoSys.Benchmarks;

/// <summary>
/// The default configuration: one in-process job with a fixed number of warmup and measured iterations, so a full
/// run is short enough to repeat, and ratios against each class's baseline are measured in the same process.
/// In-process keeps BenchmarkDotNet from generating and building a second project (which would rebuild
/// src/IoSys in place). Any job given on the command line (<c>--job</c>, <c>--inProcess</c>, <c>--launchCount</c>,
/// ...) replaces this one; <c>--disasm</c> adds the disassembly diagnoser; <c>--artifacts DIR</c> moves the reports
/// (default: $TMPDIR/iosys-bench-artifacts, so that a run leaves nothing in the work tree).
/// </summary>
public static class BenchConfig
{
    /// <summary>The job every class runs with unless the command line says otherwise.</summary>
    public static Job DefaultJob { get; } = Job.Default
        .WithId("InProcess")
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithLaunchCount(1)
        .WithWarmupCount(8)
        .WithIterationCount(30)
        .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(200))
        .AsDefault();

    public static IConfig Create() => DefaultConfig.Instance
        .AddJob(DefaultJob)
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumn(StatisticColumn.Median, StatisticColumn.Min)
        .AddColumn(StatRatioColumn.Median, StatRatioColumn.Min)
        .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Value))
        .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "iosys-bench-artifacts"));
}
