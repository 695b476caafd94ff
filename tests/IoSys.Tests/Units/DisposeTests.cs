using IoSys.Tests.Support;

namespace IoSys.Tests.Units;

/// <summary>
/// After the owner is disposed, every kind of access on it and on every window throws ObjectDisposedException
/// (Try forms included); disposing a window affects only that window.
/// </summary>
public sealed class DisposeTests
{
    private static readonly Dictionary<string, Action<IoSysMap, IoSysMap>> Accesses = new()
    {
        ["Read8"] = (m, other) => m.Read8(0),
        ["Read16"] = (m, other) => m.Read16(0),
        ["Read32"] = (m, other) => m.Read32(0),
        ["Read64"] = (m, other) => m.Read64(0),
        ["Write8"] = (m, other) => m.Write8(0, 1),
        ["Write16"] = (m, other) => m.Write16(0, 1),
        ["Write32"] = (m, other) => m.Write32(0, 1),
        ["Write64"] = (m, other) => m.Write64(0, 1),
        ["Read<int>"] = (m, other) => m.Read<int>(0),
        ["Write<long>"] = (m, other) => m.Write(0, 1L),
        ["Read<Words3>"] = (m, other) => m.Read<Words3>(0),
        ["Write<Bytes5>"] = (m, other) => m.Write(0, default(Bytes5)),
        ["TryRead8"] = (m, other) => m.TryRead8(0, out _),
        ["TryRead16"] = (m, other) => m.TryRead16(0, out _),
        ["TryRead32"] = (m, other) => m.TryRead32(0, out _),
        ["TryRead64"] = (m, other) => m.TryRead64(0, out _),
        ["TryWrite8"] = (m, other) => m.TryWrite8(0, 1),
        ["TryWrite16"] = (m, other) => m.TryWrite16(0, 1),
        ["TryWrite32"] = (m, other) => m.TryWrite32(0, 1),
        ["TryWrite64"] = (m, other) => m.TryWrite64(0, 1),
        ["TryRead<Words3>"] = (m, other) => m.TryRead(0, out Words3 _),
        ["TryWrite<Words3>"] = (m, other) => m.TryWrite(0, default(Words3)),
        ["TryRead-out-of-range"] = (m, other) => m.TryRead32(-4, out _),
        ["ReadBigEndian16"] = (m, other) => m.ReadBigEndian16(0),
        ["ReadBigEndian32"] = (m, other) => m.ReadBigEndian32(0),
        ["ReadBigEndian64"] = (m, other) => m.ReadBigEndian64(0),
        ["WriteBigEndian16"] = (m, other) => m.WriteBigEndian16(0, 1),
        ["WriteBigEndian32"] = (m, other) => m.WriteBigEndian32(0, 1),
        ["WriteBigEndian64"] = (m, other) => m.WriteBigEndian64(0, 1),
        ["ReadBytes"] = (m, other) => m.ReadBytes(0, new byte[16]),
        ["ReadBytes(widths)"] = (m, other) => m.ReadBytes(0, new byte[16], AccessWidths.Bits8),
        ["WriteBytes"] = (m, other) => m.WriteBytes(0, new byte[16]),
        ["WriteBytes(widths)"] = (m, other) => m.WriteBytes(0, new byte[16], AccessWidths.Bits16),
        ["TryReadBytes"] = (m, other) => m.TryReadBytes(0, new byte[16]),
        ["TryWriteBytes"] = (m, other) => m.TryWriteBytes(0, new byte[16]),
        ["Fill"] = (m, other) => m.Fill(0, 16, 0xFF),
        ["Fill(widths)"] = (m, other) => m.Fill(0, 16, 0xFF, AccessWidths.Bits32),
        ["CopyTo(from disposed)"] = (m, live) => m.CopyTo(0, live, 0, 8),
        ["CopyTo(into disposed)"] = (m, live) => live.CopyTo(0, m, 0, 8),
        ["Slice"] = (m, other) => m.Slice(0, 8),
        ["Slice(to end)"] = (m, other) => m.Slice(8),
        ["AsKnownSize"] = (m, other) => m.AsKnownSize<KnownSizeTests.Page>(),
        ["ReadField"] = (m, other) => m.ReadField(0, static (ref RegisterBlock r) => ref r.Data),
        ["WriteField"] = (m, other) => m.WriteField(0, static (ref RegisterBlock r) => ref r.Data, 1u),
        ["Poll"] = (m, other) => m.Poll<uint>(0, _ => true, TimeSpan.FromSeconds(1)),
        ["PollAsync"] = (m, other) => m.PollAsync<uint>(0, _ => true, TimeSpan.FromSeconds(1)).GetAwaiter().GetResult(),
    };

