using System.Runtime.CompilerServices;

namespace IoSys;

public partial class IoSysMap
{
    // Memory operations on system memory go through spans, whose length is an int.
    private const int MaxSpanChunk = 1 << 30;

    /// <summary>
    /// Copies <c>destination.Length</c> bytes from the map at <paramref name="offset"/> into
    /// <paramref name="destination"/> (the kernel's <c>iosys_map_memcpy_from</c>). System memory: a vectorized copy.
    /// I/O memory and backends: aligned single accesses, each the widest the region accepts there.
    /// </summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="destination">Where to copy to.</param>
    /// <exception cref="IoAccessException">The range is outside the map, or some part of it cannot be read with
    /// an aligned access the region accepts. Checked before anything is read.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public void ReadBytes([IoOffset] long offset, Span<byte> destination) => ReadBytes(offset, destination, AccessWidths.All);

    /// <summary>
    /// Copies bytes out of the map, as <see cref="ReadBytes(long, Span{byte})"/>, using only accesses of
    /// <paramref name="widths"/> (e.g. <see cref="AccessWidths.Bits8"/> to read byte by byte, even from RAM).
    /// </summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="destination">Where to copy to.</param>
    /// <param name="widths">The widths the copy may use.</param>
    /// <exception cref="IoAccessException">The range is outside the map or cannot be covered. Nothing is read.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public void ReadBytes([IoOffset] long offset, Span<byte> destination, AccessWidths widths)
    {
        AddLease(); // Holds the memory: a racing Dispose cannot retire it mid-copy (issue 16 row 13).
        try
        {
            TransferOrThrow(offset, destination, write: false, widths);
        }
        finally
        {
            EndLease();
        }
    }

    /// <summary>
    /// Copies <paramref name="source"/> into the map at <paramref name="offset"/> (the kernel's
    /// <c>iosys_map_memcpy_to</c>). System memory: a vectorized copy. I/O memory and backends: aligned single
    /// accesses, each the widest the region accepts there.
    /// </summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="source">The bytes to copy.</param>
    /// <exception cref="IoAccessException">The range is outside the map, the map is read-only, or some part of it
    /// cannot be written with an aligned access the region accepts. Checked before anything is written.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public void WriteBytes([IoOffset] long offset, ReadOnlySpan<byte> source) => WriteBytes(offset, source, AccessWidths.All);

    /// <summary>
    /// Copies bytes into the map, as <see cref="WriteBytes(long, ReadOnlySpan{byte})"/>, using only accesses of
    /// <paramref name="widths"/> (e.g. <see cref="AccessWidths.Bits8"/> for a device that takes firmware byte by byte).
    /// </summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="source">The bytes to copy.</param>
    /// <param name="widths">The widths the copy may use.</param>
    /// <exception cref="IoAccessException">The range is outside the map, read-only, or cannot be covered. Nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public unsafe void WriteBytes([IoOffset] long offset, ReadOnlySpan<byte> source, AccessWidths widths)
    {
        // Holds the memory: a write racing Dispose either completes in full or throws ObjectDisposedException, never
        // returns with part of the data written to memory already retired (issue 16 row 13).
        AddLease();
        try
        {
            // SAFETY: the span is pinned for the call and the Span built over it has its length; the transfer only
            // reads from it when writing to the map, so the read-only source is never written.
            fixed (byte* p = source)
            {
                TransferOrThrow(offset, new Span<byte>(p, source.Length), write: true, widths);
            }
        }
        finally
        {
            EndLease();
        }
    }

    /// <summary>Reads bytes, or returns false (reading nothing) if the range is refused; see <see cref="ReadBytes(long, Span{byte})"/>.</summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="destination">Where to copy to.</param>
    /// <returns>True if read.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryReadBytes([IoOffset] long offset, Span<byte> destination)
    {
        AddLease();
        try
        {
            return TryTransfer(offset, destination, write: false, AccessWidths.All) == IoAccessError.None;
        }
        finally
        {
            EndLease();
        }
    }

