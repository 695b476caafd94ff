using System.Runtime.CompilerServices;

namespace IoSys;

public unsafe partial class IoSysMap
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
        ThrowIfDisposed();
        TransferOrThrow(offset, destination, write: false, widths);
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
    public void WriteBytes([IoOffset] long offset, ReadOnlySpan<byte> source, AccessWidths widths)
    {
        ThrowIfDisposed();
        // SAFETY: the span is pinned for the call and the Span built over it has its length; the transfer only reads
        // from it when writing to the map, so the read-only source is never written.
        fixed (byte* p = source)
        {
            TransferOrThrow(offset, new Span<byte>(p, source.Length), write: true, widths);
        }
    }

    /// <summary>Reads bytes, or returns false (reading nothing) if the range is refused; see <see cref="ReadBytes(long, Span{byte})"/>.</summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="destination">Where to copy to.</param>
    /// <returns>True if read.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryReadBytes([IoOffset] long offset, Span<byte> destination)
    {
        ThrowIfDisposed();
        return TryTransfer(offset, destination, write: false, AccessWidths.All) == IoAccessError.None;
    }

    /// <summary>Writes bytes, or returns false (writing nothing) if the range is refused; see <see cref="WriteBytes(long, ReadOnlySpan{byte})"/>.</summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="source">The bytes to copy.</param>
    /// <returns>True if written.</returns>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public bool TryWriteBytes([IoOffset] long offset, ReadOnlySpan<byte> source)
    {
        ThrowIfDisposed();
        // SAFETY: as in WriteBytes: pinned, same length, only read from.
        fixed (byte* p = source)
        {
            return TryTransfer(offset, new Span<byte>(p, source.Length), write: true, AccessWidths.All) == IoAccessError.None;
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
    public void Fill([IoOffset(LengthParameter = "length")] long offset, long length, byte value) => Fill(offset, length, value, AccessWidths.All);

    /// <summary>As <see cref="Fill(long, long, byte)"/>, using only accesses of <paramref name="widths"/>.</summary>
    /// <param name="offset">Offset in bytes from the start of the map.</param>
    /// <param name="length">Number of bytes.</param>
    /// <param name="value">The byte to store.</param>
    /// <param name="widths">The widths the fill may use.</param>
    /// <exception cref="IoAccessException">The range is outside the map, read-only, or cannot be covered. Nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public void Fill([IoOffset(LengthParameter = "length")] long offset, long length, byte value, AccessWidths widths)
    {
        ThrowIfDisposed();
        IoAccessError error = CheckRange(offset, length);
        long failedAt = offset;
        if (error == IoAccessError.None && !UsesMemoryCopy(widths))
        {
            error = PlanChunks(offset, length, widths, out failedAt);
        }

        if (error == IoAccessError.None)
        {
            error = ReadOnlyError(write: true); // Last, as for single accesses: range, coverage, then read-only.
        }

        if (error != IoAccessError.None)
        {
            throw BulkException(error, offset, length, failedAt, "fill", widths);
        }

        if (UsesMemoryCopy(widths))
        {
            for (long done = 0; done < length; done += MaxSpanChunk)
            {
                // SAFETY: CheckRange proved [offset, offset + length) lies within the map.
                new Span<byte>((byte*)_base + offset + done, (int)Math.Min(MaxSpanChunk, length - done)).Fill(value);
            }

            GC.KeepAlive(this);
            return;
        }

        ulong pattern = value * 0x0101010101010101UL;
        for (long p = offset, end = offset + length; p < end;)
        {
            int width = NextChunk(p, end - p, widths);
            switch (width)
            {
                case 8: WriteUnchecked(p, pattern, false); break;
                case 4: WriteUnchecked(p, (uint)pattern, false); break;
                case 2: WriteUnchecked(p, (ushort)pattern, false); break;
                default: WriteUnchecked(p, value, false); break;
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
    public void CopyTo([IoOffset(LengthParameter = "length")] long sourceOffset, IoSysMap destination, [IoOffset(LengthParameter = "length")] long destinationOffset, long length)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ThrowIfDisposed();
        destination.ThrowIfDisposed();
        Require(CheckRange(sourceOffset, length), this, sourceOffset, length, sourceOffset, "copy read");
        Require(destination.CheckRange(destinationOffset, length), destination, destinationOffset, length, destinationOffset, "copy write");
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
            Buffer.MemoryCopy((byte*)_base + sourceOffset, (byte*)destination._base + destinationOffset, length, length);
            GC.KeepAlive(this);
            GC.KeepAlive(destination);
            return;
        }

        if (direct)
        {
            for (long done = 0; done < length;)
            {
                int width = PairedChunk(sourceOffset + done, destination, destinationOffset + done, length - done);
                long s = sourceOffset + done, d = destinationOffset + done;
                switch (width)
                {
                    case 8: destination.WriteUnchecked(d, ReadUnchecked<ulong>(s, false), false); break;
                    case 4: destination.WriteUnchecked(d, ReadUnchecked<uint>(s, false), false); break;
                    case 2: destination.WriteUnchecked(d, ReadUnchecked<ushort>(s, false), false); break;
                    default: destination.WriteUnchecked(d, ReadUnchecked<byte>(s, false), false); break;
                }

                done += width;
            }

            return;
        }

        // Through a buffer: both sides were planned above.
        byte[] buffer = new byte[length];
        Transfer(sourceOffset, buffer, write: false, AccessWidths.All);
        destination.Transfer(destinationOffset, buffer, write: true, AccessWidths.All);
    }

    // --- Planning and chunking ---------------------------------------------------------------------------------

    private bool UsesMemoryCopy(AccessWidths widths) =>
        _shared is { Backend: null, Space: IoSpace.SystemMemory } && (widths & AccessWidths.All) == AccessWidths.All;

    private IoAccessError ReadOnlyError(bool write) => write && Options.ReadOnly ? IoAccessError.ReadOnly : IoAccessError.None;

    private IoAccessError CheckRange(long offset, long length)
    {
        if (length < 0 || (ulong)offset > (ulong)_size || _size - offset < length)
        {
            return IoAccessError.OutOfRange;
        }

        return IoAccessError.None;
    }

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

    private IoAccessError TryTransfer(long offset, Span<byte> buffer, bool write, AccessWidths widths, out long failedAt)
    {
        failedAt = offset;
        IoAccessError error = CheckRange(offset, buffer.Length);
        if (error == IoAccessError.None && !UsesMemoryCopy(widths))
        {
            error = PlanChunks(offset, buffer.Length, widths, out failedAt);
        }

        if (error == IoAccessError.None)
        {
            error = ReadOnlyError(write); // Last, as for single accesses: range, coverage, then read-only.
        }

        if (error == IoAccessError.None)
        {
            Transfer(offset, buffer, write, widths);
        }

        return error;
    }

    /// <summary>Moves bytes between the map and a buffer; the range was checked and planned.</summary>
    private void Transfer(long offset, Span<byte> buffer, bool write, AccessWidths widths)
    {
        if (UsesMemoryCopy(widths))
        {
            // SAFETY: the caller checked [offset, offset + buffer.Length) against the map.
            var memory = new Span<byte>((byte*)_base + offset, buffer.Length);
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
                case (8, false): Unsafe.WriteUnaligned(ref slot, ReadUnchecked<ulong>(p, false)); break;
                case (4, false): Unsafe.WriteUnaligned(ref slot, ReadUnchecked<uint>(p, false)); break;
                case (2, false): Unsafe.WriteUnaligned(ref slot, ReadUnchecked<ushort>(p, false)); break;
                case (_, false): slot = ReadUnchecked<byte>(p, false); break;
                case (8, true): WriteUnchecked(p, Unsafe.ReadUnaligned<ulong>(ref slot), false); break;
                case (4, true): WriteUnchecked(p, Unsafe.ReadUnaligned<uint>(ref slot), false); break;
                case (2, true): WriteUnchecked(p, Unsafe.ReadUnaligned<ushort>(ref slot), false); break;
                case (_, true): WriteUnchecked(p, slot, false); break;
            }

            i += width;
        }
    }

    /// <summary>
    /// The width of the bulk access at <paramref name="offset"/>: the widest of <paramref name="widths"/> that is
    /// aligned there, fits in <paramref name="remaining"/> bytes and is accepted by the region; 0 if none.
    /// </summary>
    private int NextChunk(long offset, long remaining, AccessWidths widths)
    {
        long address = AlignmentBase + offset;
        for (int width = 8; width >= 1; width >>= 1)
        {
            if (widths.Allows(width) && width <= remaining && (address & (width - 1)) == 0 && _rules.Allows(offset, width))
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
        if (_rules.IsUniform && (_rules.Throughout(0, 1) & widths).Allows(1))
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
                && _rules.Allows(sourceOffset, width)
                && destination._rules.Allows(destinationOffset, width))
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

    private bool Overlaps(long sourceOffset, IoSysMap destination, long destinationOffset, long length)
    {
        // Two maps may reach the same memory without sharing an owner (two maps over one array or one device
        // range, or over one backend): compare where the bytes are, not which map they belong to.
        long s, d;
        if (_base != 0 && destination._base != 0)
        {
            (s, d) = ((long)_base + sourceOffset, (long)destination._base + destinationOffset);
        }
        else if (Backend is { } backend && ReferenceEquals(backend, destination.Backend))
        {
            (s, d) = (_regionOffset + sourceOffset, destination._regionOffset + destinationOffset);
        }
        else
        {
            return false;
        }

        return s < d + length && d < s + length;
    }

    private static void Require(IoAccessError error, IoSysMap map, long offset, long length, long failedAt, string operation)
    {
        if (error != IoAccessError.None)
        {
            throw map.BulkException(error, offset, length, failedAt, operation, AccessWidths.All);
        }
    }

    private IoAccessException BulkException(IoAccessError error, long offset, long length, long failedAt, string operation, AccessWidths widths)
    {
        // Every message names the offset, the length and the map's size (the IoAccessException contract).
        string access = $"{Hex(length)}-byte {operation} at offset {Hex(offset)} of a {Hex(_size)}-byte map";
        string message = error switch
        {
            IoAccessError.OutOfRange when length < 0 => $"The {operation} at offset {Hex(offset)} of a {Hex(_size)}-byte map is refused: its length {length} is negative.",
            IoAccessError.OutOfRange => $"The {Hex(length)}-byte {operation} at offset {Hex(offset)} is outside the map: it needs bytes up to offset {Hex(offset)} + {Hex(length)} but the map has {Hex(_size)} bytes.",
            IoAccessError.ReadOnly => $"The {access} is refused: the map is read-only.",
            _ => $"The {access} is refused: no aligned access that the region accepts ({(_rules.Throughout(failedAt, 1) & widths).Describe()} at that point) covers offset {Hex(failedAt)}.",
        };
        return new IoAccessException(error, error == IoAccessError.WidthRefused ? failedAt : offset, length, _size, message);
    }
}
