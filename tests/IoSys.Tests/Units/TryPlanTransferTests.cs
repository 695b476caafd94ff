namespace IoSys.Tests.Units;

/// <summary>TryPlanTransfer is TryCheckRange and PlanTransfer in one: the same verdicts, the same plan.</summary>
public sealed class TryPlanTransferTests
{
    private static List<IoTransferChunk> Chunks(IoTransferPlan plan) => AccessCoreTests.ToList(plan);

    [Theory]
    [InlineData(0, 0x100, AccessWidths.All, false)]
    [InlineData(3, 0x3d, AccessWidths.All, true)]
    [InlineData(0x10, 0x20, AccessWidths.Bits16, false)]
    [InlineData(0x1, 0x10, AccessWidths.Bits32, false)]   // nothing 4 bytes wide covers offset 1
    [InlineData(0xf0, 0x20, AccessWidths.All, false)]     // out of range
    [InlineData(-8, 0x8, AccessWidths.All, false)]
    [InlineData(0x40, 0x10, AccessWidths.Bits8, true)]    // the rule below refuses 8-bit accesses there
    public void Agrees_with_TryCheckRange_and_PlanTransfer(long offset, long length, AccessWidths widths, bool write)
    {
        var options = new IoMapOptions
        {
            Space = IoSpace.IoMemory,
            WidthRules = [new IoWidthRule(0x40, 0x40, AccessWidths.Bits32 | AccessWidths.Bits64)],
        };
        using IoSysMap map = IoSysMap.Allocate(0x100, options);
        bool expected = map.TryCheckRange(offset, length, widths, write, out IoAccessError error, out long failedAt);
        bool planned = map.TryPlanTransfer(offset, length, widths, write, out IoTransferPlan plan, out IoAccessError error2, out long failedAt2);
        Assert.Equal((expected, error, failedAt), (planned, error2, failedAt2));
        if (planned)
        {
            Assert.Equal(Chunks(map.PlanTransfer(offset, length, widths)), Chunks(plan));
            Assert.Equal((offset, length, widths), (plan.Offset, plan.Length, plan.Widths));
        }
        else
        {
            Assert.Empty(Chunks(plan));
        }
    }

    [Fact]
    public void A_read_only_map_plans_reads_but_refuses_writes()
    {
        using IoSysMap map = IoSysMap.Allocate(0x40, IoMapOptions.SystemMemory with { ReadOnly = true });
        Assert.True(map.TryPlanTransfer(0, 0x40, AccessWidths.All, write: false, out IoTransferPlan plan, out _, out _));
        Assert.True(plan.IsMemoryCopy);
        Assert.False(map.TryPlanTransfer(0, 0x40, AccessWidths.All, write: true, out _, out IoAccessError error, out _));
        Assert.Equal(IoAccessError.ReadOnly, error);
    }

    [Fact]
    public void A_disposed_map_throws()
    {
        IoSysMap map = IoSysMap.Allocate(0x40);
        map.Dispose();
        Assert.Throws<ObjectDisposedException>(() => map.TryPlanTransfer(0, 8, AccessWidths.All, false, out _, out _, out _));
    }
}
