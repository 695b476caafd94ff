using System.Runtime.CompilerServices;
using IoSys.Devices.Edu;

namespace IoSys.HardwareTests;

/// <summary>
/// The ordered (<c>readl</c>/<c>writel</c>) and relaxed accessors and the barriers on edu's real BAR and on DMA-able
/// RAM. The probes are never inlined: tests/Hardware/check-ordering-disasm.sh finds them by symbol in the published
/// binary and checks their instructions (arm64: <c>dmb oshst</c> right before the ordered store, <c>dmb oshld</c> right
/// after the ordered load, no barrier in the relaxed forms; x86-64: no fence in any).
/// </summary>
internal static class OrderingTests
{
    private const long Liveness = EduRegisterBlock.Liveness.Offset;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ProbeWrite32Ordered(IoSysMap map, long offset, uint value) => map.Write32(offset, value);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ProbeWrite32Relaxed(IoSysMap map, long offset, uint value) => map.Write32Relaxed(offset, value);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static uint ProbeRead32Ordered(IoSysMap map, long offset) => map.Read32(offset);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static uint ProbeRead32Relaxed(IoSysMap map, long offset) => map.Read32Relaxed(offset);

    private static void Report(string what, int iterations, Action action)
    {
        action(); // Warm-up (and the first call's binding, under the JIT).
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < iterations; i++)
        {
            action();
        }

        double ns = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalNanoseconds / iterations;
        Runner.Note(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"  | ordering cost ({System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, indicative): {what}: {ns:F1} ns per call (delegate call included), {iterations} calls"));
    }

    public static void Register(Runner r, Guest guest)
    {
        r.Run("ordering.edu.ordered-and-relaxed", () =>
        {
            guest.RequireEdu();
            using IoSysMap edu = Guest.OpenEdu();
            foreach (uint v in new uint[] { 0x0000_0000, 0x1234_5678, 0xFFFF_FFFF, 0xA5A5_5A5A })
            {
                ProbeWrite32Ordered(edu, Liveness, v);
                Check.Equal(~v, ProbeRead32Relaxed(edu, Liveness), $"relaxed read of liveness after an ordered write of 0x{v:x8}");
                ProbeWrite32Relaxed(edu, Liveness, ~v);
                Check.Equal(v, ProbeRead32Ordered(edu, Liveness), $"ordered read of liveness after a relaxed write of 0x{~v:x8}");
            }

            Check.Refused(IoAccessError.Misaligned, () => ProbeRead32Relaxed(edu, Liveness + 1), "Read32Relaxed(0x5)");
            Check.Refused(IoAccessError.OutOfRange, () => ProbeWrite32Relaxed(edu, edu.Size, 0), "Write32Relaxed(size)");
        });

        r.Run("ordering.barriers", () =>
        {
            // Each barrier is an instruction EL0 may execute; a wrong encoding or a trapped one would kill the process.
            IoBarriers.DmaWriteBarrier();
            IoBarriers.DmaReadBarrier();
            IoBarriers.WriteBarrier();
            IoBarriers.ReadBarrier();
            IoBarriers.FullBarrier();
            int line = IoBarriers.DataCacheLineSize;
            Check.True(line is >= 16 and <= 2048 && (line & (line - 1)) == 0, $"data cache line size {line} is not a power of two in [16, 2048]");
            Runner.Note($"  | ordering: {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}: data cache line {line} bytes");
        });

        // Reported, not asserted: under TCG the numbers say what the emulator costs, not what silicon does.
        r.Run("ordering.cost-report", () =>
        {
            using IoSysMap ram = IoSysMap.Allocate(0x1000, IoMapOptions.SystemMemory);
            const int N = 200_000;
            Report("DmaWriteBarrier (dma_wmb)", N, static () => IoBarriers.DmaWriteBarrier());
            Report("DmaReadBarrier (dma_rmb)", N, static () => IoBarriers.DmaReadBarrier());
            Report("WriteBarrier (wmb)", N, static () => IoBarriers.WriteBarrier());
            Report("ReadBarrier (rmb)", N, static () => IoBarriers.ReadBarrier());
            Report("FullBarrier (mb)", N, static () => IoBarriers.FullBarrier());
            Report("RAM Write32Relaxed", N, () => ProbeWrite32Relaxed(ram, 0x40, 1));
            Report("RAM Write32 (ordered)", N, () => ProbeWrite32Ordered(ram, 0x40, 1));
            Report("RAM Read32Relaxed", N, () => ProbeRead32Relaxed(ram, 0x40));
            Report("RAM Read32 (ordered)", N, () => ProbeRead32Ordered(ram, 0x40));
            if (guest.EduPci is not null)
            {
                using IoSysMap edu = Guest.OpenEdu();
                Report("edu Write32Relaxed", N / 20, () => ProbeWrite32Relaxed(edu, Liveness, 1));
                Report("edu Write32 (ordered)", N / 20, () => ProbeWrite32Ordered(edu, Liveness, 1));
                Report("edu Read32Relaxed", N / 20, () => ProbeRead32Relaxed(edu, Liveness));
                Report("edu Read32 (ordered)", N / 20, () => ProbeRead32Ordered(edu, Liveness));
            }
        });

        r.Run("ordering.cache-maintenance", () =>
        {
            // dc cvac / dc civac from user space (Linux sets SCTLR_EL1.UCI) over an unaligned range of locked RAM: the
            // contents stay, and the range check refuses what lies outside.
            using IoSysMap ram = IoSysMap.Allocate(0x2000, IoMapOptions.SystemMemory);
            for (int i = 0; i < 0x2000; i += 4)
            {
                ram.Write32Relaxed(i, (uint)i * 2654435761u);
            }

            IoBarriers.CleanDataCache(ram, 0x13, 0x1F00);
            IoBarriers.CleanInvalidateDataCache(ram, 0, 0x2000);
            for (int i = 0; i < 0x2000; i += 4)
            {
                Check.Equal((uint)i * 2654435761u, ram.Read32(i), $"RAM word at 0x{i:x} after clean/invalidate");
            }

            Check.Refused(IoAccessError.OutOfRange, () => IoBarriers.CleanDataCache(ram, 0x1000, 0x1001), "CleanDataCache past the end");
        });
    }
}
