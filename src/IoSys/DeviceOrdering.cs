using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using IoSys.Native;

namespace IoSys;

/// <summary>
/// The one place that emits a single device access and the kernel's barriers. Every checked and raw access path calls
/// these after its checks; nothing else touches memory for a typed access.
/// </summary>
/// <remarks>
/// Contract (kernel semantics, <c>arch/arm64/include/asm/io.h</c>, <c>barrier.h</c>; <c>arch/x86/include/asm/barrier.h</c>):
/// <list type="bullet">
/// <item><c>ReadRelaxed</c>/<c>WriteRelaxed</c>: <c>readl_relaxed</c>/<c>writel_relaxed</c>: one access of exactly
/// sizeof(T) bytes, no DMA ordering. A .NET <c>Volatile</c> access (x86-64 <c>mov</c>; arm64 <c>ldar</c>/<c>stlr</c>,
/// which the JIT can neither split, merge, elide nor reorder with other device accesses).</item>
/// <item><c>ReadOrdered</c>: <c>readl</c>: the load, then <c>dma_rmb()</c>. arm64: <c>ldr</c>; <c>dmb oshld</c>;
/// <c>eor</c>+<c>cbnz</c> on the value (the kernel's <c>__io_ar</c> dependency), from the native stub.</item>
/// <item><c>WriteOrdered</c>: <c>writel</c>: <c>dma_wmb()</c>, then the store. arm64: <c>dmb oshst</c>; <c>str</c>.</item>
/// <item>Barriers: <c>dma_wmb</c>/<c>dma_rmb</c> (arm64 <c>dmb oshst</c>/<c>dmb oshld</c>; x86-64 compiler ordering
/// only), <c>wmb</c>/<c>rmb</c>/<c>mb</c> (arm64 <c>dsb st</c>/<c>dsb ld</c>/<c>dsb sy</c>; x86-64
/// <c>sfence</c>/<c>lfence</c>/<c>mfence</c>, as Linux: they matter for write-combining memory and non-temporal
/// stores).</item>
/// </list>
/// On x86-64 an ordered access is the relaxed one: x86 is TSO and UC MMIO is strongly ordered, so <c>readl</c> and
/// <c>writel</c> are plain <c>mov</c>s there too; no native call is made (the JIT folds the architecture tests).
/// Any other architecture gets a full fence where arm64 has a barrier (stronger than needed, never weaker).
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
        if (ArmBase.Arm64.IsSupported)
        {
            // SAFETY: the caller's checks (or the raw layer's caller) guarantee sizeof(T) mapped bytes at an address
            // aligned to sizeof(T); the stub makes exactly one load of that width there.
            if (sizeof(T) == 1)
            {
                return Unsafe.BitCast<byte, T>(OrderingStub.Read8(address));
            }

            if (sizeof(T) == 2)
            {
                return Unsafe.BitCast<ushort, T>(OrderingStub.Read16(address));
            }

            if (sizeof(T) == 4)
            {
                return Unsafe.BitCast<uint, T>(OrderingStub.Read32(address));
            }

            return Unsafe.BitCast<ulong, T>(OrderingStub.Read64(address));
        }

        // x86-64: the volatile (acquire) load already keeps later loads after it, in the compiler and the CPU.
        T value = IoSysMap.VolatileRead<T>(address);
        if (!X86Base.IsSupported)
        {
            Interlocked.MemoryBarrier();
        }

        return value;
    }

    /// <summary><c>dma_wmb()</c>, then the store (<c>writeX</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteOrdered<T>(byte* address, T value)
        where T : unmanaged
    {
        if (ArmBase.Arm64.IsSupported)
        {
            // SAFETY: as in ReadOrdered, for writable memory; exactly one store of sizeof(T) bytes.
            if (sizeof(T) == 1)
            {
                OrderingStub.Write8(address, Unsafe.BitCast<T, byte>(value));
            }
            else if (sizeof(T) == 2)
            {
                OrderingStub.Write16(address, Unsafe.BitCast<T, ushort>(value));
            }
            else if (sizeof(T) == 4)
            {
                OrderingStub.Write32(address, Unsafe.BitCast<T, uint>(value));
            }
            else
            {
                OrderingStub.Write64(address, Unsafe.BitCast<T, ulong>(value));
            }

            return;
        }

        // x86-64: the volatile (release) store already keeps earlier stores before it.
        if (!X86Base.IsSupported)
        {
            Interlocked.MemoryBarrier();
        }

        IoSysMap.VolatileWrite(address, value);
    }

    /// <summary><c>dma_wmb()</c>: earlier writes to DMA memory are visible to devices before later ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DmaWriteBarrier()
    {
        if (ArmBase.Arm64.IsSupported)
        {
            OrderingStub.DmaWmb();
        }
        else if (X86Base.IsSupported)
        {
            Volatile.WriteBarrier(); // Compiler ordering only, as Linux's barrier().
        }
        else
        {
            Interlocked.MemoryBarrier();
        }
    }

    /// <summary><c>dma_rmb()</c>: later reads of DMA memory happen after earlier reads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DmaReadBarrier()
    {
        if (ArmBase.Arm64.IsSupported)
        {
            OrderingStub.DmaRmb();
        }
        else if (X86Base.IsSupported)
        {
            Volatile.ReadBarrier(); // Compiler ordering only, as Linux's barrier().
        }
        else
        {
            Interlocked.MemoryBarrier();
        }
    }

    /// <summary><c>wmb()</c>: all earlier stores complete before any later store (arm64 <c>dsb st</c>, x86-64 <c>sfence</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteBarrier()
    {
        if (ArmBase.Arm64.IsSupported)
        {
            OrderingStub.Wmb();
        }
        else if (Sse.IsSupported)
        {
            Sse.StoreFence();
        }
        else
        {
            Interlocked.MemoryBarrier();
        }
    }

    /// <summary><c>rmb()</c>: all earlier loads complete before any later load (arm64 <c>dsb ld</c>, x86-64 <c>lfence</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ReadBarrier()
    {
        if (ArmBase.Arm64.IsSupported)
        {
            OrderingStub.Rmb();
        }
        else if (Sse2.IsSupported)
        {
            Sse2.LoadFence();
        }
        else
        {
            Interlocked.MemoryBarrier();
        }
    }

    /// <summary><c>mb()</c>: all earlier accesses complete before any later one (arm64 <c>dsb sy</c>, x86-64 <c>mfence</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FullBarrier()
    {
        if (ArmBase.Arm64.IsSupported)
        {
            OrderingStub.Mb();
        }
        else if (Sse2.IsSupported)
        {
            Sse2.MemoryFence();
        }
        else
        {
            Interlocked.MemoryBarrier();
        }
    }
}