    /// <summary>Writes bytes, or returns false (writing nothing) if the range is refused; see <see cref="WriteBytes(long, ReadOnlySpan{byte})"/>.</summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="source">The bytes to copy.</param>
    /// <returns>True if written.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public unsafe bool TryWriteBytes([IoOffset] long offset, ReadOnlySpan<byte> source)
    {
        AddLease();
        try
        {
            // SAFETY: as in WriteBytes: pinned, same length, only read from.
            fixed (byte* p = source)
            {
                return TryTransfer(offset, new Span<byte>(p, source.Length), write: true, AccessWidths.All) == IoAccessError.None;
            }
        }
        finally
        {
            EndLease();
        }
    }

    /// <summary>
    /// Sets <paramref name="length"/> bytes at <paramref name="offset"/> to <paramref name="value"/> (the kernel's
    /// <c>iosys_map_memset</c>): a vectorized fill on system memory, aligned accepted accesses on I/O memory.
    /// </summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="length">Number of bytes.</param>
    /// <param name="value">The byte to store.</param>
    /// <exception cref="IoAccessException">The range is outside the map, read-only, or cannot be covered. Nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public void Fill([IoOffset(LengthParameter = nameof(length))] long offset, long length, byte value) => Fill(offset, length, value, AccessWidths.All);

    /// <summary>As <see cref="Fill(long, long, byte)"/>, using only accesses of <paramref name="widths"/>.</summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="length">Number of bytes.</param>
    /// <param name="value">The byte to store.</param>
    /// <param name="widths">The widths the fill may use.</param>
    /// <exception cref="IoAccessException">The range is outside the map, read-only, or cannot be covered. Nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public void Fill([IoOffset(LengthParameter = nameof(length))] long offset, long length, byte value, AccessWidths widths)
    {
        AddLease();
        try
        {
            FillHeld(offset, length, value, widths);
        }
        finally
        {
            EndLease();
        }
    }

    private unsafe void FillHeld(long offset, long length, byte value, AccessWidths widths)
    {
        IoAccessError error = PlanTransferError(offset, length, write: true, widths, out long failedAt);
        if (error != IoAccessError.None)
        {
            throw BulkException(error, offset, length, failedAt, "fill", widths);
        }

        if (UsesMemoryCopy(widths))
        {
            for (long done = 0; done < length; done += MaxSpanChunk)
            {
                // SAFETY: InRange proved [offset, offset + length) lies within the map; the lease holds the memory.
                new Span<byte>((byte*)_state.Base + offset + done, (int)Math.Min(MaxSpanChunk, length - done)).Fill(value);
            }

            GC.KeepAlive(this);
            return;
        }

        ulong pattern = value * 0x0101010101010101UL;
        // Relaxed accesses with one barrier for the whole fill, as memset_io users do (docs/platforms.md): earlier
        // writes to DMA memory are visible to the device before any of these.
        DeviceOrdering.DmaWriteBarrier();
        for (long p = offset, end = offset + length; p < end;)
        {
            int width = NextChunk(p, end - p, widths);
            switch (width)
            {
                case 8: WriteUnchecked(p, pattern, false, relaxed: true); break;
                case 4: WriteUnchecked(p, (uint)pattern, false, relaxed: true); break;
                case 2: WriteUnchecked(p, (ushort)pattern, false, relaxed: true); break;
                default: WriteUnchecked(p, value, false, relaxed: true); break;
            }

            p += width;
        }
    }

