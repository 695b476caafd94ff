using System.Diagnostics;
using CsCheck;
using Xunit.Abstractions;

namespace IoSys.Tests.Properties;

/// <summary>
/// Random operation sequences against a byte-array model. On failure CsCheck shrinks the case and its exception
/// message carries the seed; rerun one case with the environment variable <c>CsCheck_Seed=SEED</c>. The number
/// of sequences can be raised with <c>IOSYS_PROPERTY_SEQUENCES</c>.
/// </summary>
public sealed class ReferenceModelProperties(ITestOutputHelper output)
{
    private static long Sequences =>
        long.TryParse(Environment.GetEnvironmentVariable("IOSYS_PROPERTY_SEQUENCES"), out long n) && n > 0 ? n : 12000;

    [Fact]
    public void Random_operation_sequences_on_system_and_io_memory_match_a_byte_array_model()
    {
        var clock = Stopwatch.StartNew();
        ScenarioGen.Scenario.Sample(
            ScenarioRunner.Run,
            writeLine: output.WriteLine,
            iter: Sequences,
            print: s => s.ToString());
        output.WriteLine($"{Sequences} sequences in {clock.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine(Statistics.Report());
    }
}
