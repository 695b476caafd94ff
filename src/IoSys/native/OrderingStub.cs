using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IoSys.Native;

/// <summary>
/// The arm64 ordering stub (<c>native/iosys_ordering_arm64.S</c>): the kernel's ordered accessors, barriers and cache
/// maintenance, for which .NET has no intrinsic. Called only when <c>ArmBase.Arm64.IsSupported</c>; never on x86-64.
/// </summary>
/// <remarks>
/// NativeAOT links <c>libiosys_native.a</c> statically (<c>DirectPInvoke</c> + <c>NativeLibrary</c> from
/// <c>buildTransitive/IoSys.targets</c>), so each call is a direct <c>bl</c>; JIT users load
/// <c>runtimes/linux-arm64/native/libiosys_native.so</c>. <see cref="SuppressGCTransitionAttribute"/> is sound because
/// every function is a leaf of a few instructions that never blocks, allocates or calls back into the runtime.
/// </remarks>
internal static unsafe partial class OrderingStub
{
    /// <summary>The library name the DllImports and the <c>DirectPInvoke</c> item share.</summary>
    internal const string Library = "libiosys_native";

    [LibraryImport(Library, EntryPoint = "iosys_read8_ordered"), SuppressGCTransition]
    internal static partial byte Read8(byte* address);

    [LibraryImport(Library, EntryPoint = "iosys_read16_ordered"), SuppressGCTransition]
    internal static partial ushort Read16(byte* address);

    [LibraryImport(Library, EntryPoint = "iosys_read32_ordered"), SuppressGCTransition]
    internal static partial uint Read32(byte* address);

    [LibraryImport(Library, EntryPoint = "iosys_read64_ordered"), SuppressGCTransition]
    internal static partial ulong Read64(byte* address);

    [LibraryImport(Library, EntryPoint = "iosys_write8_ordered"), SuppressGCTransition]
    internal static partial void Write8(byte* address, byte value);

    [LibraryImport(Library, EntryPoint = "iosys_write16_ordered"), SuppressGCTransition]
    internal static partial void Write16(byte* address, ushort value);

    [LibraryImport(Library, EntryPoint = "iosys_write32_ordered"), SuppressGCTransition]
    internal static partial void Write32(byte* address, uint value);

    [LibraryImport(Library, EntryPoint = "iosys_write64_ordered"), SuppressGCTransition]
    internal static partial void Write64(byte* address, ulong value);

    [LibraryImport(Library, EntryPoint = "iosys_dma_wmb"), SuppressGCTransition]
    internal static partial void DmaWmb();

    [LibraryImport(Library, EntryPoint = "iosys_dma_rmb"), SuppressGCTransition]
    internal static partial void DmaRmb();

    [LibraryImport(Library, EntryPoint = "iosys_wmb"), SuppressGCTransition]
    internal static partial void Wmb();

    [LibraryImport(Library, EntryPoint = "iosys_rmb"), SuppressGCTransition]
    internal static partial void Rmb();

    [LibraryImport(Library, EntryPoint = "iosys_mb"), SuppressGCTransition]
    internal static partial void Mb();

    [LibraryImport(Library, EntryPoint = "iosys_dcache_line_size"), SuppressGCTransition]
    internal static partial uint DataCacheLineSize();

    // Not SuppressGCTransition: a large range takes long, and the GC must be able to run meanwhile.
    [LibraryImport(Library, EntryPoint = "iosys_dcache_clean")]
    internal static partial void DataCacheClean(byte* address, nuint length);

    [LibraryImport(Library, EntryPoint = "iosys_dcache_clean_invalidate")]
    internal static partial void DataCacheCleanInvalidate(byte* address, nuint length);
}