    public static TheoryData<string, bool> EveryAccessInBothSpaces()
    {
        var data = new TheoryData<string, bool>();
        foreach (string name in Accesses.Keys)
        {
            data.Add(name, false);
            data.Add(name, true);
        }

        return data;
    }

    private static IoSysMap Owner(bool io) => IoSysMap.Allocate(0x2000, io ? IoMapOptions.IoMemory : IoMapOptions.SystemMemory);

    [Theory]
    [MemberData(nameof(EveryAccessInBothSpaces))]
    public void Every_access_on_a_disposed_owner_throws_ObjectDisposedException(string access, bool io)
    {
        using IoSysMap live = IoSysMap.Allocate(0x100);
        IoSysMap owner = Owner(io);
        Accesses[access](owner, live); // works before
        owner.Dispose();
        Assert.True(owner.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => Accesses[access](owner, live));
    }

    [Theory]
    [MemberData(nameof(EveryAccessInBothSpaces))]
    public void Every_access_on_a_window_of_a_disposed_owner_throws_ObjectDisposedException(string access, bool io)
    {
        using IoSysMap live = IoSysMap.Allocate(0x100);
        IoSysMap owner = Owner(io);
        IoSysMap window = owner.Slice(0x100, 0x1000);
        IoSysMap inner = window.Slice(0x10);
        IoSysMap<KnownSizeTests.Page> known = owner.AsKnownSize<KnownSizeTests.Page>(0x1000);
        owner.Dispose();
        Assert.True(window.IsDisposed && inner.IsDisposed && known.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => Accesses[access](window, live));
        Assert.Throws<ObjectDisposedException>(() => Accesses[access](inner, live));
        Assert.Throws<ObjectDisposedException>(() => Accesses[access](known, live));
    }

    [Theory]
    [MemberData(nameof(EveryAccessInBothSpaces))]
    public void Disposing_a_window_refuses_that_window_only_and_leaves_the_owner_usable(string access, bool io)
    {
        using IoSysMap owner = Owner(io);
        IoSysMap window = owner.Slice(0x100, 0x1000);
        using IoSysMap sibling = owner.Slice(0x1000, 0x1000);
        window.Dispose();
        Assert.True(window.IsDisposed);
        Assert.False(owner.IsDisposed);
        Assert.False(sibling.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => Accesses[access](window, sibling));
        Accesses[access](owner, sibling);
        Accesses[access](sibling, owner);
    }

    [Fact]
    public void Known_size_window_fast_path_is_closed_by_disposing_the_owner()
    {
        IoSysMap owner = IoSysMap.Allocate(0x1000);
        IoSysMap<KnownSizeTests.Page> known = owner.AsKnownSize<KnownSizeTests.Page>();
        known.Write32(0x10, 7);
        Assert.Equal(7u, known.Read32(0x10));
        owner.Dispose();
        Assert.Throws<ObjectDisposedException>(() => known.Read32(0x10));
        Assert.Throws<ObjectDisposedException>(() => known.Write64(0x18, 1));
        Assert.Throws<ObjectDisposedException>(() => known.Read8(0));
    }

    [Fact]
    public void Dispose_is_idempotent_and_backend_maps_refuse_without_calling_the_backend()
    {
        var backend = new RecordingBackend(0x100);
        IoSysMap map = IoSysMap.Create(backend, 0x100);
        IoSysMap window = map.Slice(0x10);
        map.Dispose();
        map.Dispose();
        window.Dispose();
        Assert.Throws<ObjectDisposedException>(() => map.Read32(0));
        Assert.Throws<ObjectDisposedException>(() => window.WriteBytes(0, new byte[8]));
        Assert.Empty(backend.Accesses);
    }

    [Fact]
    public void ToString_of_a_disposed_map_says_disposed()
    {
        IoSysMap map = IoSysMap.Allocate(0x40, IoMapOptions.IoMemory);
        map.Dispose();
        Assert.Contains("disposed", map.ToString(), StringComparison.Ordinal);
        ObjectDisposedException e = Assert.Throws<ObjectDisposedException>(() => map.Read8(0));
        Assert.Contains("I/O memory", e.ObjectName, StringComparison.Ordinal);
    }
}
