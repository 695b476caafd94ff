using System.Globalization;

namespace IoSys.Samples.Edu;

/// <summary>
/// What the <c>edu-demo TARGET</c> program does, as a library call: runs every <see cref="EduDriverScenarios"/>
/// scenario on a target and prints one line each, <c>PASS name</c>, <c>FAIL name: why</c> or <c>SKIP name: why</c>
/// (what the target cannot do), then a summary line.
/// </summary>
/// <example>
/// <code>
/// using var target = UioEduTarget.Open("0");
/// return EduDemo.Run(target, Console.Out);   // 0 only when every scenario that ran passed
/// </code>
/// </example>
public static class EduDemo
{
    /// <summary>The size of the DMA buffer the round-trip scenarios share, in bytes.</summary>
    public const long DmaBufferSize = 8192;

    /// <summary>Runs every scenario on <paramref name="target"/> and writes the lines to <paramref name="output"/>.</summary>
    /// <param name="target">The device.</param>
    /// <param name="output">Where the lines go.</param>
    /// <param name="timeout">How long each wait for the device may take. Default 10 s (QEMU under TCG is slow).</param>
    /// <returns>0 when at least one scenario ran and none failed; 1 otherwise.</returns>
    /// <exception cref="IoAccessException">The target's BAR0 is smaller than edu's 1 MiB.</exception>
    public static int Run(IEduTarget target, TextWriter output, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(output);
        var driver = new EduDriver(target.Bar0) { DmaMask = target.DmaMask };
        using IEduDmaBuffer? dma = target.Dma?.Allocate(DmaBufferSize);
        var context = new EduScenarioContext(driver, target.Interrupts, dma)
        {
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
            DmaAllocator = target.Dma,
            WhyMissing = target.WhyMissing,
        };
        IReadOnlyList<EduScenarioResult> results = EduDriverScenarios.RunAll(context, line => output.WriteLine(line));
        int passed = results.Count(r => r.Passed), skipped = results.Count(r => r.Skipped), failed = results.Count - passed - skipped;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"edu-demo {target.Name}: {passed} passed, {failed} failed, {skipped} skipped"));
        output.Flush();
        return failed == 0 && passed > 0 ? 0 : 1;
    }
}
