using System.Reflection;
using IoSys.Tests.Support;

namespace IoSys.Tests.Units;

/// <summary>
/// The one access core's new surface: relaxed accessors on every receiver, the array view, the public range check and
/// transfer plan, and the generated accessors' attributes.
/// </summary>
public sealed class AccessCoreTests
{
    private struct Size256 : IIoKnownSize
    {
        public static long Size => 0x100;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Relaxed_and_ordered_accessors_reach_the_same_bytes_on_maps_known_size_maps_and_leases(bool ioMemory)
    {
        using IoSysMap map = IoSysMap.Allocate(0x100, ioMemory ? IoMapOptions.IoMemory : IoMapOptions.SystemMemory);
        map.Write8Relaxed(0x01, 0x11);
        map.Write16Relaxed(0x02, 0x2222);
        map.Write32Relaxed(0x04, 0x44444444);
        map.Write64Relaxed(0x08, 0x8888888888888888);
        Assert.Equal((byte)0x11, map.Read8(0x01));
        Assert.Equal((ushort)0x2222, map.Read16(0x02));
        Assert.Equal(0x44444444u, map.Read32(0x04));
        Assert.Equal(0x8888888888888888UL, map.Read64(0x08));
        Assert.Equal(0x44444444u, map.Read32Relaxed(0x04));
        Assert.Equal(0x44444444u, map.ReadRelaxed<uint>(0x04));

        IoSysMap<Size256> known = map.AsKnownSize<Size256>();
        known.Write32Relaxed(0x10, 7);
        Assert.Equal(7u, known.Read32(0x10));
        Assert.Equal(7u, known.Read32Relaxed(0x10));
        using (IoSysMapLease lease = map.Lease())
        {
            lease.Write64Relaxed(0x18, 9);
            Assert.Equal(9UL, lease.Read64Relaxed(0x18));
            Assert.Equal(9UL, lease.Read64(0x18));
        }

        using (IoSysMapLease<Size256> lease = known.Lease())
        {
            lease.Write16Relaxed(0x20, 5);
            Assert.Equal((ushort)5, lease.Read16Relaxed(0x20));
            Assert.Equal((ushort)5, lease.Read16(0x20));
        }
    }