    /// <summary>
    /// Copies <paramref name="length"/> bytes from this map at <paramref name="sourceOffset"/> to
    /// <paramref name="destination"/> at <paramref name="destinationOffset"/>. Overlapping ranges of the same
    /// memory are copied as if through a temporary buffer. Between system-memory maps: a vectorized move.
    /// Otherwise: accesses that are aligned and accepted on both sides (or, if the two sides' alignments differ or
    /// no width suits both, through a buffer, each side with its own widest accesses).
    /// </summary>
    /// <param name="sourceOffset">Offset in this map, in bytes.</param>
    /// <param name="destination">The map to copy to (may be this map).</param>
    /// <param name="destinationOffset">Offset in <paramref name="destination"/>, in bytes.</param>
    /// <param name="length">Number of bytes.</param>
    /// <exception cref="IoAccessException">Either range is outside its map, the destination is read-only, or a
    /// range cannot be covered by accepted accesses. Checked before anything is written.</exception>
    /// <exception cref="ObjectDisposedException">Either map is disposed.</exception>
    public void CopyTo(
        [IoOffset(LengthParameter = nameof(length))] long sourceOffset,
        IoSysMap destination,
        [IoOffset(LengthParameter = nameof(length))] long destinationOffset,
        long length)
    {
        ArgumentNullException.ThrowIfNull(destination);
        AddLease();
        try
        {
            destination.AddLease();
            try
            {
                CopyToHeld(sourceOffset, destination, destinationOffset, length);
            }
            finally
            {
                destination.EndLease();
            }
        }
        finally
        {
            EndLease();
        }
    }

    private unsafe void CopyToHeld(long sourceOffset, IoSysMap destination, long destinationOffset, long length)
    {
        Require(RangeError(sourceOffset, length), this, sourceOffset, length, sourceOffset, "copy read");
        Require(destination.RangeError(destinationOffset, length), destination, destinationOffset, length, destinationOffset, "copy write");
        bool memoryCopy = UsesMemoryCopy(AccessWidths.All) && destination.UsesMemoryCopy(AccessWidths.All);
        // Direct: each chunk one accepted access on both sides, possible when both ranges have the same alignment, do
        // not overlap, and a width suits both sides everywhere (a plan that succeeds also covers each side alone).
        bool direct = !memoryCopy
            && ((AlignmentBase + sourceOffset - (destination.AlignmentBase + destinationOffset)) & 7) == 0
            && !Overlaps(sourceOffset, destination, destinationOffset, length)
            && PlanPairedChunks(sourceOffset, destination, destinationOffset, length, out _) == IoAccessError.None;
        if (!memoryCopy && !direct)
        {
            // Through a buffer: each side must be coverable by its own accepted accesses, checked in full before
            // anything is written.
            Require(PlanChunks(sourceOffset, length, AccessWidths.All, out long srcFail), this, sourceOffset, length, srcFail, "copy read");
            Require(destination.PlanChunks(destinationOffset, length, AccessWidths.All, out long dstFail), destination, destinationOffset, length, dstFail, "copy write");
        }

        Require(destination.ReadOnlyError(write: true), destination, destinationOffset, length, destinationOffset, "copy write");
        if (memoryCopy)
        {
            // SAFETY: both ranges were checked; Buffer.MemoryCopy copies overlapping ranges as memmove does.
            Buffer.MemoryCopy((byte*)_state.Base + sourceOffset, (byte*)destination._state.Base + destinationOffset, length, length);
            GC.KeepAlive(this);
            GC.KeepAlive(destination);
            return;
        }

        if (direct)
        {
            // One barrier on each side of the relaxed copy (docs/platforms.md), as memcpy_fromio/memcpy_toio users do.
            DeviceOrdering.DmaWriteBarrier();
            for (long done = 0; done < length;)
            {
                int width = PairedChunk(sourceOffset + done, destination, destinationOffset + done, length - done);
                long s = sourceOffset + done, d = destinationOffset + done;
                switch (width)
                {
                    case 8: destination.WriteUnchecked(d, ReadUnchecked<ulong>(s, false, relaxed: true), false, relaxed: true); break;
                    case 4: destination.WriteUnchecked(d, ReadUnchecked<uint>(s, false, relaxed: true), false, relaxed: true); break;
                    case 2: destination.WriteUnchecked(d, ReadUnchecked<ushort>(s, false, relaxed: true), false, relaxed: true); break;
                    default: destination.WriteUnchecked(d, ReadUnchecked<byte>(s, false, relaxed: true), false, relaxed: true); break;
                }

                done += width;
            }

            DeviceOrdering.DmaReadBarrier();
            return;
        }

        // Through a bounded buffer: both sides were planned above.
        CopyThroughBuffer(sourceOffset, destination, destinationOffset, length);
    }

