using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using IoSys.Native;

namespace IoSys;

/// <summary>
/// The Linux kernel's memory barriers for device drivers, and data cache maintenance for DMA buffers on platforms
/// whose DMA is not cache-coherent. The ordered register accesses (<c>Read32</c>/<c>Write32</c> and the other widths)
/// already contain the barrier <c>readl</c>/<c>writel</c> contain; use these around the relaxed accesses
/// (<c>Read32Relaxed</c>/<c>Write32Relaxed</c>), around plain writes to DMA memory, or where a driver needs a
/// stronger barrier.
/// </summary>
/// <remarks>
/// <para>Instructions, as Linux emits them (<c>arch/arm64/include/asm/barrier.h</c>, <c>arch/x86/include/asm/barrier.h</c>):</para>
/// <list type="table">
/// <listheader><term>IoSys</term><description>kernel: arm64 / x86-64</description></listheader>
/// <item><term><see cref="DmaWriteBarrier"/></term><description><c>dma_wmb()</c>: <c>dmb oshst</c> / compiler ordering only</description></item>
/// <item><term><see cref="DmaReadBarrier"/></term><description><c>dma_rmb()</c>: <c>dmb oshld</c> / compiler ordering only</description></item>
/// <item><term><see cref="WriteBarrier"/></term><description><c>wmb()</c>: <c>dsb st</c> / <c>sfence</c></description></item>
/// <item><term><see cref="ReadBarrier"/></term><description><c>rmb()</c>: <c>dsb ld</c> / <c>lfence</c></description></item>
/// <item><term><see cref="FullBarrier"/></term><description><c>mb()</c>: <c>dsb sy</c> / <c>mfence</c></description></item>
/// </list>
/// <para>On arm64 the instructions come from a small native library linked into NativeAOT binaries
/// (<c>libiosys_native.a</c>) or loaded by the JIT (<c>runtimes/linux-arm64/native/libiosys_native.so</c>), called
/// without a GC transition. On another architecture every barrier is a full fence (stronger, never weaker).</para>
/// </remarks>
public static unsafe class IoBarriers
{
    /// <summary>
    /// <c>dma_wmb()</c>: writes to DMA memory before this call are visible to a device before writes after it, e.g.
    /// a descriptor's body before its "owned by device" flag. arm64 <c>dmb oshst</c>; x86-64 compiler ordering only
    /// (stores are not reordered with older stores). An ordered register write (<c>Write32</c>) already begins with it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DmaWriteBarrier() => DeviceOrdering.DmaWriteBarrier();

    /// <summary>
    /// <c>dma_rmb()</c>: reads of DMA memory after this call happen after reads before it, e.g. a descriptor's body
    /// after its "done" flag. arm64 <c>dmb oshld</c>; x86-64 compiler ordering only. An ordered register read
    /// (<c>Read32</c>) already ends with it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DmaReadBarrier() => DeviceOrdering.DmaReadBarrier();

    /// <summary><c>wmb()</c>: all stores before this call complete before any store after it. arm64 <c>dsb st</c>; x86-64 <c>sfence</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteBarrier() => DeviceOrdering.WriteBarrier();

    /// <summary><c>rmb()</c>: all loads before this call complete before any load after it. arm64 <c>dsb ld</c>; x86-64 <c>lfence</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ReadBarrier() => DeviceOrdering.ReadBarrier();

    /// <summary><c>mb()</c>: all memory accesses before this call complete before any after it. arm64 <c>dsb sy</c>; x86-64 <c>mfence</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FullBarrier() => DeviceOrdering.FullBarrier();

    /// <summary>
    /// The data cache line size in bytes that the cache maintenance operations step by: arm64 the smallest data cache
    /// line, <c>4 &lt;&lt; CTR_EL0.DminLine</c>; x86-64 the <c>clflush</c> line size from <c>CPUID</c> leaf 1; 64 elsewhere.
    /// </summary>
    public static int DataCacheLineSize
    {
        get
        {
            if (ArmBase.Arm64.IsSupported)
            {
                return (int)OrderingStub.DataCacheLineSize();
            }

            if (X86Base.IsSupported)
            {
                int lineSize = ((X86Base.CpuId(1, 0).Ebx >> 8) & 0xff) * 8;
                return lineSize != 0 ? lineSize : 64;
            }

            return 64;
        }
    }

