using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using IoSys.Tests.Support;

namespace IoSys.Tests.Properties;

/// <summary>Thrown when a scenario diverges from the model; names the operation.</summary>
public sealed class ScenarioFailedException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Runs a <see cref="Scenario"/> against real maps and the reference model. Validity of every operation is decided
/// by <see cref="ModelView"/> from first principles (bounds with overflow, alignment of the absolute address, width
/// rules, read-only), never by asking the library.
/// </summary>
internal sealed unsafe class ScenarioRunner : IDisposable
{
    private const int MaxViews = 10;

    private readonly List<ModelView> _views = [];
    private readonly List<MemoryModel> _memories = [];
    private readonly List<RecordingBackend> _backends = [];
    private OpKind _current;

    private ScenarioRunner()
    {
    }

    public static void Run(Scenario scenario)
    {
        using var runner = new ScenarioRunner();
        runner.Execute(scenario);
    }

    public void Dispose()
    {
        foreach (ModelView view in _views)
        {
            if (view.IsOwner)
            {
                view.Map.Dispose();
            }
        }
    }

    private void Execute(Scenario scenario)
    {
        byte[]? pinned = AddRoot(scenario.Main, "main");
        _ = AddRoot(scenario.Second, "second");
        if (scenario.Alias is { } alias && pinned is not null)
        {
            AddAlias(alias, pinned, _views[0].Root.Memory);
        }

        for (int i = 0; i < scenario.Ops.Length; i++)
        {
            Op op = scenario.Ops[i];
            ModelView view = _views[op.Target % _views.Count];
            try
            {
                foreach (RecordingBackend backend in _backends)
                {
                    backend.ClearLog();
                }

                _current = op.Kind;
                Apply(op, view);
                foreach (MemoryModel memory in _memories)
                {
                    memory.AssertMatches("after the operation");
                }
            }
            catch (Exception e)
            {
                throw new ScenarioFailedException($"op #{i} {op} on {view.Name} (size 0x{view.Size:x}): {e.Message}", e);
            }
        }
    }

    // --- Building maps ------------------------------------------------------------------------------------------

    private static IoMapOptions OptionsFor(RootSpec spec)
    {
        IoWidthRule[] rules = [.. spec.Rules.Select(r => new IoWidthRule(r.Offset, r.Length, r.Widths))];
        var io = new IoMapOptions { Space = IoSpace.IoMemory, Widths = spec.Defaults, WidthRules = rules };
        return spec.Kind switch
        {
            RootKind.SystemNative or RootKind.SystemOddArray or RootKind.SystemBackend => IoMapOptions.SystemMemory,
            RootKind.SystemUnaligned => new IoMapOptions { AllowUnaligned = true },
            RootKind.SystemReadOnly => IoMapOptions.SystemMemory.AsReadOnly(),
            RootKind.IoNative => IoMapOptions.IoMemory,
            RootKind.IoReadOnly => io.AsReadOnly(),
            _ => io,
        };
    }

    private static void FillPattern(Span<byte> bytes, int seed)
    {
        var random = new Random(seed);
        random.NextBytes(bytes);
    }

    /// <summary>Makes a root map; returns the pinned array for array-backed kinds.</summary>
    private byte[]? AddRoot(RootSpec spec, string name)
    {
        IoMapOptions options = OptionsFor(spec);
        IoWidthRule[] rules = [.. options.WidthRules];
        IoSysMap map;
        MemoryModel memory;
        int memoryOffset = 0;
        ulong baseAddress;
        RecordingBackend? backend = null;
        byte[]? pinned = null;
        switch (spec.Kind)
        {
            case RootKind.SystemOddArray or RootKind.IoOddArray:
                // One guard byte before the map (so its base is odd) and 16 after: the model checks they never change.
                pinned = GC.AllocateArray<byte>(1 + spec.Size + 16, pinned: true);
                FillPattern(pinned, spec.Size * 31 + 7);
                map = IoSysMap.FromMemory(pinned.AsMemory(1, spec.Size), options);
                memory = new MemoryModel(pinned);
                memoryOffset = 1;
                baseAddress = (ulong)Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 1);
                Assert.Equal(baseAddress, (ulong)map.Address.ToUIntPtr());
                break;
            case RootKind.IoBackend or RootKind.SystemBackend:
                backend = new RecordingBackend(spec.Size);
                FillPattern(backend.Memory, spec.Size * 17 + 3);
                map = IoSysMap.Create(backend, spec.Size, options);
                memory = new MemoryModel(backend.Memory);
                baseAddress = 0;
                Assert.True(map.Address.IsNull);
                _backends.Add(backend);
                break;
            default:
                int alignment = 1 << spec.AlignmentLog2;
                map = IoSysMap.Allocate(spec.Size, options, alignment);
                baseAddress = (ulong)map.Address.ToUIntPtr();
                Assert.True(baseAddress % (ulong)alignment == 0, $"allocation at 0x{baseAddress:x} is not {alignment}-aligned");
                FillPattern(new Span<byte>((void*)(nint)baseAddress, spec.Size), spec.Size * 13 + 5);
                memory = new MemoryModel((nint)baseAddress, spec.Size);
                break;
        }