    // --- Planning and chunking ---------------------------------------------------------------------------------

    private bool UsesMemoryCopy(AccessWidths widths) =>
        _shared is { Backend: null, Space: IoSpace.SystemMemory } && (widths & AccessWidths.All) == AccessWidths.All;

    private IoAccessError ReadOnlyError(bool write) => write && _state.IsReadOnly ? IoAccessError.ReadOnly : IoAccessError.None;

    private IoAccessError RangeError(long offset, long length) =>
        _state.InRange(offset, length) ? IoAccessError.None : IoAccessError.OutOfRange;

    private void TransferOrThrow(long offset, Span<byte> buffer, bool write, AccessWidths widths)
    {
        IoAccessError error = TryTransfer(offset, buffer, write, widths, out long failedAt);
        if (error != IoAccessError.None)
        {
            throw BulkException(error, offset, buffer.Length, failedAt, write ? "write" : "read", widths);
        }
    }

    private IoAccessError TryTransfer(long offset, Span<byte> buffer, bool write, AccessWidths widths) =>
        TryTransfer(offset, buffer, write, widths, out _);

    /// <summary>
    /// The one check of a bulk transfer, in the order errors are reported: range, coverage by accepted aligned
    /// accesses (not needed for a vectorized copy), then read-only, as for single accesses.
    /// </summary>
    private IoAccessError PlanTransferError(long offset, long length, bool write, AccessWidths widths, out long failedAt)
    {
        failedAt = offset;
        IoAccessError error = RangeError(offset, length);
        if (error == IoAccessError.None && !UsesMemoryCopy(widths))
        {
            error = PlanChunks(offset, length, widths, out failedAt);
        }

        return error == IoAccessError.None ? ReadOnlyError(write) : error;
    }

    private IoAccessError TryTransfer(long offset, Span<byte> buffer, bool write, AccessWidths widths, out long failedAt)
    {
        IoAccessError error = PlanTransferError(offset, buffer.Length, write, widths, out failedAt);
        if (error == IoAccessError.None)
        {
            Transfer(offset, buffer, write, widths);
        }

        return error;
    }

    /// <summary>Moves bytes between the map and a buffer; the range was checked and planned.</summary>
    private unsafe void Transfer(long offset, Span<byte> buffer, bool write, AccessWidths widths)
    {
        if (UsesMemoryCopy(widths))
        {
            // SAFETY: the caller checked [offset, offset + buffer.Length) against the map (PlanTransferError), and holds
            // the memory (a lease) or accepts AccessState's invariant: valid while this map is reachable.
            var memory = new Span<byte>((byte*)_state.Base + offset, buffer.Length);
            if (write)
            {
                buffer.CopyTo(memory);
            }
            else
            {
                memory.CopyTo(buffer);
            }

            GC.KeepAlive(this);
            return;
        }

        // Relaxed accesses with one barrier per transfer (docs/platforms.md): before a copy to the device, earlier
        // writes to DMA memory become visible first (memcpy_toio after dma_wmb); after a copy from it, later reads of
        // DMA memory see what the device wrote before (memcpy_fromio before dma_rmb).
        if (write)
        {
            DeviceOrdering.DmaWriteBarrier();
        }

        for (int i = 0; i < buffer.Length;)
        {
            long p = offset + i;
            int width = NextChunk(p, buffer.Length - i, widths);
            ref byte slot = ref buffer[i];
            // SAFETY: slot is buffer[i] with i < buffer.Length (bounds-checked above). NextChunk returns a width no
            // larger than its remaining argument, buffer.Length - i, so the unaligned 2/4/8-byte reads and writes
            // through slot stay within buffer. It returns 0 only where no accepted width fits, which PlanChunks has
            // ruled out for the whole range before Transfer runs (so the loop always advances).
            switch (width, write)
            {
                case (8, false): Unsafe.WriteUnaligned(ref slot, ReadUnchecked<ulong>(p, false, relaxed: true)); break;
                case (4, false): Unsafe.WriteUnaligned(ref slot, ReadUnchecked<uint>(p, false, relaxed: true)); break;
                case (2, false): Unsafe.WriteUnaligned(ref slot, ReadUnchecked<ushort>(p, false, relaxed: true)); break;
                case (_, false): slot = ReadUnchecked<byte>(p, false, relaxed: true); break;
                case (8, true): WriteUnchecked(p, Unsafe.ReadUnaligned<ulong>(ref slot), false, relaxed: true); break;
                case (4, true): WriteUnchecked(p, Unsafe.ReadUnaligned<uint>(ref slot), false, relaxed: true); break;
                case (2, true): WriteUnchecked(p, Unsafe.ReadUnaligned<ushort>(ref slot), false, relaxed: true); break;
                case (_, true): WriteUnchecked(p, slot, false, relaxed: true); break;
            }

            i += width;
        }

        if (!write)
        {
            DeviceOrdering.DmaReadBarrier();
        }
    }

