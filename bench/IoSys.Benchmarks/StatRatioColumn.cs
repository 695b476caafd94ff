using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Mathematics;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace IoSys.Benchmarks;

/// <summary>
/// The ratio of one statistic (median, minimum) of a benchmark to the same statistic of its baseline. On a shared,
/// loaded machine, interference only ever adds time, so the ratio of medians and of minimums are more robust than
/// the mean ratio that BenchmarkDotNet prints in <c>Ratio</c>; docs/benchmarks.md quotes all three.
/// </summary>
public sealed class StatRatioColumn(string name, string legend, Func<Statistics, double> statistic) : IColumn
{
    public static IColumn Median { get; } = new StatRatioColumn("Ratio(med)", "Median of this benchmark / median of its baseline", s => s.Median);

    public static IColumn Min { get; } = new StatRatioColumn("Ratio(min)", "Minimum of this benchmark / minimum of its baseline", s => s.Min);

    public string Id => "IoSysStatRatio." + name;

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Baseline;

    public int PriorityInCategory => 10;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        string? key = summary.GetLogicalGroupKey(benchmarkCase);
        BenchmarkCase? baseline = key is null ? null : summary.GetBaseline(key);
        Statistics? current = summary[benchmarkCase]?.ResultStatistics;
        Statistics? reference = baseline is null ? null : summary[baseline]?.ResultStatistics;
        if (current is null || reference is null)
        {
            return "?";
        }

        double denominator = statistic(reference);
        return denominator > 0 ? (statistic(current) / denominator).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "?";
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(b => b.Descriptor.Baseline);

    public override string ToString() => ColumnName;
}