    [Fact]
    public void Relaxed_accessors_refuse_what_ordered_ones_refuse_with_the_same_error()
    {
        using IoSysMap map = IoSysMap.Allocate(0x100, IoMapOptions.IoMemory with { WidthRules = [new IoWidthRule(0, 0x80, AccessWidths.Bits32)] });
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => map.Read8Relaxed(0x10)).Error);
        Assert.Equal(IoAccessError.Misaligned, Assert.Throws<IoAccessException>(() => map.Write32Relaxed(0x82, 1)).Error);
        Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => map.Read64Relaxed(0x100)).Error);
        using IoSysMap readOnly = IoSysMap.Allocate(0x100, IoMapOptions.IoMemory.AsReadOnly());
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => readOnly.Write32Relaxed(0, 1)).Error);
        map.Dispose();
        Assert.Throws<ObjectDisposedException>(() => map.Read32Relaxed(0));
    }

    [Fact]
    public void Relaxed_accessors_on_a_backend_make_exactly_one_access_of_their_width()
    {
        var backend = new RecordingBackend(0x40);
        IoSysMap map = IoSysMap.Create(backend, 0x40);
        map.Write32Relaxed(0x8, 0xA5A5A5A5);
        _ = map.Read16Relaxed(0x2);
        Assert.Equal(2, backend.Accesses.Count);
        Assert.Equal(4, backend.Accesses[0].Width);
        Assert.Equal(2, backend.Accesses[1].Width);
    }

    // --- AsArray ------------------------------------------------------------------------------------------------

    [Fact]
    public void AsArray_reads_and_writes_elements_at_offset_plus_index_times_size()
    {
        using IoSysMap map = IoSysMap.Allocate(0x100, IoMapOptions.IoMemory);
        IoArrayView<uint> view = map.AsArray<uint>(0x40, 8);
        Assert.Equal(8, view.Count);
        Assert.Equal(0x40, view.Offset);
        for (int i = 0; i < view.Count; i++)
        {
            view[i] = (uint)(0x100 + i);
        }

        view.WriteRelaxed(7, 0xFEED);
        for (int i = 0; i < 7; i++)
        {
            Assert.Equal((uint)(0x100 + i), map.Read32(0x40 + (i * 4)));
            Assert.Equal((uint)(0x100 + i), view.ReadRelaxed(i));
        }

        Assert.Equal(0xFEEDu, view[7]);
        Assert.Equal(0u, map.Read32(0x3C));
        Assert.Equal(0u, map.Read32(0x60));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void AsArray_refuses_an_index_outside_the_view_naming_the_element(int index)
    {
        using IoSysMap map = IoSysMap.Allocate(0x1000);
        IoAccessException e = Assert.Throws<IoAccessException>(() => map.AsArray<uint>(0x40, 8)[index]);
        Assert.Equal(IoAccessError.OutOfRange, e.Error);
        Assert.Contains($"Element {index}", e.Message, StringComparison.Ordinal);
        Assert.Throws<IoAccessException>(() => map.AsArray<uint>(0x40, 8)[index] = 1);
        Assert.Equal(0u, map.Read32(0x60)); // Element 8 would be here: nothing written.
    }

    [Fact]
    public void AsArray_checks_range_alignment_width_and_count_once_when_made()
    {
        using IoSysMap map = IoSysMap.Allocate(0x100, IoMapOptions.IoMemory with { WidthRules = [new IoWidthRule(0x80, 0x80, AccessWidths.Bits32)] });
        Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => map.AsArray<uint>(0xF0, 5)).Error);
        Assert.Equal(IoAccessError.OutOfRange, Assert.Throws<IoAccessException>(() => map.AsArray<ulong>(long.MaxValue - 8, 2)).Error);
        Assert.Equal(IoAccessError.Misaligned, Assert.Throws<IoAccessException>(() => map.AsArray<uint>(0x2, 4)).Error);
        Assert.Equal(IoAccessError.WidthRefused, Assert.Throws<IoAccessException>(() => map.AsArray<ulong>(0x78, 2)).Error);
        Assert.Throws<ArgumentOutOfRangeException>(() => map.AsArray<uint>(0, -1));
        Assert.Throws<ArgumentException>(() => map.AsArray<Guid>(0, 1));
        Assert.Equal(0, map.AsArray<uint>(0x100, 0).Count); // An empty view at the end is fine.
        IoArrayView<uint> registers = map.AsArray<uint>(0x80, 0x20);
        registers[0x1F] = 3;
        Assert.Equal(3u, map.Read32(0xFC));
    }

    [Fact]
    public void AsArray_on_a_read_only_map_reads_and_refuses_writes()
    {
        using IoSysMap map = IoSysMap.Allocate(0x100, IoMapOptions.SystemMemory.AsReadOnly());
        IoArrayView<ushort> view = map.AsArray<ushort>(0, 4);
        Assert.Equal((ushort)0, view[3]);
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => map.AsArray<ushort>(0, 4)[1] = 1).Error);
    }

    [Fact]
    public void AsArray_over_a_backend_makes_one_access_per_element()
    {
        var backend = new RecordingBackend(0x40);
        IoSysMap map = IoSysMap.Create(backend, 0x40);
        IoArrayView<ushort> view = map.AsArray<ushort>(0x10, 4);
        view[2] = 0xBEEF;
        Assert.Equal((ushort)0xBEEF, view[2]);
        Assert.Equal(2, backend.Accesses.Count);
        Assert.All(backend.Accesses, a => Assert.Equal(2, a.Width));
        Assert.All(backend.Accesses, a => Assert.Equal(0x14, a.Offset));
    }

    [Fact]
    public void AsArray_from_a_lease_keeps_working_after_the_owner_is_disposed_and_a_map_view_is_refused()
    {
        IoSysMap map = IoSysMap.Allocate(0x100);
        map.Write32(0x10, 42);
        using (IoSysMapLease lease = map.Lease())
        {
            IoArrayView<uint> view = lease.AsArray<uint>(0x10, 4);
            map.Dispose();
            Assert.Equal(42u, view[0]); // The lease holds the memory.
        }

        Assert.Throws<ObjectDisposedException>(() => map.AsArray<uint>(0, 1));
    }

    // --- CheckRange / TryCheckRange / PlanTransfer ---------------------------------------------------------------

    [Fact]
    public void CheckRange_throws_exactly_what_the_transfer_would()
    {
        using IoSysMap map = IoSysMap.Allocate(0x100, IoMapOptions.IoMemory with { WidthRules = [new IoWidthRule(0x80, 0x80, AccessWidths.Bits32)] });
        IoAccessException check = Assert.Throws<IoAccessException>(() => map.CheckRange(0x7E, 8, AccessWidths.All, write: true));
        IoAccessException real = Assert.Throws<IoAccessException>(() => map.WriteBytes(0x7E, new byte[8]));
        Assert.Equal(real.Message, check.Message);
        Assert.Equal(real.Error, check.Error);
        Assert.Equal(real.Offset, check.Offset);

        Assert.False(map.TryCheckRange(0x7E, 8, AccessWidths.All, write: false, out IoAccessError error, out long failedAt));
        Assert.Equal(IoAccessError.WidthRefused, error);
        Assert.Equal(0x84, failedAt); // 2 bytes at 0x7E, 4 at 0x80, then 2 bytes left where only 4-byte accesses are accepted.
        Assert.False(map.TryCheckRange(0xF0, 0x20, AccessWidths.All, write: false, out error, out _));
        Assert.Equal(IoAccessError.OutOfRange, error);
        Assert.False(map.TryCheckRange(0, -1, AccessWidths.All, write: false, out error, out _));
        Assert.Equal(IoAccessError.OutOfRange, error);
        Assert.True(map.TryCheckRange(0, 0x100, AccessWidths.Bits32, write: true, out error, out _));
        Assert.Equal(IoAccessError.None, error);

        using IoSysMap readOnly = IoSysMap.Allocate(0x100, IoMapOptions.SystemMemory.AsReadOnly());
        Assert.Equal(IoAccessError.ReadOnly, Assert.Throws<IoAccessException>(() => readOnly.CheckRange(0, 4, AccessWidths.All, write: true)).Error);
        readOnly.CheckRange(0, 4, AccessWidths.All, write: false);
        readOnly.Dispose();
        Assert.Throws<ObjectDisposedException>(() => readOnly.CheckRange(0, 4, AccessWidths.All, write: false));
    }

    [Fact]
    public void PlanTransfer_lists_the_accesses_a_bulk_transfer_makes()
    {
        var backend = new RecordingBackend(0x40);
        IoSysMap map = IoSysMap.Create(backend, 0x40);
        IoTransferPlan plan = map.PlanTransfer(1, 13);
        Assert.False(plan.IsMemoryCopy);
        var chunks = new List<IoTransferChunk>();
        foreach (IoTransferChunk chunk in plan)
        {
            chunks.Add(chunk);
        }

        Assert.Equal([new(1, 1), new(2, 2), new(4, 4), new(8, 4), new(12, 2)], chunks);
        map.ReadBytes(1, new byte[13]);
        Assert.Equal(chunks.Select(c => (c.Offset, c.Width)), backend.Accesses.Select(a => (a.Offset, a.Width)));

        using IoSysMap ram = IoSysMap.Allocate(0x40);
        IoTransferPlan copy = ram.PlanTransfer(1, 13);
        Assert.True(copy.IsMemoryCopy);
        Assert.Empty(ToList(copy));
        Assert.Equal(13, ToList(ram.PlanTransfer(1, 13, AccessWidths.Bits8)).Count);
        Assert.Throws<IoAccessException>(() => ram.PlanTransfer(0x30, 0x20));
    }

    internal static List<IoTransferChunk> ToList(IoTransferPlan plan)
    {
        var list = new List<IoTransferChunk>();
        foreach (IoTransferChunk c in plan)
        {
            list.Add(c);
        }

        return list;
    }

    // --- Generated accessors ------------------------------------------------------------------------------------

    [Theory]
    [InlineData(typeof(IoSysMap))]
    [InlineData(typeof(IoSysMap<Size256>))]
    [InlineData(typeof(IoSysMapLease))]
    [InlineData(typeof(IoSysMapLease<Size256>))]
    public void Every_fixed_width_accessor_exists_in_both_families_with_its_width_on_the_offset(Type type)
    {
        foreach (string kind in new[] { "Read", "Write" })
        {
            foreach ((int bits, int bytes) in new[] { (8, 1), (16, 2), (32, 4), (64, 8) })
            {
                foreach (string suffix in new[] { "", "Relaxed" })
                {
                    string name = $"{kind}{bits}{suffix}";
                    MethodInfo method = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                        .Single(m => m.Name == name);
                    ParameterInfo offset = method.GetParameters()[0];
                    Assert.Equal(typeof(long), offset.ParameterType);
                    Assert.Equal(bytes, offset.GetCustomAttribute<IoOffsetAttribute>()?.Width);
                }
            }
        }
    }
}
