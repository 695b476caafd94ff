using System.Globalization;

namespace IoSys.Simulation;

/// <summary>
/// Simulated system memory as a device sees it over its bus: RAM buffers (each an ordinary system-memory
/// <see cref="IoSysMap"/>) placed at bus addresses, which a driver programs into a device's DMA registers and a
/// simulated device resolves back to memory. Buffers are page-aligned with an unmapped page between them, so a
/// transfer that runs past a buffer fails instead of landing in the next one.
/// </summary>
public sealed class SimulatedSystemMemory : IDisposable
{
    private const long PageSize = 4096;
    private readonly object _lock = new();
    private readonly List<SimulatedDmaBuffer> _buffers = [];
    private ulong _next;

    /// <summary>Creates an empty address space whose first buffer is placed at <paramref name="firstBusAddress"/>.</summary>
    /// <param name="firstBusAddress">Bus address of the first buffer; a multiple of 4096. Default 1 MiB.</param>
    /// <exception cref="ArgumentException"><paramref name="firstBusAddress"/> is not page-aligned.</exception>
    public SimulatedSystemMemory(ulong firstBusAddress = 0x10_0000)
    {
        if (firstBusAddress % PageSize != 0)
        {
            throw new ArgumentException("The first bus address must be a multiple of 4096.", nameof(firstBusAddress));
        }

        _next = firstBusAddress;
    }

    /// <summary>Allocates a zeroed buffer of <paramref name="size"/> bytes at the next free bus address.</summary>
    /// <param name="size">Size in bytes; more than 0.</param>
    /// <returns>The buffer; disposing it removes it from the address space.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    public SimulatedDmaBuffer Allocate(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        lock (_lock)
        {
            ulong pages = (ulong)((size + PageSize - 1) / PageSize);
            var buffer = new SimulatedDmaBuffer(this, IoSysMap.Allocate(size), _next);
            _next += (pages + 1) * PageSize; // One unmapped page after each buffer.
            _buffers.Add(buffer);
            return buffer;
        }
    }

    /// <summary>Finds the buffer that holds all of <c>[busAddress, busAddress + length)</c>.</summary>
    /// <param name="busAddress">Bus address of the first byte.</param>
    /// <param name="length">Length in bytes.</param>
    /// <param name="window">A window of exactly that range of the buffer's map, if found.</param>
    /// <returns>True if one buffer holds the whole range.</returns>
    public bool TryResolve(ulong busAddress, long length, out IoSysMap window)
    {
        lock (_lock)
        {
            foreach (SimulatedDmaBuffer buffer in _buffers)
            {
                if (length >= 0 && busAddress >= buffer.BusAddress && busAddress - buffer.BusAddress <= (ulong)buffer.Map.Size
                    && (ulong)buffer.Map.Size - (busAddress - buffer.BusAddress) >= (ulong)length && !buffer.Map.IsDisposed)
                {
                    window = buffer.Map.Slice((long)(busAddress - buffer.BusAddress), length);
                    return true;
                }
            }
        }

        window = IoSysMap.Null;
        return false;
    }

    /// <summary>Disposes every buffer.</summary>
    public void Dispose()
    {
        SimulatedDmaBuffer[] buffers;
        lock (_lock)
        {
            buffers = [.. _buffers];
        }

        foreach (SimulatedDmaBuffer buffer in buffers)
        {
            buffer.Dispose();
        }
    }

    internal void Remove(SimulatedDmaBuffer buffer)
    {
        lock (_lock)
        {
            _buffers.Remove(buffer);
        }
    }

    internal static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}

/// <summary>A RAM buffer in <see cref="SimulatedSystemMemory"/>: a system-memory map and the bus address a device reaches it at.</summary>
public sealed class SimulatedDmaBuffer : IDisposable
{
    private readonly SimulatedSystemMemory _owner;

    internal SimulatedDmaBuffer(SimulatedSystemMemory owner, IoSysMap map, ulong busAddress)
    {
        _owner = owner;
        Map = map;
        BusAddress = busAddress;
    }

    /// <summary>The buffer, as system memory.</summary>
    public IoSysMap Map { get; }

    /// <summary>The bus address of the buffer's first byte: what a driver programs into a device.</summary>
    public ulong BusAddress { get; }

    /// <summary>Removes the buffer from the address space and frees it.</summary>
    public void Dispose()
    {
        _owner.Remove(this);
        Map.Dispose();
    }
}
