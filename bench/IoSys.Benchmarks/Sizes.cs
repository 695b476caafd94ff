namespace IoSys.Benchmarks;

/// <summary>A 4 KiB known size, for <see cref="IoSysMap.AsKnownSize{TSize}(long)"/>.</summary>
public struct Size4K : IIoKnownSize
{
    public static long Size => 4096;
}