    /// <summary>
    /// The width of the bulk access at <paramref name="offset"/>: the widest of <paramref name="widths"/> that is
    /// aligned there, fits in <paramref name="remaining"/> bytes and is accepted by the region; 0 if none.
    /// </summary>
    internal int NextChunkWidth(long offset, long remaining, AccessWidths widths) => NextChunk(offset, remaining, widths);

    private int NextChunk(long offset, long remaining, AccessWidths widths)
    {
        long address = AlignmentBase + offset;
        for (int width = 8; width >= 1; width >>= 1)
        {
            if (widths.Allows(width) && width <= remaining && (address & (width - 1)) == 0 && _state.Rules.Allows(offset, width))
            {
                return width;
            }
        }

        return 0;
    }

    /// <summary>Walks the chunks of a bulk access without making them; reports the first offset nothing covers.</summary>
    private IoAccessError PlanChunks(long offset, long length, AccessWidths widths, out long failedAt)
    {
        failedAt = offset;
        if (_state.Rules.IsUniform && (_state.Rules.Throughout(0, 1) & widths).Allows(1))
        {
            return IoAccessError.None; // Bytes are accepted everywhere: every position can be covered.
        }

        for (long p = offset, end = offset + length; p < end;)
        {
            int width = NextChunk(p, end - p, widths);
            if (width == 0)
            {
                failedAt = p;
                return IoAccessError.WidthRefused;
            }

            p += width;
        }

        return IoAccessError.None;
    }

    private int PairedChunk(long sourceOffset, IoSysMap destination, long destinationOffset, long remaining)
    {
        for (int width = 8; width >= 1; width >>= 1)
        {
            if (width <= remaining
                && ((AlignmentBase + sourceOffset) & (width - 1)) == 0
                && _state.Rules.Allows(sourceOffset, width)
                && destination._state.Rules.Allows(destinationOffset, width))
            {
                return width;
            }
        }

        return 0;
    }

    private IoAccessError PlanPairedChunks(long sourceOffset, IoSysMap destination, long destinationOffset, long length, out long failedAt)
    {
        for (long done = 0; done < length;)
        {
            int width = PairedChunk(sourceOffset + done, destination, destinationOffset + done, length - done);
            if (width == 0)
            {
                failedAt = sourceOffset + done;
                return IoAccessError.WidthRefused;
            }

            done += width;
        }

        failedAt = sourceOffset;
        return IoAccessError.None;
    }

    private bool Overlaps(long sourceOffset, IoSysMap destination, long destinationOffset, long length) =>
        Positions(sourceOffset, destination, destinationOffset) is (long s, long d) && s < d + length && d < s + length;

    /// <summary>
    /// Where both ranges start in one address space, if they can reach the same memory: two maps may share memory
    /// without sharing an owner (two maps over one array or one device range, or over one backend).
    /// </summary>
    private (long Source, long Destination)? Positions(long sourceOffset, IoSysMap destination, long destinationOffset)
    {
        if (_state.Base != 0 && destination._state.Base != 0)
        {
            return ((long)_state.Base + sourceOffset, (long)destination._state.Base + destinationOffset);
        }

        if (Backend is { } backend && ReferenceEquals(backend, destination.Backend))
        {
            return (_regionOffset + sourceOffset, destination._regionOffset + destinationOffset);
        }

        return null;
    }

