// SHIM for the barriers branch (issue 18): the relaxed accessors the core branch adds for real. Delete this file when
// the core branch lands (its IoSysMap/known-size map/lease members take precedence over these by name).
#pragma warning disable CA1050 // The lease extensions live in the global namespace so generated code finds them anywhere.
#pragma warning disable CS1591
using System.Numerics;
using System.Runtime.CompilerServices;
using IoSys;

namespace IoSys
{
    public unsafe partial class IoSysMap
    {
        /// <summary>Relaxed read (<c>readX_relaxed</c>): one access, no DMA ordering. Shim until the core branch lands.</summary>
        /// <typeparam name="T">An unmanaged type.</typeparam>
        /// <param name="offset">Offset in bytes from the start of the map.</param>
        /// <returns>The value read.</returns>
        /// <exception cref="IoAccessException">Out of range, misaligned, or a refused width.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T ReadRelaxed<T>([IoOffset] long offset)
            where T : unmanaged
        {
            ulong slots = ReadSlots<T>();
            if (IsSingleAccess<T>() && BitOperations.RotateRight((ulong)offset, Log2Width<T>()) < slots)
            {
                // SAFETY: as in Read<T>.
                T value = DeviceOrdering.ReadRelaxed<T>((byte*)_base + offset);
                GC.KeepAlive(this);
                return value;
            }

            return ReadChecked<T>(offset);
        }

        /// <summary>Relaxed write (<c>writeX_relaxed</c>): one access, no DMA ordering. Shim until the core branch lands.</summary>
        /// <typeparam name="T">An unmanaged type.</typeparam>
        /// <param name="offset">Offset in bytes from the start of the map.</param>
        /// <param name="value">The value.</param>
        /// <exception cref="IoAccessException">Out of range, misaligned, refused width, or read-only map.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void WriteRelaxed<T>([IoOffset] long offset, T value)
            where T : unmanaged
        {
            ulong slots = WriteSlots<T>();
            if (IsSingleAccess<T>() && BitOperations.RotateRight((ulong)offset, Log2Width<T>()) < slots)
            {
                // SAFETY: as in Write<T>.
                DeviceOrdering.WriteRelaxed((byte*)_base + offset, value);
                GC.KeepAlive(this);
                return;
            }

            WriteChecked(offset, value);
        }

        /// <summary>Relaxed 8-bit read. Shim.</summary>
        /// <param name="offset">Offset in bytes.</param>
        /// <returns>The value.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public byte Read8Relaxed([IoOffset(1)] long offset) => ReadRelaxed<byte>(offset);

        /// <summary>Relaxed 8-bit write. Shim.</summary>
        /// <param name="offset">Offset in bytes.</param>
        /// <param name="value">The value.</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Write8Relaxed([IoOffset(1)] long offset, byte value) => WriteRelaxed(offset, value);

        /// <summary>Relaxed 16-bit read. Shim.</summary>
        /// <param name="offset">Offset in bytes.</param>
        /// <returns>The value.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ushort Read16Relaxed([IoOffset(2)] long offset) => ReadRelaxed<ushort>(offset);

        /// <summary>Relaxed 16-bit write. Shim.</summary>
        /// <param name="offset">Offset in bytes.</param>
        /// <param name="value">The value.</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Write16Relaxed([IoOffset(2)] long offset, ushort value) => WriteRelaxed(offset, value);

        /// <summary>Relaxed 32-bit read. Shim.</summary>
        /// <param name="offset">Offset in bytes.</param>
        /// <returns>The value.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint Read32Relaxed([IoOffset(4)] long offset) => ReadRelaxed<uint>(offset);

        /// <summary>Relaxed 32-bit write. Shim.</summary>
        /// <param name="offset">Offset in bytes.</param>
        /// <param name="value">The value.</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Write32Relaxed([IoOffset(4)] long offset, uint value) => WriteRelaxed(offset, value);

        /// <summary>Relaxed 64-bit read. Shim.</summary>
        /// <param name="offset">Offset in bytes.</param>
        /// <returns>The value.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Read64Relaxed([IoOffset(8)] long offset) => ReadRelaxed<ulong>(offset);

        /// <summary>Relaxed 64-bit write. Shim.</summary>
        /// <param name="offset">Offset in bytes.</param>
        /// <param name="value">The value.</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Write64Relaxed([IoOffset(8)] long offset, ulong value) => WriteRelaxed(offset, value);
    }
}

/// <summary>Shim: relaxed accessors on leases, ordered (stronger) until the core branch adds the real ones.</summary>
public static class IoSysLeaseRelaxedShim
{
    /// <summary>Shim.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Read8Relaxed(this IoSysMapLease lease, [IoOffset(1)] long offset) => lease.Read8(offset);

    /// <summary>Shim.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write8Relaxed(this IoSysMapLease lease, [IoOffset(1)] long offset, byte value) => lease.Write8(offset, value);

    /// <summary>Shim.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Read8Relaxed<TSize>(this IoSysMapLease<TSize> lease, [IoOffset(1)] long offset) where TSize : struct, IIoKnownSize => lease.Read8(offset);

    /// <summary>Shim.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write8Relaxed<TSize>(this IoSysMapLease<TSize> lease, [IoOffset(1)] long offset, byte value) where TSize : struct, IIoKnownSize => lease.Write8(offset, value);

    /// <summary>Shim.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Read16Relaxed(this IoSysMapLease lease, [IoOffset(2)] long offset) => lease.Read16(offset);

    /// <summary>Shim.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write16Relaxed(this IoSysMapLease lease, [IoOffset(2)] long offset, ushort value) => lease.Write16(offset, value);

    /// <summary>Shim.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Read16Relaxed<TSize>(this IoSysMapLease<TSize> lease, [IoOffset(2)] long offset) where TSize : struct, IIoKnownSize => lease.Read16(offset);

    /// <summary>Shim.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write16Relaxed<TSize>(this IoSysMapLease<TSize> lease, [IoOffset(2)] long offset, ushort value) where TSize : struct, IIoKnownSize => lease.Write16(offset, value);

    /// <summary>Shim.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Read32Relaxed(this IoSysMapLease lease, [IoOffset(4)] long offset) => lease.Read32(offset);

    /// <summary>Shim.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write32Relaxed(this IoSysMapLease lease, [IoOffset(4)] long offset, uint value) => lease.Write32(offset, value);

    /// <summary>Shim.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Read32Relaxed<TSize>(this IoSysMapLease<TSize> lease, [IoOffset(4)] long offset) where TSize : struct, IIoKnownSize => lease.Read32(offset);

    /// <summary>Shim.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write32Relaxed<TSize>(this IoSysMapLease<TSize> lease, [IoOffset(4)] long offset, uint value) where TSize : struct, IIoKnownSize => lease.Write32(offset, value);

    /// <summary>Shim.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Read64Relaxed(this IoSysMapLease lease, [IoOffset(8)] long offset) => lease.Read64(offset);

    /// <summary>Shim.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write64Relaxed(this IoSysMapLease lease, [IoOffset(8)] long offset, ulong value) => lease.Write64(offset, value);

    /// <summary>Shim.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Read64Relaxed<TSize>(this IoSysMapLease<TSize> lease, [IoOffset(8)] long offset) where TSize : struct, IIoKnownSize => lease.Read64(offset);

    /// <summary>Shim.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write64Relaxed<TSize>(this IoSysMapLease<TSize> lease, [IoOffset(8)] long offset, ulong value) where TSize : struct, IIoKnownSize => lease.Write64(offset, value);

}
