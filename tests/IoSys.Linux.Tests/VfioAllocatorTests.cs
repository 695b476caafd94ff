using CsCheck;
using IoSys.Linux.Vfio;

namespace IoSys.Linux.Tests;

/// <summary>The IOVA allocator and the pool's sub-allocator (one class): properties over random operation sequences.</summary>
public sealed class VfioAllocatorTests
{
    /// <summary>1-4 disjoint ranges in a 2^24 space, some touching, in random order.</summary>
    private static readonly Gen<IovaRange[]> Ranges =
        Gen.Select(Gen.Int[1, 4], Gen.UInt[0, 1u << 20].Array[8], (n, raw) =>
        {
            ulong[] cuts = [.. raw.Take(n * 2).Select(x => (ulong)x * 16).Distinct().Order()];
            var list = new List<IovaRange>();
            for (int i = 0; i + 1 < cuts.Length; i += 2)
            {
                list.Add(new IovaRange(cuts[i], cuts[i + 1]));
            }

            return list.Count == 0 ? [new IovaRange(0x1000, 0xfffff)] : list.AsEnumerable().Reverse().ToArray();
        });

    private readonly record struct Op(bool Allocate, uint Size, int AlignLog, int Victim);

    private static readonly Gen<Op> Ops = Gen.Select(Gen.Bool, Gen.UInt[1, 1u << 18], Gen.Int[0, 16], Gen.Int[0, 1000],
        (a, s, l, v) => new Op(a, s, l, v));

    [Fact]
    public void Allocations_never_overlap_stay_in_the_ranges_and_below_the_limit_and_are_aligned()
    {
        Gen.Select(Ranges, Gen.Int[12, 25], Ops.Array[1, 80]).Sample((ranges, bits, ops) =>
        {
            ulong highest = (1UL << bits) - 1;
            var allocator = new RangeAllocator(ranges);
            var live = new List<(ulong Start, ulong Size)>();
            foreach (Op op in ops)
            {
                if (op.Allocate || live.Count == 0)
                {
                    ulong alignment = 1UL << op.AlignLog;
                    if (allocator.TryAllocate(op.Size, alignment, out ulong start, highest))
                    {
                        Assert.Equal(0UL, start % alignment);
                        Assert.True(start + op.Size - 1 <= highest, $"0x{start:x}+{op.Size} above 0x{highest:x}");
                        Assert.Contains(ranges, r => r.Contains(start, op.Size));
                        Assert.DoesNotContain(live, l => start < l.Start + l.Size && l.Start < start + op.Size);
                        live.Add((start, op.Size));
                    }
                    else
                    {
                        // Exhaustion is honest: no free aligned span of that size exists below the limit.
                        Assert.False(FitsSomewhere(ranges, live, op.Size, alignment, highest), $"refused {op.Size} aligned 0x{alignment:x} though it fits");
                    }
                }
                else
                {
                    var victim = live[op.Victim % live.Count];
                    allocator.Free(victim.Start);
                    live.Remove(victim);
                }

                Assert.Equal(live.Count, allocator.Count);
            }

            // Everything freed: the whole space is free again, in as many spans as there are ranges (or fewer, where ranges touch).
            foreach (var l in live)
            {
                allocator.Free(l.Start);
            }

            Assert.Equal(ranges.Aggregate(0UL, (t, r) => t + r.Length), allocator.FreeBytes);
        }, iter: 300);
    }

    /// <summary>A brute-force model: is there an aligned start in some range, below the limit, that overlaps nothing live?</summary>
    private static bool FitsSomewhere(IovaRange[] ranges, List<(ulong Start, ulong Size)> live, ulong size, ulong alignment, ulong highest)
    {
        // Candidate starts: each range's first address and the end of each live block, aligned up.
        IEnumerable<ulong> candidates = ranges.Select(r => r.First).Concat(live.Select(l => l.Start + l.Size));
        foreach (ulong c in candidates)
        {
            ulong start = (c + alignment - 1) & ~(alignment - 1);
            if (start + size - 1 <= highest && ranges.Any(r => r.Contains(start, size)) &&
                !live.Any(l => start < l.Start + l.Size && l.Start < start + size))
            {
                return true;
            }
        }

        return false;
    }