    // The bounce buffer of CopyTo: bounded, so a copy of any length allocates at most this (issue 16 row 10).
    private const int BounceBytes = 64 * 1024;

    /// <summary>
    /// Copies through a bounded buffer, each side in its own widest accepted accesses. Each piece ends where its side's
    /// address is 8-byte aligned (or at the end of the range): no access of the whole range's plan crosses such a point,
    /// so the pieces' accesses are exactly the accesses of the whole range, which <see cref="PlanChunks"/> accepted.
    /// Copies backwards when the destination starts after the source in the same memory, so overlapping ranges are
    /// copied as if through a temporary buffer of the whole length.
    /// </summary>
    private void CopyThroughBuffer(long sourceOffset, IoSysMap destination, long destinationOffset, long length)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Min(length, BounceBytes));
        try
        {
            bool backwards = Positions(sourceOffset, destination, destinationOffset) is (long s, long d) && d > s;
            long srcAlign = AlignmentBase + sourceOffset, dstAlign = destination.AlignmentBase + destinationOffset;
            int cap = buffer.Length;
            int pending = 0; // Bytes read and not yet written, at the front (forwards) or back (backwards) of the buffer.
            long read = 0, written = 0; // Bytes of the range done from the start (forwards) or from the end (backwards).
            while (written < length)
            {
                if (read < length)
                {
                    long n = Math.Min(length - read, cap - pending);
                    n = PieceEnd(read, n, length, srcAlign, backwards);
                    long at = backwards ? length - read - n : read;
                    Span<byte> into = backwards ? buffer.AsSpan(cap - pending - (int)n, (int)n) : buffer.AsSpan(pending, (int)n);
                    Transfer(sourceOffset + at, into, write: false, AccessWidths.All);
                    pending += (int)n;
                    read += n;
                }

                long w = PieceEnd(written, pending, length, dstAlign, backwards);
                if (w > 0)
                {
                    long at = backwards ? length - written - w : written;
                    Span<byte> from = backwards ? buffer.AsSpan(cap - (int)w, (int)w) : buffer.AsSpan(0, (int)w);
                    destination.Transfer(destinationOffset + at, from, write: true, AccessWidths.All);
                    int rest = pending - (int)w;
                    if (backwards)
                    {
                        buffer.AsSpan(cap - pending, rest).CopyTo(buffer.AsSpan(cap - pending + (int)w, rest));
                    }
                    else
                    {
                        buffer.AsSpan((int)w, rest).CopyTo(buffer);
                    }

                    pending = rest;
                    written += w;
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// How much of <paramref name="available"/> bytes, after <paramref name="done"/> bytes of a range of
    /// <paramref name="length"/>, to take as one piece: all if that reaches the end of the range, else up to the last
    /// point where the side's address (<paramref name="alignmentBase"/> + position) is a multiple of 8. Fewer than 8
    /// bytes may give 0 (wait for more); a full buffer (at least 16 bytes) always gives more than 0.
    /// </summary>
    private static long PieceEnd(long done, long available, long length, long alignmentBase, bool backwards)
    {
        if (done + available >= length)
        {
            return available;
        }

        if (backwards)
        {
            // The piece is [length - done - available, length - done): move its start up to an aligned address.
            long start = length - done - available;
            long aligned = (alignmentBase + start + 7) & ~7L;
            return Math.Max(0, length - done - (aligned - alignmentBase));
        }

        long end = ((alignmentBase + done + available) & ~7L) - alignmentBase;
        return Math.Max(0, end - done);
    }

    private static void Require(IoAccessError error, IoSysMap map, long offset, long length, long failedAt, string operation)
    {
        if (error != IoAccessError.None)
        {
            throw map.BulkException(error, offset, length, failedAt, operation, AccessWidths.All);
        }
    }

    private IoAccessException BulkException(IoAccessError error, long offset, long length, long failedAt, string operation, AccessWidths widths) =>
        AccessErrors.Create(this, error, offset, length, operation, single: false, failedAt, widths);
}
