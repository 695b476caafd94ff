using System.Diagnostics;
using System.Runtime.InteropServices;

namespace IoSys.Tests.Regression;

/// <summary>
/// Issue 16's rows that live in the core, each reproducing the probe's original failure: row 4 (a poll interval
/// longer than the timeout), row 7 (messages near long.MaxValue), row 8 (a known size that is not a constant), row 10
/// (CopyTo of more than 2 GiB through a buffer), row 12 (disposing many windows), row 13 (WriteBytes racing Dispose).
/// </summary>
public sealed class HardeningRegressionTests
{
    // --- Row 4: `poll --timeout 100ms --interval 4s` returned after 4.01 s; a day-long interval hung for a day. ------

    [Theory]
    [InlineData(4_000)]
    [InlineData(86_400_000)] // 1440 minutes.
    public void Poll_with_an_interval_longer_than_the_timeout_times_out_at_the_timeout(int intervalMs)
    {
        using IoSysMap map = IoSysMap.Allocate(0x100, IoMapOptions.IoMemory);
        var watch = Stopwatch.StartNew();
        IoPollTimeoutException e = Assert.Throws<IoPollTimeoutException>(() =>
            map.Poll<uint>(0x10, v => v == 1, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(intervalMs)));
        watch.Stop();
        Assert.Equal(0x10, e.Offset);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(100), $"returned early: {watch.Elapsed}");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"slept the interval, not the time left: {watch.Elapsed}");
    }

    [Theory]
    [InlineData(4_000)]
    [InlineData(86_400_000)]
    public async Task PollAsync_with_an_interval_longer_than_the_timeout_times_out_at_the_timeout(int intervalMs)
    {
        using IoSysMap map = IoSysMap.Allocate(0x100, IoMapOptions.IoMemory);
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<IoPollTimeoutException>(() =>
            map.PollAsync<uint>(0x10, v => v == 1, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(intervalMs)));
        watch.Stop();
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(100), $"returned early: {watch.Elapsed}");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"slept the interval, not the time left: {watch.Elapsed}");
    }

    [Fact]
    public void Poll_with_a_long_interval_still_sees_a_value_that_arrives_before_the_timeout_at_the_final_read()
    {
        using IoSysMap map = IoSysMap.Allocate(0x100, IoMapOptions.IoMemory);
        var writer = new Thread(() =>
        {
            Thread.Sleep(50);
            map.Write32(0x10, 1);
        });
        writer.Start();
        uint value = map.Poll<uint>(0x10, v => v == 1, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(30));
        writer.Join();
        Assert.Equal(1u, value);
    }

    // --- Row 7: "needs bytes 0x7fffffffffffffff..-0x7ffffffffffffffe". ---------------------------------------------

    [Theory]
    [InlineData(long.MaxValue, 4)]
    [InlineData(long.MaxValue - 3, 8)]
    [InlineData(long.MaxValue, 1)]
    public void Messages_near_long_MaxValue_print_the_true_end_not_a_wrapped_one(long offset, int width)
    {
        using IoSysMap map = IoSysMap.Allocate(0x1000);
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.Read(offset, width));
        Assert.Equal(IoAccessError.OutOfRange, e.Error);
        Assert.DoesNotContain("-0x", e.Message, StringComparison.Ordinal);
        string end = "0x" + ((ulong)offset + (ulong)width - 1).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"0x{offset:x}..{end}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read32_at_0x7fffffffffffffff_names_0x8000000000000002_as_the_last_byte()
    {
        using IoSysMap map = IoSysMap.Allocate(0x1000);
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.Read32(0x7fffffffffffffff));
        Assert.Contains("0x7fffffffffffffff..0x8000000000000002", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bulk_and_window_messages_near_long_MaxValue_have_no_negative_numbers()
    {
        using IoSysMap map = IoSysMap.Allocate(0x1000);
        Exception[] errors =
        [
            Assert.Throws<IoAccessException>(() => map.ReadBytes(long.MaxValue, new byte[16])),
            Assert.Throws<IoAccessException>(() => map.Fill(long.MaxValue - 1, 16, 0)),
            Assert.Throws<IoAccessException>(() => map.Slice(long.MaxValue, 16)),
            Assert.Throws<IoAccessException>(() => map.CheckRange(long.MaxValue, long.MaxValue, AccessWidths.All, write: false)),
        ];
        Assert.All(errors, e => Assert.DoesNotContain("-0x", e.Message, StringComparison.Ordinal));
    }

    // --- Row 8: an IIoKnownSize whose Size changes after the window was made: SIGSEGV, and Write64(200) through a -----
    // 64-byte window wrote byte 200 of the parent.

    private struct ShiftingSize : IIoKnownSize
    {
        public static long Current = 64;

        public static long Size => Current;
    }

    [Fact]
    public void A_known_size_that_changes_later_never_moves_the_window_validated_at_creation()
    {
        using IoSysMap parent = IoSysMap.Allocate(0x1000);
        parent.Fill(0, parent.Size, 0xEE);
        ShiftingSize.Current = 64;
        IoSysMap<ShiftingSize> window = parent.AsKnownSize<ShiftingSize>(0x100);
        try
        {
            ShiftingSize.Current = 1L << 40; // Far beyond the parent: an access trusting it would fault.

            Assert.Equal(64, window.Size);
            Assert.Throws<IoAccessException>(() => window.Write64(200, 0x1122334455667788));
            Assert.Throws<IoAccessException>(() => window.Read64(200));
            Assert.Throws<IoAccessException>(() => window.Read64(1L << 39));
            Assert.Throws<IoAccessException>(() => window.Write32Relaxed(64, 1));
            using (IoSysMapLease<ShiftingSize> lease = window.Lease())
            {
                Assert.Equal(64, lease.Size);
                IoAccessException e = Record.Exception(() => ReadThroughLease(window, 1L << 39)) as IoAccessException
                    ?? throw new Xunit.Sdk.XunitException("the lease read outside its window");
                Assert.Equal(IoAccessError.OutOfRange, e.Error);
            }

            // Nothing outside [0x100, 0x140) of the parent changed, and inside still works.
            window.Write64(56, 0x0102030405060708);
            Assert.Equal(0x0102030405060708UL, parent.Read64(0x100 + 56));
            for (long o = 0; o < parent.Size; o += 8)
            {
                if (o != 0x100 + 56)
                {
                    Assert.Equal(0xEEEEEEEEEEEEEEEEUL, parent.Read64(o));
                }
            }

            // A window of the same type made later keeps the size read at first use.
            Assert.Equal(64, parent.AsKnownSize<ShiftingSize>(0).Size);
        }
        finally
        {
            ShiftingSize.Current = 64;
        }
    }

    private static ulong ReadThroughLease(IoSysMap<ShiftingSize> window, long offset)
    {
        using IoSysMapLease<ShiftingSize> lease = window.Lease();
        return lease.Read64(offset);
    }

    // --- Row 10: CopyTo of 2.5 GiB between I/O-memory maps of different alignment: OverflowException from new byte[]. -

    // Bytes checked in full: the first and last MiB and the MiB around int.MaxValue (where a 32-bit length would
    // wrap). Elsewhere the devices only count, so that 2 GiB of single accesses stay a few seconds.
    private static bool Checked(long o, long length) =>
        o < 1 << 20 || o >= length - (1 << 20) || Math.Abs(o - int.MaxValue) < 1 << 20;

    /// <summary>A device of any size whose byte at offset o is <see cref="Pattern"/>(o) where checked, without memory behind it.</summary>
    private sealed class PatternDevice(long length) : IoBackend
    {
        public static byte Pattern(long o) => (byte)(o ^ (o >> 9) ^ (o >> 21));

        protected override ulong Read(long offset, int width)
        {
            if (!Checked(offset, length))
            {
                return 0;
            }

            ulong value = 0;
            for (int i = 0; i < width; i++)
            {
                value |= (ulong)Pattern(offset + i) << (8 * i);
            }

            return value;
        }

        protected override void Write(long offset, int width, ulong value) => throw new InvalidOperationException("read-only device");
    }

    /// <summary>A device that checks every byte written against the pattern shifted by <c>shift</c> and counts them.</summary>
    private sealed class CheckingDevice(long shift, long length) : IoBackend
    {
        public long Written;
        public long Wrong;
        public long Accesses;

        protected override ulong Read(long offset, int width) => 0;

        protected override void Write(long offset, int width, ulong value)
        {
            Accesses++;
            Written += width;
            if (!Checked(offset - shift, length) || !Checked(offset - shift + width - 1, length))
            {
                return;
            }

            for (int i = 0; i < width; i++)
            {
                if ((byte)(value >> (8 * i)) != PatternDevice.Pattern(offset + i - shift))
                {
                    Wrong++;
                }
            }
        }
    }

    [Fact]
    public void CopyTo_of_more_than_2_GiB_between_IO_memory_maps_of_different_alignment_streams_through_a_bounded_buffer()
    {
        const long length = (2L << 30) + 4099; // More than int.MaxValue, not a multiple of 8.
        IoSysMap source = IoSysMap.Create(new PatternDevice(length), length + 8);
        var checking = new CheckingDevice(shift: 3, length);
        IoSysMap destinationOwner = IoSysMap.Create(checking, length + 8);
        IoSysMap destination = destinationOwner.Slice(3); // Alignment differs from the source's by 3: no direct copy.
        long before = GC.GetAllocatedBytesForCurrentThread();

        source.CopyTo(0, destination, 0, length);

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(length, checking.Written);
        Assert.Equal(0, checking.Wrong);
        Assert.True(checking.Accesses < length / 7, $"{checking.Accesses} accesses: not the widest ones");
        Assert.True(allocated < 1 << 20, $"the copy allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(0, 5)]  // Destination after the source: copied backwards.
    [InlineData(5, 0)]  // Destination before the source: copied forwards.
    [InlineData(1, 7)]
    public void CopyTo_through_the_bounded_buffer_copies_overlapping_ranges_as_memmove(int sourceOffset, int destinationOffset)
    {
        const int length = 200_003; // Several bounce buffers long.
        byte[] bytes = new byte[length + 64];
        new Random(7).NextBytes(bytes);
        byte[] expected = (byte[])bytes.Clone();
        Array.Copy(bytes, sourceOffset, expected, destinationOffset, length);
        using IoSysMap map = IoSysMap.Allocate(bytes.Length, IoMapOptions.IoMemory);
        map.WriteBytes(0, bytes);

        map.CopyTo(sourceOffset, map, destinationOffset, length);

        byte[] actual = new byte[bytes.Length];
        map.ReadBytes(0, actual);
        Assert.Equal(expected, actual);
    }

    // --- Row 12: disposing 50,000 live windows one by one took 5.7 s (O(n) unregister each). ------------------------

    [Fact]
    public void Disposing_many_live_windows_one_by_one_is_linear_overall()
    {
        using IoSysMap owner = IoSysMap.Allocate(0x1000);
        var windows = new List<IoSysMap>(100_000);
        for (int i = 0; i < 100_000; i++)
        {
            windows.Add(owner.Slice(i % 0x1000, 1));
        }

        var watch = Stopwatch.StartNew();
        foreach (IoSysMap window in windows)
        {
            window.Dispose();
        }

        watch.Stop();
        // O(n) each was n^2/2 = 5e9 weak-reference checks here (minutes); O(1) each is milliseconds. The bound is
        // generous for a loaded machine and still far below the quadratic cost.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"disposing 100,000 windows took {watch.Elapsed}");
        Assert.All(windows, w => Assert.True(w.IsDisposed));
        Assert.False(owner.IsDisposed);
        Assert.Equal(0, owner.Read8(0));
    }

    // --- Row 13: an 8 MiB WriteBytes racing Dispose returned normally with part of the data not written. -------------

    /// <summary>Native memory whose Retire records what it held then (what the device got before it was released).</summary>
    private sealed unsafe class SnapshotRegion : IoMemoryRegion
    {
        private SnapshotRegion(nint address, long length)
            : base(address, length)
        {
        }

        public byte[]? AtRetire { get; private set; }

        public static SnapshotRegion Allocate(int length) =>
            new((nint)NativeMemory.AlignedAlloc((nuint)length, 4096), length);

        protected override void Retire() => AtRetire = new ReadOnlySpan<byte>((void*)Address, (int)Length).ToArray();

        protected override void Release() => NativeMemory.AlignedFree((void*)Address);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WriteBytes_racing_Dispose_either_completes_in_full_or_throws_ObjectDisposedException(bool ioMemory)
    {
        const int length = 8 << 20, Runs = 12;
        byte[] data = new byte[length];
        new Random(13).NextBytes(data);
        int completed = 0, refused = 0;
        for (int run = 0; run < Runs; run++)
        {
            SnapshotRegion region = SnapshotRegion.Allocate(length);
            IoSysMap map = IoSysMap.Create(region, ioMemory ? IoMapOptions.IoMemory : IoMapOptions.SystemMemory);
            using var start = new Barrier(2);
            var disposer = new Thread(() =>
            {
                start.SignalAndWait();
                Thread.SpinWait(Random.Shared.Next(0, 200_000));
                map.Dispose();
            });
            disposer.Start();
            start.SignalAndWait();
            bool returned;
            try
            {
                map.WriteBytes(0, data);
                returned = true;
            }
            catch (ObjectDisposedException)
            {
                returned = false;
            }

            disposer.Join();
            Assert.NotNull(region.AtRetire);
            if (returned)
            {
                completed++;
                Assert.True(data.AsSpan().SequenceEqual(region.AtRetire), $"run {run}: WriteBytes returned, but the memory held other data when it was retired");
            }
            else
            {
                refused++;
            }
        }

        Assert.Equal(Runs, completed + refused);
    }
}
