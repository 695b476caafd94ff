using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using IoSys.Tests.Support;

namespace IoSys.Tests.Units;

/// <summary>
/// <see cref="IoSysMapLease"/>: the same values and the same refusals as the map it leases, and the lifetime
/// contract: a Dispose of the owner during a lease refuses the map at once but retires the memory only when the
/// last lease ends; an ended lease throws ObjectDisposedException.
/// </summary>
public sealed class LeaseTests
{
    private const uint Poison = 0xDEAD_BEEF;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_lease_reads_and_writes_what_the_map_does(bool io)
    {
        using IoSysMap map = IoSysMap.Allocate(0x100, io ? IoMapOptions.IoMemory : IoMapOptions.SystemMemory);
        using (IoSysMapLease lease = map.Lease())
        {
            Assert.Same(map, lease.Map);
            Assert.Equal(0x100, lease.Size);
            lease.Write8(0x01, 0x11);
            lease.Write16(0x02, 0x2222);
            lease.Write32(0x04, 0x4444_4444);
            lease.Write64(0x08, 0x8888_8888_8888_8888);
            lease.Write(0x10, new Words3 { A = 1, B = 2, C = 3 });
            Assert.Equal(0x11, lease.Read8(0x01));
            Assert.Equal(0x2222, lease.Read16(0x02));
            Assert.Equal(0x4444_4444u, lease.Read32(0x04));
            Assert.Equal(0x8888_8888_8888_8888ul, lease.Read64(0x08));
            Assert.Equal(new Words3 { A = 1, B = 2, C = 3 }, lease.Read<Words3>(0x10));
        }

        Assert.Equal(0x4444_4444u, map.Read32(0x04));
        Assert.Equal(0x8888_8888_8888_8888ul, map.Read64(0x08));
        Assert.Equal(new Words3 { A = 1, B = 2, C = 3 }, map.Read<Words3>(0x10));
    }