    /// <summary>
    /// Cleans the data cache over <paramref name="buffer"/> to the point of coherency (arm64 <c>dc cvac</c> on every
    /// line it touches, then <c>dsb sy</c>), so that a device that does not snoop the CPU caches reads by DMA what the
    /// CPU wrote. Call it after filling a to-device buffer and before the doorbell write. Needed only for no-IOMMU DMA
    /// buffers on platforms whose DMA is not cache-coherent: VFIO accepts only cache-coherent devices, and x86-64 DMA is
    /// coherent, so there (and on x86-64 always) it is not needed; on x86-64 it does nothing (no <c>clflush</c>).
    /// </summary>
    /// <param name="buffer">The memory to clean; may be empty (then only the barrier is issued on arm64).</param>
    public static void CleanDataCache(ReadOnlySpan<byte> buffer)
    {
        if (ArmBase.Arm64.IsSupported)
        {
            // SAFETY: the span's memory is mapped and readable for its length (the span's own guarantee); dc cvac needs
            // only read permission and changes no data. fixed pins managed memory for the call.
            fixed (byte* p = buffer)
            {
                OrderingStub.DataCacheClean(p, (nuint)buffer.Length);
            }
        }
    }

    /// <summary>
    /// Cleans and invalidates the data cache over <paramref name="buffer"/> (arm64 <c>dc civac</c> on every line it
    /// touches, then <c>dsb sy</c>), so that the CPU reads what a non-snooping device wrote by DMA rather than stale
    /// cached lines. Call it before reading a from-device buffer (after the ordered read of the status that says the
    /// DMA is done), and before handing the buffer to the device. Needed only where <see cref="CleanDataCache(ReadOnlySpan{byte})"/>
    /// is; a no-op on x86-64. Lines shared with memory outside the buffer are written back, never discarded.
    /// </summary>
    /// <param name="buffer">The memory; may be empty.</param>
    public static void CleanInvalidateDataCache(Span<byte> buffer)
    {
        if (ArmBase.Arm64.IsSupported)
        {
            // SAFETY: as in CleanDataCache; dc civac writes dirty lines back before invalidating them, so no data is lost.
            fixed (byte* p = buffer)
            {
                OrderingStub.DataCacheCleanInvalidate(p, (nuint)buffer.Length);
            }
        }
    }

    /// <summary>
    /// <see cref="CleanDataCache(ReadOnlySpan{byte})"/> over <paramref name="length"/> bytes at <paramref name="offset"/>
    /// of a memory-mapped <paramref name="map"/> (typically a DMA buffer in system memory).
    /// </summary>
    /// <param name="map">The map; must be memory-mapped (not a backend map).</param>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="length">Length in bytes.</param>
    /// <exception cref="ArgumentNullException"><paramref name="map"/> is null.</exception>
    /// <exception cref="IoAccessException">The range [offset, offset + length) is not inside the map (OutOfRange).</exception>
    /// <exception cref="NotSupportedException">The map is served by a backend, not by mapped memory.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public static void CleanDataCache(IoSysMap map, [IoOffset(0, LengthParameter = nameof(length))] long offset, long length) =>
        Maintain(map, offset, length, invalidate: false);

    /// <summary>
    /// <see cref="CleanInvalidateDataCache(Span{byte})"/> over <paramref name="length"/> bytes at <paramref name="offset"/>
    /// of a memory-mapped <paramref name="map"/>.
    /// </summary>
    /// <param name="map">The map; must be memory-mapped (not a backend map).</param>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="length">Length in bytes.</param>
    /// <exception cref="ArgumentNullException"><paramref name="map"/> is null.</exception>
    /// <exception cref="IoAccessException">The range [offset, offset + length) is not inside the map (OutOfRange).</exception>
    /// <exception cref="NotSupportedException">The map is served by a backend, not by mapped memory.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public static void CleanInvalidateDataCache(IoSysMap map, [IoOffset(0, LengthParameter = nameof(length))] long offset, long length) =>
        Maintain(map, offset, length, invalidate: true);

    private static void Maintain(IoSysMap map, long offset, long length, bool invalidate)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (offset < 0 || length < 0 || offset > map.Size || length > map.Size - offset)
        {
            throw new IoAccessException(IoAccessError.OutOfRange, offset, length, map.Size, FormattableString.Invariant(
                $"The {length}-byte cache maintenance range at offset 0x{offset:x} is outside the 0x{map.Size:x}-byte map."), map.TargetName);
        }

        // The lease keeps the memory mapped for the duration (a concurrent Dispose defers the unmapping), and throws
        // ObjectDisposedException for a disposed map.
        using IoSysMapLease lease = map.Lease();
        if (map._state.Base == 0 && length != 0)
        {
            throw new NotSupportedException($"Cache maintenance needs mapped memory; this map ({map}) is served by a backend.");
        }

        if (!ArmBase.Arm64.IsSupported)
        {
            return;
        }

        // SAFETY: [offset, offset + length) is inside the map (checked above) and the lease keeps it mapped until the
        // call returns; dc cvac/civac read or write back cache lines and never change the memory's contents.
        byte* p = (byte*)map._state.Base + offset;
        if (invalidate)
        {
            OrderingStub.DataCacheCleanInvalidate(p, (nuint)length);
        }
        else
        {
            OrderingStub.DataCacheClean(p, (nuint)length);
        }

        GC.KeepAlive(map);
    }
}