        _memories.Add(memory);
        Assert.Equal(spec.Size, map.Size);
        Assert.Equal(options.Space == IoSpace.IoMemory, map.IsIoMem);
        Assert.Equal(options.ReadOnly, map.IsReadOnly);
        var root = new ModelRoot
        {
            Map = map,
            Memory = memory,
            MemoryOffset = memoryOffset,
            BaseAddress = baseAddress,
            Backend = backend,
            IsIo = options.Space == IoSpace.IoMemory,
            IsReadOnly = options.ReadOnly,
            AllowUnaligned = options.AllowUnaligned,
            Defaults = options.Widths,
            Rules = rules,
        };
        _views.Add(new ModelView { Root = root, Map = map, RootOffset = 0, Size = spec.Size, IsOwner = true, Name = name });
        return pinned;
    }

    private void AddAlias(AliasSpec spec, byte[] pinned, MemoryModel memory)
    {
        int start = 1 + Math.Min(spec.Shift, pinned.Length - 1);
        int length = Math.Min(spec.Length, pinned.Length - start);
        IoWidthRule[] rules = [.. spec.Rules.Select(r => new IoWidthRule(r.Offset, r.Length, r.Widths))];
        IoMapOptions options = spec.Io
            ? new IoMapOptions { Space = IoSpace.IoMemory, Widths = spec.Defaults, WidthRules = rules, ReadOnly = spec.ReadOnly }
            : new IoMapOptions { ReadOnly = spec.ReadOnly };
        IoSysMap map = IoSysMap.FromMemory(pinned.AsMemory(start, length), options);
        var root = new ModelRoot
        {
            Map = map,
            Memory = memory,
            MemoryOffset = start,
            BaseAddress = (ulong)Marshal.UnsafeAddrOfPinnedArrayElement(pinned, start),
            IsIo = spec.Io,
            IsReadOnly = spec.ReadOnly,
            AllowUnaligned = false,
            Defaults = options.Widths,
            Rules = [.. options.WidthRules],
        };
        _views.Add(new ModelView { Root = root, Map = map, RootOffset = 0, Size = length, IsOwner = true, Name = "alias" });
    }

    // --- Operations ---------------------------------------------------------------------------------------------

    /// <summary>Resolves an offset for <paramref name="view"/>, snapped down to an absolute multiple of <paramref name="width"/> if asked.</summary>
    private static long At(OffsetSpec spec, ModelView view, int width)
    {
        long offset = spec.Resolve(view.Size);
        return spec.Snap ? offset - (long)((view.AlignmentBase + (ulong)offset) % (ulong)width) : offset;
    }

    private void Apply(Op op, ModelView view)
    {
        switch (op.Kind)
        {
            case OpKind.Read: TypedRead(op, view); break;
            case OpKind.Write: TypedWrite(op, view); break;
            case OpKind.ReadBigEndian: ReadBigEndian(op, view); break;
            case OpKind.WriteBigEndian: WriteBigEndian(op, view); break;
            case OpKind.ReadStruct or OpKind.WriteStruct: StructAccess(op, view); break;
            case OpKind.ReadBytes: ReadBytes(op, view); break;
            case OpKind.WriteBytes: WriteBytes(op, view); break;
            case OpKind.Fill: Fill(op, view); break;
            case OpKind.CopyTo: CopyTo(op, view, _views[op.Other % _views.Count]); break;
            case OpKind.Slice: Slice(op, view); break;
            case OpKind.ReadField or OpKind.WriteField: FieldAccess(op, view); break;
            case OpKind.DisposeWindow: DisposeWindow(op); break;
        }
    }

    /// <summary>Runs <paramref name="act"/> and checks it did what the model says: ran, or threw exactly this error.</summary>
    private void Expect(ModelView view, IoAccessError expected, Action act, long? exceptionOffset, long? exceptionLength)
    {
        Statistics.Count(_current, view.Disposed ? null : expected);
        if (view.Disposed)
        {
            Assert.Throws<ObjectDisposedException>(act);
            return;
        }

        if (expected == IoAccessError.None)
        {
            act();
            return;
        }

        IoAccessException e = Assert.Throws<IoAccessException>(act);
        Assert.Equal(expected, e.Error);
        if (exceptionOffset is { } offset)
        {
            Assert.Equal(offset, e.Offset);
        }

        if (exceptionLength is { } length)
        {
            Assert.Equal(length, e.Length);
        }
    }

    private void ExpectTry(ModelView view, IoAccessError expected, Func<bool> act)
    {
        Statistics.Count(_current, view.Disposed ? null : expected);
        if (view.Disposed)
        {
            Assert.Throws<ObjectDisposedException>(() => act());
            return;
        }

        Assert.Equal(expected == IoAccessError.None, act());
    }

    /// <summary>The backend saw exactly these calls (nothing, when the operation was refused or is not on a backend).</summary>
    private void AssertBackendCalls(ModelView view, IoAccessError error, IoDirection direction, IEnumerable<(long Offset, int Width)> expected)
    {
        foreach (RecordingBackend backend in _backends)
        {
            bool mine = ReferenceEquals(backend, view.Root.Backend) && error == IoAccessError.None && !view.Disposed;
            (long, int)[] want = mine ? [.. expected] : [];
            (long, int)[] got = [.. backend.Accesses.Select(a => (a.Offset, a.Width))];
            Assert.True(want.SequenceEqual(got), $"backend calls: expected [{string.Join(", ", want)}] got [{string.Join(", ", backend.Accesses)}]");
            Assert.All(backend.Accesses, a => Assert.Equal(direction, a.Direction));
        }
    }

    private void AssertNoBackendCalls()
    {
        foreach (RecordingBackend backend in _backends)
        {
            Assert.True(backend.Accesses.Count == 0, $"backend calls after a refused operation: {string.Join(", ", backend.Accesses)}");
        }
    }

    private void TypedRead(Op op, ModelView view)
    {
        int width = op.Width;
        long offset = At(op.At, view, width);
        IoAccessError error = view.TypedError(offset, width, write: false);
        IoSysMap map = view.Map;
        int form = op.Variant % 5;
        if (form == 4)
        {
            Expect(view, error, () =>
            {
                using IoSysMapLease lease = map.Lease();
                ulong got = width switch { 1 => lease.Read8(offset), 2 => lease.Read16(offset), 4 => lease.Read32(offset), _ => lease.Read64(offset) };
                Assert.Equal(view.ReadModel(offset, width), got);
            }, offset, width);
        }
        else if (form < 2)
        {
            Expect(view, error, () =>
            {
                ulong got = form == 0
                    ? width switch { 1 => map.Read8(offset), 2 => map.Read16(offset), 4 => map.Read32(offset), _ => map.Read64(offset) }
                    : width switch
                    {
                        1 => map.Read<byte>(offset),
                        2 => (ushort)map.Read<short>(offset),
                        4 => (uint)map.Read<int>(offset),
                        _ => (ulong)map.Read<long>(offset),
                    };
                Assert.Equal(view.ReadModel(offset, width), got);
            }, offset, width);
        }
        else
        {
            ExpectTry(view, error, () =>
            {
                bool ok;
                ulong got;
                if (form == 2)
                {
                    switch (width)
                    {
                        case 1: ok = map.TryRead8(offset, out byte b); got = b; break;
                        case 2: ok = map.TryRead16(offset, out ushort s); got = s; break;
                        case 4: ok = map.TryRead32(offset, out uint u); got = u; break;
                        default: ok = map.TryRead64(offset, out ulong l); got = l; break;
                    }
                }
                else
                {
                    switch (width)
                    {
                        case 1: ok = map.TryRead(offset, out sbyte b); got = (byte)b; break;
                        case 2: ok = map.TryRead(offset, out ushort s); got = s; break;
                        case 4: ok = map.TryRead(offset, out uint u); got = u; break;
                        default: ok = map.TryRead(offset, out ulong l); got = l; break;
                    }
                }

                Assert.Equal(ok ? view.ReadModel(offset, width) : 0, got);
                return ok;
            });
        }

        AssertBackendCalls(view, error, IoDirection.Read, [(view.RootOffset + offset, width)]);
    }

    private void TypedWrite(Op op, ModelView view)
    {
        int width = op.Width;
        long offset = At(op.At, view, width);
        ulong value = width == 8 ? op.Value : op.Value & ((1UL << (8 * width)) - 1);
        IoAccessError error = view.TypedError(offset, width, write: true);
        IoSysMap map = view.Map;
        int form = op.Variant % 5;
        if (form == 4)
        {
            Expect(view, error, () =>
            {
                using IoSysMapLease lease = map.Lease();
                switch (width)
                {
                    case 1: lease.Write8(offset, (byte)value); break;
                    case 2: lease.Write16(offset, (ushort)value); break;
                    case 4: lease.Write32(offset, (uint)value); break;
                    default: lease.Write64(offset, value); break;
                }
            }, offset, width);
        }
        else if (form < 2)
        {
            Expect(view, error, () =>
            {
                switch (width, form)
                {
                    case (1, 0): map.Write8(offset, (byte)value); break;
                    case (2, 0): map.Write16(offset, (ushort)value); break;
                    case (4, 0): map.Write32(offset, (uint)value); break;
                    case (8, 0): map.Write64(offset, value); break;
                    case (1, _): map.Write(offset, (sbyte)value); break;
                    case (2, _): map.Write(offset, (short)value); break;
                    case (4, _): map.Write(offset, (int)value); break;
                    default: map.Write(offset, (long)value); break;
                }
            }, offset, width);
        }
        else
        {
            ExpectTry(view, error, () => (width, form) switch
            {
                (1, 2) => map.TryWrite8(offset, (byte)value),
                (2, 2) => map.TryWrite16(offset, (ushort)value),
                (4, 2) => map.TryWrite32(offset, (uint)value),
                (8, 2) => map.TryWrite64(offset, value),
                (1, _) => map.TryWrite(offset, (byte)value),
                (2, _) => map.TryWrite(offset, (ushort)value),
                (4, _) => map.TryWrite(offset, (uint)value),
                _ => map.TryWrite(offset, value),
            });
        }

        if (error == IoAccessError.None && !view.Disposed)
        {
            view.WriteModel(offset, width, value);
            if (view.Root.Backend is { } backend)
            {
                Assert.Equal(value, Assert.Single(backend.Accesses).Value);
            }
        }

        AssertBackendCalls(view, error, IoDirection.Write, [(view.RootOffset + offset, width)]);
    }

    private static int BigEndianWidth(Op op) => op.Width == 1 ? 2 : op.Width;

    private void ReadBigEndian(Op op, ModelView view)
    {
        int width = BigEndianWidth(op);
        long offset = At(op.At, view, width);
        IoAccessError error = view.TypedError(offset, width, write: false);
        IoSysMap map = view.Map;
        Expect(view, error, () =>
        {
            switch (width)
            {
                case 2:
                    ushort got16 = map.ReadBigEndian16(offset);
                    Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(view.Bytes.AsSpan(view.Index(offset))), got16);
                    break;
                case 4:
                    uint got32 = map.ReadBigEndian32(offset);
                    Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(view.Bytes.AsSpan(view.Index(offset))), got32);
                    break;
                default:
                    ulong got64 = map.ReadBigEndian64(offset);
                    Assert.Equal(BinaryPrimitives.ReadUInt64BigEndian(view.Bytes.AsSpan(view.Index(offset))), got64);
                    break;
            }
        }, offset, width);
        AssertBackendCalls(view, error, IoDirection.Read, [(view.RootOffset + offset, width)]);
    }

    private void WriteBigEndian(Op op, ModelView view)
    {
        int width = BigEndianWidth(op);
        long offset = At(op.At, view, width);
        IoAccessError error = view.TypedError(offset, width, write: true);
        IoSysMap map = view.Map;
        Expect(view, error, () =>
        {
            switch (width)
            {
                case 2: map.WriteBigEndian16(offset, (ushort)op.Value); break;
                case 4: map.WriteBigEndian32(offset, (uint)op.Value); break;
                default: map.WriteBigEndian64(offset, op.Value); break;
            }
        }, offset, width);
        if (error == IoAccessError.None && !view.Disposed)
        {
            Span<byte> bytes = view.Bytes.AsSpan(view.Index(offset), width);
            switch (width)
            {
                case 2: BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)op.Value); break;
                case 4: BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)op.Value); break;
                default: BinaryPrimitives.WriteUInt64BigEndian(bytes, op.Value); break;
            }
        }

        AssertBackendCalls(view, error, IoDirection.Write, [(view.RootOffset + offset, width)]);
    }

    private void StructAccess(Op op, ModelView view)
    {
        bool write = op.Kind == OpKind.WriteStruct;
        bool tryForm = (op.Variant / 6) % 2 == 1;
        switch (op.Variant % 6)
        {
            case 0: StructAccess<Bytes3>(op, view, write, tryForm); break;
            case 1: StructAccess<Bytes5>(op, view, write, tryForm); break;
            case 2: StructAccess<Bytes6>(op, view, write, tryForm); break;
            case 3: StructAccess<Bytes7>(op, view, write, tryForm); break;
            case 4: StructAccess<Words3>(op, view, write, tryForm); break;
            default: StructAccess<Words4>(op, view, write, tryForm); break;
        }
    }

    private void StructAccess<T>(Op op, ModelView view, bool write, bool tryForm)
        where T : unmanaged
    {
        int size = sizeof(T);
        long offset = At(op.At, view, 8);
        var chunks = new List<(long, int)>();
        IoAccessError error = view.BulkError(offset, size, AccessWidths.All, write, chunks, out long failedAt);
        IoSysMap map = view.Map;
        T value = default;
        Span<byte> valueBytes = MemoryMarshal.AsBytes(new Span<T>(ref value));
        new Random((int)op.Value).NextBytes(valueBytes);
        T toWrite = value;
        if (write)
        {
            if (tryForm)
            {
                ExpectTry(view, error, () => map.TryWrite(offset, toWrite));
            }
            else
            {
                Expect(view, error, () => map.Write(offset, toWrite), error == IoAccessError.WidthRefused ? failedAt : offset, size);
            }

            if (error == IoAccessError.None && !view.Disposed)
            {
                MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in toWrite)).CopyTo(view.Bytes.AsSpan(view.Index(offset), size));
            }
        }
        else
        {
            byte[] expected = error == IoAccessError.None && !view.Disposed ? view.Bytes.AsSpan(view.Index(offset), size).ToArray() : new byte[size];
            if (tryForm)
            {
                ExpectTry(view, error, () =>
                {
                    bool ok = map.TryRead(offset, out T got);
                    Assert.Equal(expected, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in got)).ToArray());
                    return ok;
                });
            }
            else
            {
                Expect(view, error, () =>
                {
                    T got = map.Read<T>(offset);
                    Assert.Equal(expected, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in got)).ToArray());
                }, error == IoAccessError.WidthRefused ? failedAt : offset, size);
            }
        }

        AssertBackendCalls(view, error, write ? IoDirection.Write : IoDirection.Read, chunks);
    }

    private static AccessWidths BulkWidths(Op op, int form) => form == 1 ? (AccessWidths)op.WidthsMask : AccessWidths.All;

    private void ReadBytes(Op op, ModelView view)
    {
        long offset = At(op.At, view, op.Width);
        int length = op.Length.ResolveSpan(view.Size, offset);
        int form = op.Variant % 3;
        AccessWidths widths = BulkWidths(op, form);
        var chunks = new List<(long, int)>();
        IoAccessError error = view.BulkError(offset, length, widths, write: false, chunks, out long failedAt);
        IoSysMap map = view.Map;
        byte[] buffer = new byte[length + 2];
        buffer.AsSpan().Fill(0xA5);
        byte[] expected = (byte[])buffer.Clone();
        if (error == IoAccessError.None && !view.Disposed)
        {
            view.Bytes.AsSpan(view.Index(offset), length).CopyTo(expected.AsSpan(1));
        }

        Span<byte> Destination() => buffer.AsSpan(1, length);
        if (form == 2)
        {
            ExpectTry(view, error, () => map.TryReadBytes(offset, Destination()));
        }
        else
        {
            Expect(view, error, () =>
            {
                if (form == 0)
                {
                    map.ReadBytes(offset, Destination());
                }
                else
                {
                    map.ReadBytes(offset, Destination(), widths);
                }
            }, error == IoAccessError.WidthRefused ? failedAt : offset, length);
        }

        Assert.Equal(expected, buffer);
        AssertBackendCalls(view, error, IoDirection.Read, chunks);
    }

    private void WriteBytes(Op op, ModelView view)
    {
        long offset = At(op.At, view, op.Width);
        int length = op.Length.ResolveSpan(view.Size, offset);
        int form = op.Variant % 3;
        AccessWidths widths = BulkWidths(op, form);
        var chunks = new List<(long, int)>();
        IoAccessError error = view.BulkError(offset, length, widths, write: true, chunks, out long failedAt);
        IoSysMap map = view.Map;
        byte[] source = new byte[length];
        new Random((int)op.Value).NextBytes(source);
        if (form == 2)
        {
            ExpectTry(view, error, () => map.TryWriteBytes(offset, source));
        }
        else
        {
            Expect(view, error, () =>
            {
                if (form == 0)
                {
                    map.WriteBytes(offset, source);
                }
                else
                {
                    map.WriteBytes(offset, source, widths);
                }
            }, error == IoAccessError.WidthRefused ? failedAt : offset, length);
        }

        if (error == IoAccessError.None && !view.Disposed)
        {
            source.CopyTo(view.Bytes.AsSpan(view.Index(offset), length));
        }

        AssertBackendCalls(view, error, IoDirection.Write, chunks);
    }

    private void Fill(Op op, ModelView view)
    {
        long offset = At(op.At, view, op.Width);
        long length = op.Length.Resolve(view.Size, offset);
        int form = op.Variant % 2;
        AccessWidths widths = BulkWidths(op, form);
        var chunks = new List<(long, int)>();
        IoAccessError error = view.BulkError(offset, length, widths, write: true, chunks, out long failedAt);
        byte value = (byte)op.Value;
        IoSysMap map = view.Map;
        Expect(view, error, () =>
        {
            if (form == 0)
            {
                map.Fill(offset, length, value);
            }
            else
            {
                map.Fill(offset, length, value, widths);
            }
        }, error == IoAccessError.WidthRefused ? failedAt : offset, length);
        if (error == IoAccessError.None && !view.Disposed)
        {
            view.Bytes.AsSpan(view.Index(offset), (int)length).Fill(value);
            if (view.Root.Backend is { } backend)
            {
                Assert.All(backend.Accesses, a => Assert.Equal(value * 0x0101010101010101UL >> (64 - 8 * a.Width), a.Value));
            }
        }

        AssertBackendCalls(view, error, IoDirection.Write, chunks);
    }

    private void CopyTo(Op op, ModelView source, ModelView destination)
    {
        long sourceOffset = At(op.At, source, op.Width);
        long destinationOffset = At(op.At2, destination, op.Width);
        // Lengths are drawn against the room both sides have, so that copies are often valid; negative, huge and
        // just-too-long lengths still come from the length kinds and deltas.
        long room = Math.Clamp(Math.Min(source.Size - sourceOffset, destination.Size - destinationOffset), 0, Math.Max(source.Size, destination.Size));
        long length = op.Length.Resolve(room, 0);
        IoAccessError error;
        long? exceptionOffset = null;
        if (!source.InRange(sourceOffset, length))
        {
            (error, exceptionOffset) = (IoAccessError.OutOfRange, sourceOffset);
        }
        else if (!destination.InRange(destinationOffset, length))
        {
            (error, exceptionOffset) = (IoAccessError.OutOfRange, destinationOffset);
        }
        else if (!(source.Root.CopiesMemory && destination.Root.CopiesMemory)
            && source.PlanBulk(sourceOffset, length, AccessWidths.All, null, out long sourceFailed) != IoAccessError.None)
        {
            (error, exceptionOffset) = (IoAccessError.WidthRefused, sourceFailed);
        }
        else if (!(source.Root.CopiesMemory && destination.Root.CopiesMemory)
            && destination.PlanBulk(destinationOffset, length, AccessWidths.All, null, out long destinationFailed) != IoAccessError.None)
        {
            (error, exceptionOffset) = (IoAccessError.WidthRefused, destinationFailed);
        }
        else
        {
            error = destination.Root.IsReadOnly ? IoAccessError.ReadOnly : IoAccessError.None;
            exceptionOffset = destinationOffset;
        }

        ModelView checkedView = source.Disposed ? source : destination;
        Expect(checkedView, error, () => source.Map.CopyTo(sourceOffset, destination.Map, destinationOffset, length), exceptionOffset, length);
        if (source.Disposed || destination.Disposed || error != IoAccessError.None)
        {
            AssertNoBackendCalls();
            return;
        }

        byte[] copied = source.Bytes.AsSpan(source.Index(sourceOffset), (int)length).ToArray();
        copied.CopyTo(destination.Bytes.AsSpan(destination.Index(destinationOffset)));
        AssertCopyCalls(source, sourceOffset, destination, destinationOffset, length);
    }

    /// <summary>
    /// A copy may pair widths across the two sides, so its exact plan is not fixed; it must still read exactly the
    /// source range and write exactly the destination range, in ascending aligned accesses each side accepts.
    /// </summary>
    private void AssertCopyCalls(ModelView source, long sourceOffset, ModelView destination, long destinationOffset, long length)
    {
        foreach (RecordingBackend backend in _backends)
        {
            AssertCovers(backend, source, sourceOffset, length, IoDirection.Read);
            AssertCovers(backend, destination, destinationOffset, length, IoDirection.Write);
        }
    }

    private static void AssertCovers(RecordingBackend backend, ModelView view, long offset, long length, IoDirection direction)
    {
        IoAccess[] calls = [.. backend.Accesses.Where(a => a.Direction == direction)];
        if (!ReferenceEquals(backend, view.Root.Backend))
        {
            Assert.True(calls.Length == 0, $"{direction} calls on a backend the copy does not use on that side: {string.Join(", ", calls)}");
            return;
        }

        long next = view.RootOffset + offset;
        foreach (IoAccess call in calls)
        {
            Assert.Equal(next, call.Offset);
            Assert.True(call.Offset % call.Width == 0, $"unaligned {call}");
            Assert.True(view.Root.Accepts(call.Offset, call.Width), $"refused width used: {call}");
            next += call.Width;
        }

        Assert.Equal(view.RootOffset + offset + length, next);
    }

    private void Slice(Op op, ModelView view)
    {
        long offset = At(op.At, view, op.Width);
        bool toEnd = op.Variant % 2 == 1;
        long length = toEnd ? view.Size - offset : op.Length.Resolve(view.Size, offset);
        IoAccessError error = view.InRange(offset, length) ? IoAccessError.None : IoAccessError.OutOfRange;
        IoSysMap? window = null;
        Expect(view, error, () => window = toEnd ? view.Map.Slice(offset) : view.Map.Slice(offset, length), offset, null);
        AssertNoBackendCalls();
        if (window is null)
        {
            return;
        }

        var child = new ModelView
        {
            Root = view.Root,
            Map = window,
            RootOffset = view.RootOffset + offset,
            Size = length,
            IsOwner = false,
            Name = $"{view.Name}[0x{offset:x}..+0x{length:x}]",
        };
        Assert.Equal(length, window.Size);
        Assert.Equal(child.RootOffset, window.RegionOffset);
        Assert.Equal(view.Map.IsIoMem, window.IsIoMem);
        Assert.Equal(view.Map.IsReadOnly, window.IsReadOnly);
        if (view.Root.Backend is null)
        {
            Assert.Equal(child.RootOffset, window.Address - view.Root.Map.Address);
        }
        else
        {
            Assert.True(window.Address.IsNull);
        }

        if (_views.Count < MaxViews)
        {
            _views.Add(child);
        }
        else
        {
            window.Dispose();
        }
    }

    private static readonly (int Offset, int Width)[] Fields =
    [
        (RegisterBlock.Control8Offset, 1),
        (RegisterBlock.Status16Offset, 2),
        (RegisterBlock.Data32Offset, 4),
        (RegisterBlock.Address64Offset, 8),
        (RegisterBlock.OddByteOffset, 1),
        (RegisterBlock.Misaligned16Offset, 2),
        (RegisterBlock.Misaligned32Offset, 4),
    ];

    private void FieldAccess(Op op, ModelView view)
    {
        bool write = op.Kind == OpKind.WriteField;
        int field = op.Variant % Fields.Length;
        (int fieldOffset, int width) = Fields[field];
        long structOffset = At(op.At, view, 8);
        IoAccessError error = structOffset < 0 || structOffset > long.MaxValue - fieldOffset
            ? IoAccessError.OutOfRange
            : view.TypedError(structOffset + fieldOffset, width, write);
        long offset = structOffset + fieldOffset; // Only used when valid.
        IoSysMap map = view.Map;
        ulong value = width == 8 ? op.Value : op.Value & ((1UL << (8 * width)) - 1);
        if (write)
        {
            Expect(view, error, () =>
            {
                switch (field)
                {
                    case 0: map.WriteField(structOffset, static (ref RegisterBlock r) => ref r.Control, (byte)value); break;
                    case 1: map.WriteField(structOffset, static (ref RegisterBlock r) => ref r.Status, (ushort)value); break;
                    case 2: map.WriteField(structOffset, static (ref RegisterBlock r) => ref r.Data, (uint)value); break;
                    case 3: map.WriteField(structOffset, static (ref RegisterBlock r) => ref r.Address, value); break;
                    case 4: map.WriteField(structOffset, static (ref RegisterBlock r) => ref r.OddByte, (byte)value); break;
                    case 5: map.WriteField(structOffset, static (ref RegisterBlock r) => ref r.Misaligned16, (ushort)value); break;
                    default: map.WriteField(structOffset, static (ref RegisterBlock r) => ref r.Misaligned32, (uint)value); break;
                }
            }, null, width);
            if (error == IoAccessError.None && !view.Disposed)
            {
                view.WriteModel(offset, width, value);
            }
        }
        else
        {
            Expect(view, error, () =>
            {
                ulong got = field switch
                {
                    0 => map.ReadField(structOffset, static (ref RegisterBlock r) => ref r.Control),
                    1 => map.ReadField(structOffset, static (ref RegisterBlock r) => ref r.Status),
                    2 => map.ReadField(structOffset, static (ref RegisterBlock r) => ref r.Data),
                    3 => map.ReadField(structOffset, static (ref RegisterBlock r) => ref r.Address),
                    4 => map.ReadField(structOffset, static (ref RegisterBlock r) => ref r.OddByte),
                    5 => map.ReadField(structOffset, static (ref RegisterBlock r) => ref r.Misaligned16),
                    _ => map.ReadField(structOffset, static (ref RegisterBlock r) => ref r.Misaligned32),
                };
                Assert.Equal(view.ReadModel(offset, width), got);
            }, null, width);
        }

        AssertBackendCalls(view, error, write ? IoDirection.Write : IoDirection.Read, [(view.RootOffset + offset, width)]);
    }

    private void DisposeWindow(Op op)
    {
        ModelView[] windows = [.. _views.Where(v => !v.IsOwner)];
        if (windows.Length == 0)
        {
            return;
        }

        ModelView window = windows[op.Other % windows.Length];
        Statistics.Count(OpKind.DisposeWindow, window.Disposed ? null : IoAccessError.None);
        window.Map.Dispose();
        window.Disposed = true;
        Assert.True(window.Map.IsDisposed);
        AssertNoBackendCalls();
    }
}

/// <summary>How often each operation was valid or refused (and why), over every scenario of a run.</summary>
internal static class Statistics
{
    private static readonly long[,] Counts = new long[Enum.GetValues<OpKind>().Length, 6];

    /// <summary>Counts one outcome; null means the map was disposed.</summary>
    public static void Count(OpKind kind, IoAccessError? outcome) =>
        Interlocked.Increment(ref Counts[(int)kind, outcome is { } error ? (int)error : 5]);

    public static string Report()
    {
        var text = new System.Text.StringBuilder("operation: valid / out of range / misaligned / width refused / read-only / disposed\n");
        foreach (OpKind kind in Enum.GetValues<OpKind>())
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"  {kind}:");
            for (int outcome = 0; outcome < 6; outcome++)
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $" {Interlocked.Read(ref Counts[(int)kind, outcome])}");
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