    public static TheoryData<string, long, int, bool, bool> RefusedAccesses()
    {
        var data = new TheoryData<string, long, int, bool, bool>();
        foreach (bool knownSize in new[] { false, true })
        {
            data.Add("past the end", 0x100, 4, false, knownSize);
            data.Add("straddling the end", 0xFE, 4, true, knownSize);
            data.Add("negative", -4, 4, false, knownSize);
            data.Add("huge", long.MaxValue - 3, 4, true, knownSize);
            data.Add("misaligned 2", 0x11, 2, true, knownSize);
            data.Add("misaligned 4", 0x12, 4, false, knownSize);
            data.Add("misaligned 8", 0x84, 8, true, knownSize);
            data.Add("byte in the 4-byte-only block", 0x10, 1, false, knownSize);
            data.Add("word in the 4-byte-only block", 0x10, 2, true, knownSize);
            data.Add("read-only write", 0x90, 4, true, knownSize);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RefusedAccesses))]
    public void A_lease_refuses_what_the_map_refuses_with_the_same_error_and_writes_nothing(string what, long offset, int width, bool write, bool knownSize)
    {
        // Edu's layout: only 4-byte accesses below 0x80, 4 or 8 above; read-only when the case is about writes.
        bool readOnly = what.StartsWith("read-only", StringComparison.Ordinal);
        var options = new IoMapOptions
        {
            Space = IoSpace.IoMemory,
            Widths = AccessWidths.Bits32 | AccessWidths.Bits64,
            WidthRules = [new IoWidthRule(0, 0x80, AccessWidths.Bits32)],
            ReadOnly = readOnly,
        };
        byte[] backing = new byte[0x100];
        using IoSysMap owner = IoSysMap.FromArray(backing, options);
        IoSysMap map = knownSize ? owner.AsKnownSize<KnownSizeTests.EduRegisters>() : owner;

        IoAccessException expected = Assert.Throws<IoAccessException>(() => Access(map, offset, width, write));
        IoAccessException actual = knownSize
            ? CaptureAccessException((IoSysMap<KnownSizeTests.EduRegisters>)map, offset, width, write)
            : CaptureAccessException(map, offset, width, write);

        Assert.Equal(expected.Error, actual.Error);
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(offset, actual.Offset);
        Assert.Equal(width, actual.Length);
        Assert.All(backing, b => Assert.Equal(0, b));
    }

    [Fact]
    public void A_known_size_lease_reads_and_writes_what_its_map_does_and_ends_like_a_lease()
    {
        using IoSysMap owner = IoSysMap.Allocate(0x200, IoMapOptions.IoMemory);
        IoSysMap<KnownSizeTests.EduRegisters> regs = owner.AsKnownSize<KnownSizeTests.EduRegisters>(0x100);
        IoSysMapLease<KnownSizeTests.EduRegisters> lease = regs.Lease();
        Assert.Same(regs, lease.Map);
        Assert.Equal(0x100, lease.Size);
        lease.Write32(0x04, 0xCAFE_F00D);
        lease.Write64(0x88, 0x0102_0304_0506_0708);
        lease.Write8(0x90, 0x5A); // accepted above 0x80 only: the slow path
        Assert.Equal(0xCAFE_F00Du, lease.Read32(0x04));
        Assert.Equal(0x0102_0304_0506_0708ul, lease.Read64(0x88));
        Assert.Equal(0x5A, lease.Read8(0x90));
        Assert.Equal(0xCAFE_F00Du, owner.Read32(0x104));
        lease.Dispose();
        lease.Dispose();
        bool threw = false;
        try
        {
            lease.Read32(0x04);
        }
        catch (ObjectDisposedException)
        {
            threw = true;
        }

        Assert.True(threw, "An ended known-size lease must throw ObjectDisposedException.");
    }

    [Fact]
    public void A_known_size_lease_smaller_than_the_width_refuses_it()
    {
        using IoSysMap owner = IoSysMap.Allocate(0x10);
        IoSysMap<KnownSizeTests.TwoBytes> two = owner.AsKnownSize<KnownSizeTests.TwoBytes>(8);
        IoAccessException expected = Assert.Throws<IoAccessException>(() => two.Read64(0));
        IoAccessException actual = CaptureAccessException(two, 0, 8, write: false);
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(IoAccessError.OutOfRange, actual.Error);
    }

    [Fact]
    public void A_known_size_lease_defers_retirement_as_a_lease_does()
    {
        var region = PoisonOnRetireRegion.Allocate(0x1000);
        IoSysMap owner = IoSysMap.Create(region, IoMapOptions.IoMemory);
        IoSysMap<KnownSizeTests.Page> page = owner.AsKnownSize<KnownSizeTests.Page>();
        page.Write32(0x10, 42);
        IoSysMapLease<KnownSizeTests.Page> lease = page.Lease();
        owner.Dispose();
        Assert.Throws<ObjectDisposedException>(() => page.Read32(0x10));
        Assert.False(region.IsRetired);
        Assert.Equal(42u, lease.Read32(0x10));
        lease.Dispose();
        Assert.True(region.IsRetired);
        Assert.Throws<ObjectDisposedException>(() => page.Lease().Dispose());
    }

    [Fact]
    public void A_lease_on_the_null_map_refuses_every_access_naming_the_null_map()
    {
        using IoSysMapLease lease = IoSysMap.Null.Lease();
        Assert.Equal(0, lease.Size);
        IoAccessException e = CaptureAccessException(IoSysMap.Null, 0, 4, write: false);
        Assert.Equal(IoAccessError.OutOfRange, e.Error);
        Assert.Contains("null", e.Message, StringComparison.Ordinal);
        Assert.Equal(IoAccessError.OutOfRange, CaptureAccessException(IoSysMap.Null, 0, 1, write: true).Error);
    }

    [Fact]
    public void A_lease_accepts_the_widths_a_region_accepts_in_part_of_the_map()
    {
        // 8-byte accesses are not accepted everywhere, so they leave the lease's fast path; they must still work above 0x80.
        var options = new IoMapOptions
        {
            Space = IoSpace.IoMemory,
            Widths = AccessWidths.Bits32 | AccessWidths.Bits64,
            WidthRules = [new IoWidthRule(0, 0x80, AccessWidths.Bits32)],
        };
        using IoSysMap map = IoSysMap.Allocate(0x100, options);
        using IoSysMapLease lease = map.Lease();
        lease.Write64(0x88, 0x0123_4567_89AB_CDEF);
        Assert.Equal(0x0123_4567_89AB_CDEFul, lease.Read64(0x88));
        Assert.Equal(0x89AB_CDEFu, lease.Read32(0x88));
    }

    [Fact]
    public void A_lease_on_unaligned_system_memory_allows_what_the_map_allows()
    {
        using IoSysMap map = IoSysMap.Allocate(0x40, IoMapOptions.SystemMemory with { AllowUnaligned = true });
        using IoSysMapLease lease = map.Lease();
        lease.Write32(0x03, 0xA1B2_C3D4);
        Assert.Equal(0xA1B2_C3D4u, lease.Read32(0x03));
        Assert.Equal(0xA1B2_C3D4u, map.Read32(0x03));
    }

    [Fact]
    public void A_lease_on_a_backend_map_makes_exactly_one_backend_access_per_typed_access()
    {
        var backend = new RecordingBackend(0x100);
        using IoSysMap map = IoSysMap.Create(backend, 0x100);
        using IoSysMap window = map.Slice(0x40);
        using IoSysMapLease lease = window.Lease();
        lease.Write16(0x02, 0xBEEF);
        _ = lease.Read64(0x08);
        _ = lease.Read8(0x03);
        Assert.Equal(
            [
                new IoAccess(0x42, 2, IoDirection.Write, 0xBEEF),
                new IoAccess(0x48, 8, IoDirection.Read, 0),
                new IoAccess(0x43, 1, IoDirection.Read, 0xBE),
            ],
            backend.Accesses);
    }

    [Fact]
    public void An_ended_lease_throws_ObjectDisposedException_and_ending_it_again_does_nothing()
    {
        using IoSysMap map = IoSysMap.Allocate(0x40);
        IoSysMapLease lease = map.Lease();
        lease.Write32(0, 1);
        lease.Dispose();
        lease.Dispose();
        ThrowsOn<ObjectDisposedException>(lease, static l => l.Read32(0));
        ThrowsOn<ObjectDisposedException>(lease, static l => l.Write32(0, 2));
        ThrowsOn<ObjectDisposedException>(lease, static l => l.Read<Words3>(0));
        ThrowsOn<ObjectDisposedException>(lease, static l => _ = l.Map);
        Assert.Equal(1u, map.Read32(0)); // The map itself is not affected.
    }

    [Fact]
    public void Leasing_a_disposed_map_or_a_disposed_window_throws_ObjectDisposedException()
    {
        IoSysMap owner = IoSysMap.Allocate(0x100);
        IoSysMap window = owner.Slice(0x40);
        window.Dispose();
        Assert.Throws<ObjectDisposedException>(() => LeaseAndEnd(window));
        LeaseAndEnd(owner); // The owner is still open.
        owner.Dispose();
        Assert.Throws<ObjectDisposedException>(() => LeaseAndEnd(owner));
        Assert.Throws<ObjectDisposedException>(() => LeaseAndEnd(IoSysMap.Allocate(8).DisposedSelf()));
    }

    [Fact]
    public void Disposing_the_owner_during_leases_refuses_the_map_at_once_and_retires_the_memory_when_the_last_lease_ends()
    {
        var region = PoisonOnRetireRegion.Allocate(0x100);
        IoSysMap owner = IoSysMap.Create(region, IoMapOptions.IoMemory);
        IoSysMap window = owner.Slice(0x80);
        owner.Write32(0x84, 0x1234_5678);

        IoSysMapLease first = owner.Lease();
        IoSysMapLease second = window.Lease();
        owner.Dispose();

        Assert.Throws<ObjectDisposedException>(() => owner.Read32(0x84));
        Assert.Throws<ObjectDisposedException>(() => window.Read32(0x04));
        Assert.Throws<ObjectDisposedException>(() => LeaseAndEnd(owner));
        Assert.False(region.IsRetired);
        Assert.Equal(0x1234_5678u, first.Read32(0x84));
        Assert.Equal(0x1234_5678u, second.Read32(0x04));
        second.Write8(0x10, 0x5A); // A slow-path width on I/O memory: still served, the lease holds the memory.
        Assert.Equal(0x5Au, second.Read8(0x10));

        first.Dispose();
        Assert.False(region.IsRetired);
        Assert.Equal(0x1234_5678u, second.Read32(0x04));
        second.Dispose();
        Assert.True(region.IsRetired);
    }

    [Fact]
    public void Without_leases_the_memory_is_retired_by_Dispose_itself()
    {
        var region = PoisonOnRetireRegion.Allocate(0x40);
        IoSysMap owner = IoSysMap.Create(region, IoMapOptions.IoMemory);
        LeaseAndEnd(owner);
        Assert.False(region.IsRetired);
        owner.Dispose();
        Assert.True(region.IsRetired);
    }

    [Fact]
    public void Leases_racing_with_Dispose_never_see_their_memory_retired()
    {
        // Retire overwrites the memory with a poison value, as a device replaced by anonymous memory reads as
        // zeros. A lease that passed Lease() must see the written value on every access until it ends.
        var unexpected = new ConcurrentQueue<string>();
        for (int round = 0; round < 20; round++)
        {
            var region = PoisonOnRetireRegion.Allocate(0x1000);
            IoSysMap owner = IoSysMap.Create(region, IoMapOptions.IoMemory);
            for (long o = 0; o < owner.Size; o += 4)
            {
                owner.Write32(o, (uint)o);
            }

            using var started = new CountdownEvent(2);
            Thread[] workers = [.. Enumerable.Range(0, 2).Select(w => new Thread(() => LeaseRepeatedly(owner, w, started, unexpected)))];
            foreach (Thread worker in workers)
            {
                worker.Start();
            }

            started.Wait();
            Thread.Sleep(round % 3);
            owner.Dispose();
            foreach (Thread worker in workers)
            {
                worker.Join();
            }

            Assert.True(region.IsRetired, "Every lease ended, so the memory must be retired.");
        }

        Assert.Empty(unexpected);
    }

    private static void LeaseRepeatedly(IoSysMap owner, int seed, CountdownEvent started, ConcurrentQueue<string> unexpected)
    {
        var random = new Random(seed);
        started.Signal();
        while (true)
        {
            IoSysMapLease lease;
            try
            {
                lease = owner.Lease();
            }
            catch (ObjectDisposedException)
            {
                return; // The one allowed failure: the owner is disposed, so no new lease.
            }

            using (lease)
            {
                for (int i = 0; i < 256; i++)
                {
                    long offset = random.Next(0, 0x400) * 4;
                    uint value = lease.Read32(offset);
                    if (value != (uint)offset)
                    {
                        unexpected.Enqueue($"lease read 0x{value:x} at 0x{offset:x}: the memory was retired under an open lease");
                        return;
                    }
                }
            }
        }
    }

    private static void Access(IoSysMap map, long offset, int width, bool write)
    {
        if (write)
        {
            map.Write(offset, width, 0xFF);
        }
        else
        {
            _ = map.Read(offset, width);
        }
    }

    private static IoAccessException CaptureAccessException(IoSysMap map, long offset, int width, bool write)
    {
        using IoSysMapLease lease = map.Lease();
        try
        {
            switch (width, write)
            {
                case (1, false): lease.Read8(offset); break;
                case (2, false): lease.Read16(offset); break;
                case (4, false): lease.Read32(offset); break;
                case (8, false): lease.Read64(offset); break;
                case (1, true): lease.Write8(offset, 0xFF); break;
                case (2, true): lease.Write16(offset, 0xFF); break;
                case (4, true): lease.Write32(offset, 0xFF); break;
                default: lease.Write64(offset, 0xFF); break;
            }
        }
        catch (IoAccessException e)
        {
            return e;
        }

        throw new Xunit.Sdk.XunitException($"The lease made the {width}-byte access at 0x{offset:x} that the map refused.");
    }

    private static IoAccessException CaptureAccessException<TSize>(IoSysMap<TSize> map, long offset, int width, bool write)
        where TSize : struct, IIoKnownSize
    {
        using IoSysMapLease<TSize> lease = map.Lease();
        try
        {
            switch (width, write)
            {
                case (1, false): lease.Read8(offset); break;
                case (2, false): lease.Read16(offset); break;
                case (4, false): lease.Read32(offset); break;
                case (8, false): lease.Read64(offset); break;
                case (1, true): lease.Write8(offset, 0xFF); break;
                case (2, true): lease.Write16(offset, 0xFF); break;
                case (4, true): lease.Write32(offset, 0xFF); break;
                default: lease.Write64(offset, 0xFF); break;
            }
        }
        catch (IoAccessException e)
        {
            return e;
        }

        throw new Xunit.Sdk.XunitException($"The known-size lease made the {width}-byte access at 0x{offset:x} that the map refused.");
    }

    // A lambda cannot capture a ref struct, so the lease is passed in.
    private delegate void LeaseAction(IoSysMapLease lease);

    private static void ThrowsOn<TException>(IoSysMapLease lease, LeaseAction action)
        where TException : Exception
    {
        try
        {
            action(lease);
        }
        catch (TException)
        {
            return;
        }

        throw new Xunit.Sdk.XunitException($"Expected {typeof(TException).Name}; nothing was thrown.");
    }

    private static void LeaseAndEnd(IoSysMap map)
    {
        using IoSysMapLease lease = map.Lease();
    }

    /// <summary>Native memory whose Retire overwrites every 32-bit word with <see cref="Poison"/>.</summary>
    private sealed unsafe class PoisonOnRetireRegion : IoMemoryRegion
    {
        private PoisonOnRetireRegion(void* memory, long length)
            : base((nint)memory, length)
        {
        }

        public static PoisonOnRetireRegion Allocate(long length) =>
            new(NativeMemory.AlignedAlloc((nuint)length, 4096), length);

        protected override void Retire() => new Span<uint>((void*)Address, (int)(Length / 4)).Fill(Poison);

        protected override void Release() => NativeMemory.AlignedFree((void*)Address);
    }
}

internal static class DisposedMapExtensions
{
    public static IoSysMap DisposedSelf(this IoSysMap map)
    {
        map.Dispose();
        return map;
    }
}
