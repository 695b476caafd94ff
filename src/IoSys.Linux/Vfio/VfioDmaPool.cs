namespace IoSys.Linux.Vfio;

/// <summary>
/// Many small DMA buffers carved out of one IOMMU mapping: descriptor rings, packet buffers. Type1 allows at most
/// 65535 mappings per container (and each costs an ioctl and IOMMU page-table work), so a driver maps one pool and
/// rents aligned blocks from it. A rented block is a window of the pool's map plus its own device address.
/// </summary>
/// <remarks>Thread-safe. Disposing the pool unmaps the whole mapping from the IOMMU; blocks rented from it then throw
/// <see cref="ObjectDisposedException"/> on access.</remarks>
/// <example>
/// <code>
/// using VfioDmaPool pool = device.CreateDmaPool(64 * 1024);
/// using VfioDmaBlock ring = pool.Rent(16 * 32, alignment: 64);
/// bar0.Write64(RingBase, ring.DeviceAddress);
/// </code>
/// </example>
public sealed class VfioDmaPool : IDisposable
{
    private readonly RangeAllocator _space;
    private readonly object _lock = new();

    internal VfioDmaPool(VfioDmaBuffer buffer)
    {
        Buffer = buffer;
        _space = new RangeAllocator([new IovaRange(0, (ulong)buffer.Size - 1)]);
    }

    /// <summary>The one mapping every block lies in.</summary>
    public VfioDmaBuffer Buffer { get; }

    /// <summary>Bytes not rented (fragmentation may keep a large request from fitting).</summary>
    public long FreeBytes
    {
        get
        {
            lock (_lock)
            {
                return (long)_space.FreeBytes;
            }
        }
    }

    /// <summary>The number of blocks rented and not yet returned.</summary>
    public int RentedCount
    {
        get
        {
            lock (_lock)
            {
                return _space.Count;
            }
        }
    }

    /// <summary>Rents <paramref name="size"/> bytes aligned to <paramref name="alignment"/> bytes, in CPU and device address alike.</summary>
    /// <param name="size">Size in bytes, at least 1.</param>
    /// <param name="alignment">Alignment in bytes: a power of two. Default 64 (a cache line).</param>
    /// <returns>The block; dispose it to give the bytes back.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The size is not positive, or the alignment is not a power of two or exceeds the pool's page alignment.</exception>
    /// <exception cref="InvalidOperationException">The pool has no free span that fits (the message says what is free).</exception>
    /// <exception cref="ObjectDisposedException">The pool is disposed.</exception>
    public VfioDmaBlock Rent(long size, int alignment = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0 || alignment > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment,
                "The alignment must be a power of two of at most 4096 bytes (the pool starts on a page, in CPU and device address alike).");
        }

        ulong offset;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(Buffer.Map.IsDisposed, this);
            offset = _space.Allocate((ulong)size, (ulong)alignment, $"the DMA pool of {Buffer.Size} bytes");
        }

        try
        {
            return new VfioDmaBlock(this, Buffer.Map.Slice((long)offset, size), (long)offset, Buffer.DeviceAddress + offset);
        }
        catch
        {
            Return(offset);
            throw;
        }
    }

    /// <summary>Unmaps the pool from the IOMMU (see <see cref="VfioDmaBuffer.Dispose"/>). Idempotent.</summary>
    public void Dispose() => Buffer.Dispose();

    internal void Return(ulong offset)
    {
        lock (_lock)
        {
            _space.Free(offset);
        }
    }
}

/// <summary>A block rented from a <see cref="VfioDmaPool"/>: a window of its map and the device address of its first byte.</summary>
/// <example>
/// <code>
/// using VfioDmaBlock packet = pool.Rent(1514);
/// packet.Map.WriteBytes(0, frame);
/// descriptor.Write64(0, packet.DeviceAddress);
/// </code>
/// </example>
public sealed class VfioDmaBlock : IDisposable
{
    private readonly VfioDmaPool _pool;
    private int _returned;

    internal VfioDmaBlock(VfioDmaPool pool, IoSysMap map, long offset, ulong deviceAddress)
    {
        _pool = pool;
        Map = map;
        Offset = offset;
        DeviceAddress = deviceAddress;
    }

    /// <summary>The CPU's view of the block: a window of <see cref="Size"/> bytes of the pool's map.</summary>
    public IoSysMap Map { get; }

    /// <summary>The block's offset in the pool, in bytes.</summary>
    public long Offset { get; }

    /// <summary>The device's address of the block's first byte.</summary>
    public ulong DeviceAddress { get; }

    /// <summary>The block's size in bytes.</summary>
    public long Size => Map.Size;

    /// <summary>Closes the window and gives the bytes back to the pool. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _returned, 1) == 0)
        {
            Map.Dispose();
            _pool.Return((ulong)Offset);
        }
    }
}
