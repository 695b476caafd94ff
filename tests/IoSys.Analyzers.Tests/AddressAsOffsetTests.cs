using IoSys.Analyzers.CodeFixes;

namespace IoSys.Analyzers.Tests;

/// <summary>IOSYS003: an absolute address where an offset is expected (the seed's bug), and its code fixes.</summary>
public sealed class AddressAsOffsetTests
{
    private static Task Verify(string body) =>
        new AnalyzerTest<MapAccessAnalyzer>("public static unsafe class C { " + body + " }").RunAsync();

    [Fact]
    public Task AddressesPassedAsOffsetsAreWarnings() => Verify("""
        static void M(IoSysMap map, IoMemoryRegion region, byte* pointer, nint native, IntPtr handle, uint value)
        {
            map.Read32({|IOSYS003:(long)map.Address.ToUIntPtr() + 4|});
            map.Write32({|IOSYS003:(long)region.Address + 8|}, 1);
            map.Read8({|IOSYS003:(long)pointer|});
            map.Read8({|IOSYS003:(long)(pointer + 3)|});
            map.Read32({|IOSYS003:native|});
            map.Read32({|IOSYS003:handle.ToInt64() + 4|});
            map.Read32({|IOSYS003:(long)System.Runtime.CompilerServices.Unsafe.AsPointer(ref value)|});
            map.Write8({|IOSYS003:(long)pointer - 1|}, 0);
            map.ReadBytes({|IOSYS003:(long)pointer|}, new byte[4]);
            map.Fill({|IOSYS003:(long)pointer|}, 4, 0);
            map.Slice({|IOSYS003:(long)pointer|});
            map.TryWrite16({|IOSYS003:16 + (long)pointer|}, 0);
            map.Poll<uint>({|IOSYS003:(long)pointer|}, static v => v != 0, TimeSpan.FromSeconds(1));
            UnsafeIoSysMap.Read32(map, {|IOSYS003:(long)pointer|});
            map.CopyTo(0, map, {|IOSYS003:(long)pointer|}, 4);
        }
        """);

    [Fact]
    public Task AddressesPassedToALeaseAreWarnings() => Verify("""
        static void M(IoSysMap map, byte* pointer)
        {
            using IoSysMapLease lease = map.Lease();
            lease.Write8({|IOSYS003:(long)pointer + 1|}, 0);
            lease.Read32({|IOSYS003:(long)lease.Map.Address.ToUIntPtr() + 4|});
            lease.Read32(4);
        }
        """);

    [Fact]
    public Task AddressesKeptInALocalAreFollowed() => Verify("""
        static void M(IoSysMap map, byte* pointer)
        {
            long address = (long)pointer + 0x10;
            map.Read32({|IOSYS003:address|});
        }
        """);

    [Fact]
    public Task OffsetsMadeFromAddressesAreSilent() => Verify("""
        static void M(IoSysMap map, IoAddress address, byte* pointer, byte* start, nint a, nint b, long offset)
        {
            map.Read32(address - map.Address);
            map.Read32((address + 8).Subtract(map.Address));
            map.Read32(pointer - start);
            map.Read32((long)(a - b));
            map.Read32((long)pointer & 0xFFC);
            map.Read32(offset);
            map.Read32(offset + 4);
            long local = (long)pointer;
            local -= (long)start; // reassigned: no longer known to be an address
            map.Read32(local);
            map.CheckAccess((long)pointer, 4, write: false);
        }
        """);

    [Fact]
    public Task KeepOffsetFixDropsTheBase() => new CodeFixTest<AddressAsOffsetCodeFix>(
        "public static class C { static uint M(IoSysMap map) => map.Read32({|IOSYS003:(long)map.Address.ToUIntPtr() + 4|}); }",
        "public static class C { static uint M(IoSysMap map) => map.Read32(4); }",
        AddressAsOffsetCodeFix.KeepOffsetKey).RunAsync();

    [Fact]
    public Task KeepOffsetFixWorksWithTheOffsetFirst() => new CodeFixTest<AddressAsOffsetCodeFix>(
        "public static class C { static void M(IoSysMap map, IoMemoryRegion region, long i) => map.Write8({|IOSYS003:i + (long)region.Address|}, 0); }",
        "public static class C { static void M(IoSysMap map, IoMemoryRegion region, long i) => map.Write8(i, 0); }",
        AddressAsOffsetCodeFix.KeepOffsetKey).RunAsync();

    [Fact]
    public Task SubtractBaseFixConvertsTheAddress() => new CodeFixTest<AddressAsOffsetCodeFix>(
        "public static unsafe class C { static byte M(IoSysMap map, byte* p) => map.Read8({|IOSYS003:(long)p|}); }",
        "public static unsafe class C { static byte M(IoSysMap map, byte* p) => map.Read8(new IoAddress((nuint)(long)p) - map.Address); }",
        AddressAsOffsetCodeFix.SubtractBaseKey).RunAsync();

    [Fact]
    public Task SubtractBaseFixUsesTheMapArgumentOfTheRawLayer() => new CodeFixTest<AddressAsOffsetCodeFix>(
        "public static unsafe class C { static uint M(IoSysMap[] maps, byte* p) => UnsafeIoSysMap.Read32(maps[1], {|IOSYS003:(long)p|}); }",
        "public static unsafe class C { static uint M(IoSysMap[] maps, byte* p) => UnsafeIoSysMap.Read32(maps[1], new IoAddress((nuint)(long)p) - maps[1].Address); }",
        AddressAsOffsetCodeFix.SubtractBaseKey).RunAsync();
}
