using System.Runtime.InteropServices;
using IoSys.Tests.Support;

namespace IoSys.Tests.Properties;

/// <summary>
/// The bytes of one piece of memory as the test believes them to be, beside the real bytes. The real bytes are
/// read through a raw pointer, a pinned array or the recording backend's store, never through the library.
/// </summary>
internal sealed unsafe class MemoryModel
{
    private readonly byte[]? _array;
    private readonly nint _pointer;

    public MemoryModel(byte[] pinnedArray)
    {
        _array = pinnedArray;
        Expected = (byte[])pinnedArray.Clone();
    }

    public MemoryModel(nint pointer, int length)
    {
        _pointer = pointer;
        Expected = new byte[length];
        new Span<byte>((void*)pointer, length).CopyTo(Expected);
    }

    public byte[] Expected { get; }

    public Span<byte> Actual => _array ?? new Span<byte>((void*)_pointer, Expected.Length);

    public void AssertMatches(string when)
    {
        Span<byte> actual = Actual;
        if (!actual.SequenceEqual(Expected))
        {
            int i = 0;
            while (actual[i] == Expected[i])
            {
                i++;
            }

            Assert.Fail($"{when}: memory differs from the model first at byte 0x{i:x}: actual 0x{actual[i]:x2}, model 0x{Expected[i]:x2}");
        }
    }
}

/// <summary>A map the factory returned: its memory, where it starts in that memory, and its rules as the model sees them.</summary>
internal sealed class ModelRoot
{
    public required IoSysMap Map { get; init; }

    public required MemoryModel Memory { get; init; }

    /// <summary>Index in <see cref="MemoryModel.Expected"/> of the map's byte 0.</summary>
    public required int MemoryOffset { get; init; }

    /// <summary>Absolute address of byte 0 (computed from the pinned array or allocation); 0 for backend maps.</summary>
    public required ulong BaseAddress { get; init; }

    public RecordingBackend? Backend { get; init; }

    public required bool IsIo { get; init; }

    public required bool IsReadOnly { get; init; }

    public required bool AllowUnaligned { get; init; }

    public required AccessWidths Defaults { get; init; }

    public required IoWidthRule[] Rules { get; init; }

    /// <summary>Bulk operations are plain memory copies: system memory reached through a pointer.</summary>
    public bool CopiesMemory => Backend is null && !IsIo;

    /// <summary>Widths accepted at one byte: the defaults narrowed by every rule that covers it.</summary>
    public AccessWidths WidthsAtByte(long rootOffset)
    {
        AccessWidths widths = Defaults;
        foreach (IoWidthRule rule in Rules)
        {
            if (rootOffset >= rule.Offset && rootOffset - rule.Offset < rule.Length)
            {
                widths &= rule.Widths;
            }
        }

        return widths;
    }

    public bool Accepts(long rootOffset, int width)
    {
        for (long b = rootOffset; b < rootOffset + width; b++)
        {
            if (((int)WidthsAtByte(b) & width) == 0)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A map (owner or window) and what the model expects of it.</summary>
internal sealed class ModelView
{
    public required ModelRoot Root { get; init; }

    public required IoSysMap Map { get; init; }

    /// <summary>Offset of the view's byte 0 within its root map.</summary>
    public required long RootOffset { get; init; }

    public required long Size { get; init; }

    public required bool IsOwner { get; init; }

    public required string Name { get; init; }

    public bool Disposed { get; set; }

    /// <summary>What alignment is judged against: the absolute address, or the region offset for a backend.</summary>
    public ulong AlignmentBase => Root.Backend is null ? Root.BaseAddress + (ulong)RootOffset : (ulong)RootOffset;

    public byte[] Bytes => Root.Memory.Expected;

    public int Index(long offset) => checked((int)(Root.MemoryOffset + RootOffset + offset));

    public bool InRange(long offset, long length) => offset >= 0 && length >= 0 && offset <= Size - length;

    /// <summary>The error a single access of <paramref name="width"/> bytes must get, decided from first principles.</summary>
    public IoAccessError TypedError(long offset, int width, bool write)
    {
        if (offset < 0 || offset > Size - width)
        {
            return IoAccessError.OutOfRange;
        }

        if (!Root.AllowUnaligned && (AlignmentBase + (ulong)offset) % (ulong)width != 0)
        {
            return IoAccessError.Misaligned;
        }

        if (!Root.Accepts(RootOffset + offset, width))
        {
            return IoAccessError.WidthRefused;
        }

        return write && Root.IsReadOnly ? IoAccessError.ReadOnly : IoAccessError.None;
    }

    /// <summary>
    /// The accesses a bulk operation must make: none for a memory copy; otherwise, at each position, the widest of
    /// <paramref name="widths"/> that fits, is aligned (absolute address) and is accepted at every byte it covers.
    /// </summary>
    public IoAccessError PlanBulk(long offset, long length, AccessWidths widths, List<(long RegionOffset, int Width)>? chunks, out long failedAt)
    {
        failedAt = offset;
        if (Root.CopiesMemory && (widths & AccessWidths.All) == AccessWidths.All)
        {
            return IoAccessError.None;
        }

        for (long p = offset, end = offset + length; p < end;)
        {
            int chosen = 0;
            for (int width = 8; width >= 1; width >>= 1)
            {
                if (((int)widths & width) != 0 && width <= end - p
                    && (AlignmentBase + (ulong)p) % (ulong)width == 0 && Root.Accepts(RootOffset + p, width))
                {
                    chosen = width;
                    break;
                }
            }

            if (chosen == 0)
            {
                failedAt = p;
                return IoAccessError.WidthRefused;
            }

            chunks?.Add((RootOffset + p, chosen));
            p += chosen;
        }

        return IoAccessError.None;
    }

    /// <summary>The full error of a bulk operation, in the documented order: range, coverage, read-only.</summary>
    public IoAccessError BulkError(long offset, long length, AccessWidths widths, bool write, List<(long, int)>? chunks, out long failedAt)
    {
        failedAt = offset;
        if (!InRange(offset, length))
        {
            return IoAccessError.OutOfRange;
        }

        IoAccessError error = PlanBulk(offset, length, widths, chunks, out failedAt);
        if (error != IoAccessError.None)
        {
            return error;
        }

        return write && Root.IsReadOnly ? IoAccessError.ReadOnly : IoAccessError.None;
    }

    public ulong ReadModel(long offset, int width)
    {
        Span<byte> wide = stackalloc byte[8];
        wide.Clear();
        Bytes.AsSpan(Index(offset), width).CopyTo(wide);
        return MemoryMarshal.Read<ulong>(wide);
    }

    public void WriteModel(long offset, int width, ulong value)
    {
        Span<byte> wide = stackalloc byte[8];
        MemoryMarshal.Write(wide, in value);
        wide[..width].CopyTo(Bytes.AsSpan(Index(offset), width));
    }
}