    [Fact]
    public void Exhaustion_is_a_clear_error_that_names_the_size_and_what_is_free()
    {
        var allocator = new RangeAllocator([new IovaRange(0x1000, 0x4fff)]);
        Assert.Equal(0x1000UL, allocator.Allocate(0x2000, 0x1000, "IOVA space"));
        var e = Assert.Throws<InvalidOperationException>(() => allocator.Allocate(0x3000, 0x1000, "IOVA space"));
        Assert.Contains("12288 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("8192 bytes are free", e.Message, StringComparison.Ordinal);
        Assert.Contains("0x1000..0x4fff", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_limit_excludes_addresses_above_the_dma_mask()
    {
        // arm64's reported ranges: a hole for the MSI doorbell at 0x8000000.
        var allocator = new RangeAllocator([new IovaRange(0, 0x7ffffff), new IovaRange(0x8100000, 0xffffffffffff)], lowest: 0x1000);
        ulong mask28 = (1UL << 28) - 1;
        Assert.True(allocator.TryAllocate(0x7ffe000, 0x1000, out ulong a, mask28));
        Assert.Equal(0x1000UL, a);
        Assert.True(allocator.TryAllocate(0x200000, 0x200000, out ulong b, mask28));
        Assert.Equal(0x8200000UL, b); // past the hole, 2 MiB aligned
        Assert.False(allocator.TryAllocate(0x8000000, 0x1000, out _, mask28)); // would cross 2^28
        Assert.True(allocator.TryAllocate(0x8000000, 0x1000, out ulong c)); // fine without the mask
        Assert.Equal(0x8400000UL, c);
        Assert.True(c + 0x8000000 - 1 > mask28); // it ends above 2^28: the mask alone refused it
    }

    [Fact]
    public void Double_free_and_foreign_addresses_are_refused()
    {
        var allocator = new RangeAllocator([new IovaRange(0, 0xffff)]);
        ulong a = allocator.Allocate(16, 16, "x");
        allocator.Free(a);
        Assert.Throws<InvalidOperationException>(() => allocator.Free(a));
        Assert.Throws<InvalidOperationException>(() => allocator.Free(0x8000));
    }

    [Fact]
    public void Construction_refuses_overlap_reversal_and_ranges_entirely_outside_the_window()
    {
        Assert.Throws<ArgumentException>(() => new RangeAllocator([new IovaRange(0, 0x1fff), new IovaRange(0x1000, 0x2fff)]));
        Assert.Throws<ArgumentException>(() => new RangeAllocator([new IovaRange(0x2000, 0x1000)]));
        Assert.Throws<ArgumentException>(() => new RangeAllocator([new IovaRange(0, 0xfff)], lowest: 0x1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RangeAllocator([new IovaRange(0, 0xfff)]).TryAllocate(0, 1, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RangeAllocator([new IovaRange(0, 0xfff)]).TryAllocate(1, 3, out _));
    }

    [Fact]
    public void Top_of_the_64_bit_space_neither_wraps_nor_overflows()
    {
        var allocator = new RangeAllocator([new IovaRange(ulong.MaxValue - 0xfff, ulong.MaxValue)]);
        Assert.False(allocator.TryAllocate(0x1000, 0x2000, out _)); // aligning up would wrap
        Assert.True(allocator.TryAllocate(0x1000, 0x1000, out ulong a));
        Assert.Equal(ulong.MaxValue - 0xfff, a);
        allocator.Free(a);
        Assert.Equal(0x1000UL, allocator.FreeBytes);
        Assert.Equal(ulong.MaxValue, new IovaRange(0, ulong.MaxValue).Length);
    }
}
