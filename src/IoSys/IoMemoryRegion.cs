using System.Buffers;
using System.Runtime.InteropServices;

namespace IoSys;

/// <summary>
/// Memory that one or more maps reach through a pointer: an owned allocation, pinned caller memory, or (in
/// <c>IoSys.Linux</c>) an <c>mmap</c> of a device or file. The region decides what happens to the memory when
/// the owning map is disposed (<see cref="Retire"/>) and when no map can reach it any more (<see cref="Release"/>).
/// </summary>
/// <remarks>
/// <para>Why two steps: a map's hot path is one check and one volatile access, with no reference count. A thread
/// that passed its check just before another thread called <see cref="IDisposable.Dispose"/> may still complete
/// one access. So <see cref="Retire"/> must leave <c>[Address, Address + Length)</c> readable and writable (for
/// a device mapping: replace it in place with anonymous memory, which releases the device), and the range is
/// freed only by <see cref="Release"/>, which runs from the finalizer once no map references the region.</para>
/// <para>Subclasses must not access the memory themselves after <see cref="Retire"/>.</para>
/// </remarks>
public abstract class IoMemoryRegion
{
    private int _retired;
    private int _released;

    /// <summary>Creates a region over memory the subclass has already made accessible.</summary>
    /// <param name="address">Start of the memory. Must not be null.</param>
    /// <param name="length">Length in bytes; at least 0.</param>
    /// <exception cref="ArgumentException"><paramref name="address"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    protected IoMemoryRegion(nint address, long length)
    {
        if (address == 0)
        {
            throw new ArgumentException("A memory region needs a non-null address.", nameof(address));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Address = address;
        Length = length;
    }

    /// <summary>Start of the memory.</summary>
    public nint Address { get; }

    /// <summary>Length of the memory in bytes.</summary>
    public long Length { get; }

    /// <summary>Whether <see cref="Retire"/> has run.</summary>
    public bool IsRetired => Volatile.Read(ref _retired) != 0;

    /// <summary>
    /// Called once, when the owning map is disposed (or, if leases were open then, when the last one ends: see
    /// <see cref="IoSysMap.Lease"/>), after every map over the region refuses access. Release
    /// what must be released promptly (a device, a file), but keep the address range readable and writable
    /// until <see cref="Release"/>.
    /// </summary>
    protected abstract void Retire();

    /// <summary>
    /// Called once, from the finalizer, when no map can reach the region any more (also when the owner was
    /// never disposed). Free the address range here. Must not throw.
    /// </summary>
    protected abstract void Release();

    internal void RetireOnce()
    {
        if (Interlocked.Exchange(ref _retired, 1) == 0)
        {
            Retire();
        }
    }

    /// <summary>Frees the range when the region becomes unreachable.</summary>
    ~IoMemoryRegion()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Release();
        }
    }
}

/// <summary>An aligned native allocation the map owns, zero-filled.</summary>
internal sealed unsafe class NativeMemoryRegion : IoMemoryRegion
{
    private NativeMemoryRegion(void* memory, long length)
        : base((nint)memory, length)
    {
    }

    public static NativeMemoryRegion Allocate(long length, int alignment)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        // Allocate at least one byte so the address is never null; the map's size stays `length`.
        nuint bytes = (nuint)Math.Max(length, 1);
        void* memory = NativeMemory.AlignedAlloc(bytes, (nuint)alignment);
        NativeMemory.Clear(memory, bytes);
        if (length > 0)
        {
            GC.AddMemoryPressure(length);
        }

        return new NativeMemoryRegion(memory, length);
    }

    protected override void Retire()
    {
        // Nothing to release early: the memory is freed by Release, once no map can reach it.
    }

    protected override void Release()
    {
        NativeMemory.AlignedFree((void*)Address);
        if (Length > 0)
        {
            GC.RemoveMemoryPressure(Length);
        }
    }
}

/// <summary>Caller-owned managed memory, pinned for as long as any map can reach it.</summary>
internal sealed unsafe class PinnedMemoryRegion : IoMemoryRegion
{
    // Keeps the owner (array or memory manager) pinned; unpinned only by Release, so a racing access never
    // touches memory the GC has moved.
    private MemoryHandle _pin;

    private PinnedMemoryRegion(MemoryHandle pin, long length)
        : base((nint)pin.Pointer, length) => _pin = pin;

    public static PinnedMemoryRegion Pin(Memory<byte> memory)
    {
        MemoryHandle pin = memory.Pin();
        if (pin.Pointer == null)
        {
            pin.Dispose();
            throw new ArgumentException("The memory could not be pinned to an address.", nameof(memory));
        }

        return new PinnedMemoryRegion(pin, memory.Length);
    }

    protected override void Retire()
    {
    }

    protected override void Release() => _pin.Dispose();
}
