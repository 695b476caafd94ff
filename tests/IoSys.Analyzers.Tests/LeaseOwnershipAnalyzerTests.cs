namespace IoSys.Analyzers.Tests;

/// <summary>IOSYS010: a lease that the code never ends.</summary>
public sealed class LeaseOwnershipAnalyzerTests
{
    private const string Page = "public struct Page : IIoKnownSize { public static long Size => 0x1000; }\n";

    private static Task Verify(string body) =>
        new AnalyzerTest<LeaseOwnershipAnalyzer>(Page + "public static class C { " + body + " static void Use(IoSysMapLease lease) { } }").RunAsync();

    [Fact]
    public Task LeasesThatAreEndedAreSilent() => Verify("""
        static uint M(IoSysMap map, IoSysMap<Page> page)
        {
            using IoSysMapLease a = map.Lease();
            using (IoSysMapLease b = map.Lease()) { _ = b.Read32(0); }
            using (map.Lease()) { }
            map.Lease().Dispose();
            using IoSysMapLease<Page> known = page.Lease();
            IoSysMapLease c = map.Lease();
            try { return c.Read32(0) + a.Read32(4) + known.Read32(8); }
            finally { c.Dispose(); }
        }

        static IoSysMapLease Handed(IoSysMap map) => map.Lease(); /* the caller owns it */
        """);

    [Fact]
    public Task LeasesThatAreNeverEndedAreWarnings() => Verify("""
        static uint M(IoSysMap map, IoSysMap<Page> page)
        {
            {|IOSYS010:map.Lease()|};
            IoSysMapLease kept = {|IOSYS010:map.Lease()|};
            IoSysMapLease<Page> known = {|IOSYS010:page.Lease()|};
            Use({|IOSYS010:map.Lease()|});
            IoSysMapLease later;
            later = {|IOSYS010:map.Lease()|};
            return kept.Read32(0) + known.Read32(0) + later.Read32(0);
        }
        """);

    [Fact]
    public Task ALeaseFromAHelperIsJudgedByItsTypeNotItsName() => Verify("""
        static IoSysMapLease Borrow(IoSysMap map) => map.Lease();

        static uint M(IoSysMap map)
        {
            using IoSysMapLease ended = Borrow(map);
            IoSysMapLease kept = {|IOSYS010:Borrow(map)|};
            return kept.Read32(0) + ended.Read32(0);
        }
        """);
}
