using System.Runtime.CompilerServices;

namespace IoSys;

/// <summary>
/// The one place that emits a single device access and the kernel's barriers. Every checked and raw access path calls
/// these after its checks; nothing else touches memory for a typed access.
/// </summary>
/// <remarks>
/// Contract (kernel semantics, <c>arch/arm64/include/asm/io.h</c>):
/// <list type="bullet">
/// <item><c>ReadRelaxed</c>/<c>WriteRelaxed</c>: <c>readl_relaxed</c>/<c>writel_relaxed</c>: one access of exactly
/// sizeof(T) bytes, no DMA ordering.</item>
/// <item><c>ReadOrdered</c>: <c>readl</c>: the load, then <c>dma_rmb()</c> (arm64 <c>dmb oshld</c>).</item>
/// <item><c>WriteOrdered</c>: <c>writel</c>: <c>dma_wmb()</c> (arm64 <c>dmb oshst</c>), then the store.</item>
/// <item>Barriers: <c>dma_wmb</c>/<c>dma_rmb</c> (<c>dmb oshst</c>/<c>dmb oshld</c>), <c>wmb</c>/<c>rmb</c>/<c>mb</c>
/// (<c>dsb st</c>/<c>dsb ld</c>/<c>dsb sy</c>). On x86-64 all are compiler ordering only, as in Linux.</item>
/// </list>
/// This first version is the placeholder every path can already call: the relaxed forms are the volatile accesses
/// IoSys has always made, and the ordered forms add a full fence on arm64 (stronger than needed, never weaker) until
/// the native stub lands.
/// </remarks>
internal static unsafe class DeviceOrdering
{
    /// <summary>One load of exactly sizeof(T) bytes, no DMA ordering (<c>readX_relaxed</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ReadRelaxed<T>(byte* address)
        where T : unmanaged => IoSysMap.VolatileRead<T>(address);

    /// <summary>One store of exactly sizeof(T) bytes, no DMA ordering (<c>writeX_relaxed</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteRelaxed<T>(byte* address, T value)
        where T : unmanaged => IoSysMap.VolatileWrite(address, value);

    /// <summary>The load, then <c>dma_rmb()</c> (<c>readX</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ReadOrdered<T>(byte* address)
        where T : unmanaged
    {
        T value = IoSysMap.VolatileRead<T>(address);
        DmaReadBarrier();
        return value;
    }

    /// <summary><c>dma_wmb()</c>, then the store (<c>writeX</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteOrdered<T>(byte* address, T value)
        where T : unmanaged
    {
        DmaWriteBarrier();
        IoSysMap.VolatileWrite(address, value);
    }

    /// <summary><c>dma_wmb()</c>: earlier writes to DMA memory are visible to devices before later ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DmaWriteBarrier() => CompilerOrFullFence();

    /// <summary><c>dma_rmb()</c>: later reads of DMA memory happen after earlier reads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DmaReadBarrier() => CompilerOrFullFence();

    /// <summary><c>wmb()</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteBarrier() => CompilerOrFullFence();

    /// <summary><c>rmb()</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ReadBarrier() => CompilerOrFullFence();

    /// <summary><c>mb()</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FullBarrier() => CompilerOrFullFence();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CompilerOrFullFence()
    {
        if (System.Runtime.Intrinsics.Arm.ArmBase.Arm64.IsSupported)
        {
            Interlocked.MemoryBarrier(); // Placeholder: dmb ish, replaced by the native stub's osh barriers.
        }
    }
}
