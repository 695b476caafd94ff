using System.Text;
using CsCheck;

namespace IoSys.Tests.Properties;

/// <summary>How a root map is made.</summary>
public enum RootKind
{
    /// <summary>IoSysMap.Allocate, system memory.</summary>
    SystemNative,

    /// <summary>IoSysMap.Allocate, I/O memory, every width.</summary>
    IoNative,

    /// <summary>I/O memory with the edu layout: 4 or 8 bytes, only 4 in [0x00, 0x80).</summary>
    IoEdu,

    /// <summary>I/O memory with random default widths and random rules.</summary>
    IoRandomRules,

    /// <summary>System memory with AllowUnaligned.</summary>
    SystemUnaligned,

    /// <summary>Read-only system memory.</summary>
    SystemReadOnly,

    /// <summary>Read-only I/O memory with random rules.</summary>
    IoReadOnly,

    /// <summary>System memory over a pinned array at an odd index (misaligned base).</summary>
    SystemOddArray,

    /// <summary>I/O memory (random rules) over a pinned array at an odd index (misaligned base).</summary>
    IoOddArray,

    /// <summary>I/O memory over a recording backend, random rules.</summary>
    IoBackend,

    /// <summary>System memory over a recording backend.</summary>
    SystemBackend,
}

/// <summary>A width rule before it is clamped to a map.</summary>
public readonly record struct RuleSpec(int Offset, int Length, AccessWidths Widths)
{
    public override string ToString() => $"[0x{Offset:x}+0x{Length:x}:{(int)Widths}]";
}

/// <summary>How to make a root map.</summary>
public sealed record RootSpec(RootKind Kind, int Size, int AlignmentLog2, AccessWidths Defaults, RuleSpec[] Rules)
{
    public override string ToString() =>
        $"{Kind} size=0x{Size:x} align=2^{AlignmentLog2} defaults={(int)Defaults} rules={string.Join(",", Rules)}";
}

/// <summary>A second map over the same pinned array as an odd-array root, shifted, with other options.</summary>
public sealed record AliasSpec(int Shift, int Length, bool Io, bool ReadOnly, AccessWidths Defaults, RuleSpec[] Rules)
{
    public override string ToString() =>
        $"alias shift={Shift} len=0x{Length:x} io={Io} ro={ReadOnly} defaults={(int)Defaults} rules={string.Join(",", Rules)}";
}

/// <summary>Where an offset is generated: near 0, near the end, inside, negative, or huge.</summary>
public enum Anchor
{
    Start,
    End,
    Inside,
    Negative,
    NearMaxValue,
    NearMinValue,
}

/// <summary>An offset relative to the size of the map it is applied to.</summary>
/// <remarks>
/// With <see cref="Snap"/>, the runner moves the offset down to the nearest offset whose absolute address is a
/// multiple of the access width, so that valid aligned accesses are common even on maps with odd bases.
/// </remarks>
public readonly record struct OffsetSpec(Anchor Anchor, int Delta, int Permille, bool Snap)
{
    public long Resolve(long size) => Anchor switch
    {
        Anchor.Start => Delta,
        Anchor.End => size + Delta,
        Anchor.Inside => size * Permille / 1000 + Delta,
        Anchor.Negative => -1 - Math.Abs(Delta),
        Anchor.NearMaxValue => long.MaxValue - Math.Abs(Delta),
        _ => long.MinValue + Math.Abs(Delta),
    };

    public override string ToString() =>
        $"{Anchor}{Delta:+#;-#;+0}" + (Anchor == Anchor.Inside ? $"@{Permille}‰" : "") + (Snap ? "^" : "");
}

public enum LengthKind
{
    Small,
    ToEnd,
    Fraction,
    Negative,
    Huge,
}

/// <summary>A length relative to the map and the offset it starts at.</summary>
public readonly record struct LengthSpec(LengthKind Kind, int Delta, int Permille)
{
    public long Resolve(long size, long offset) => Kind switch
    {
        LengthKind.Small => Math.Abs(Delta),
        LengthKind.ToEnd => size - offset + Delta,
        LengthKind.Fraction => size * Permille / 1000,
        LengthKind.Negative => -1 - Math.Abs(Delta),
        _ => long.MaxValue - Math.Abs(Delta),
    };

    /// <summary>A length usable for a span: the resolved length clamped into [0, 4096].</summary>
    public int ResolveSpan(long size, long offset) => (int)Math.Clamp(Resolve(size, offset), 0, 4096);

    public override string ToString() => $"{Kind}{Delta:+#;-#;+0}" + (Kind == LengthKind.Fraction ? $"@{Permille}‰" : "");
}

public enum OpKind
{
    Read,
    Write,
    ReadBigEndian,
    WriteBigEndian,
    ReadStruct,
    WriteStruct,
    ReadBytes,
    WriteBytes,
    Fill,
    CopyTo,
    Slice,
    ReadField,
    WriteField,
    DisposeWindow,
}

/// <summary>
/// One operation. <see cref="Target"/> and <see cref="Other"/> pick views (modulo the number of views);
/// <see cref="Variant"/> picks the API form (plain, generic, Try, with widths, ...).
/// </summary>
public sealed record Op(OpKind Kind, int Target, int Other, OffsetSpec At, OffsetSpec At2, LengthSpec Length, int WidthLog2, ulong Value, int WidthsMask, int Variant)
{
    public int Width => 1 << WidthLog2;

    public override string ToString() =>
        $"{Kind} t={Target} o={Other} at={At} at2={At2} len={Length} w={Width} v=0x{Value:x} widths={WidthsMask} var={Variant}";
}

/// <summary>A whole property-test case: two roots, maybe an alias, and the operations.</summary>
public sealed record Scenario(RootSpec Main, RootSpec Second, AliasSpec? Alias, Op[] Ops)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("main: ").Append(Main).Append("\nsecond: ").Append(Second);
        if (Alias is not null)
        {
            text.Append('\n').Append(Alias);
        }

        for (int i = 0; i < Ops.Length; i++)
        {
            text.Append("\n  #").Append(i).Append(' ').Append(Ops[i]);
        }

        return text.ToString();
    }
}

/// <summary>CsCheck generators for scenarios.</summary>
public static class ScenarioGen
{
    private static readonly Gen<AccessWidths> AnyWidths = Gen.Int[0, 15].Select(i => (AccessWidths)i);

    private static readonly Gen<AccessWidths> MostlyGenerousWidths = Gen.Frequency(
        (3, Gen.Const(AccessWidths.All)),
        (2, Gen.Int[1, 15].Select(i => (AccessWidths)i)));

    private static readonly Gen<RuleSpec> Rule =
        Gen.Select(Gen.Int[0, 320], Gen.Int[1, 96], AnyWidths, (o, l, w) => new RuleSpec(o, l, w));

    private static readonly Gen<RuleSpec[]> Rules = Rule.Array[0, 3];

    private static readonly Gen<int> Size = Gen.Frequency(
        (2, Gen.Int[0, 17]),
        (5, Gen.Int[18, 200]),
        (2, Gen.Int[0x70, 0x140]),
        (1, Gen.Int[201, 700]));

    public static readonly Gen<RootSpec> Root =
        Gen.Select(Gen.Enum<RootKind>(), Size, Gen.Int[3, 12], MostlyGenerousWidths, Rules,
            (kind, size, align, defaults, rules) => kind switch
            {
                RootKind.IoEdu => new RootSpec(kind, Math.Max(size, 0x40), align, AccessWidths.Bits32 | AccessWidths.Bits64,
                    [new RuleSpec(0, 0x80, AccessWidths.Bits32)]),
                RootKind.IoRandomRules or RootKind.IoReadOnly or RootKind.IoOddArray or RootKind.IoBackend =>
                    new RootSpec(kind, size, align, defaults, rules),
                _ => new RootSpec(kind, size, align, AccessWidths.All, []),
            });

    private static readonly Gen<AliasSpec> Alias =
        Gen.Select(Gen.Int[0, 40], Gen.Int[0, 300], Gen.Bool, Gen.Bool, MostlyGenerousWidths, Rules,
            (shift, length, io, ro, defaults, rules) => io
                ? new AliasSpec(shift, length, io, ro, defaults, rules)
                : new AliasSpec(shift, length, io, ro, AccessWidths.All, []));

    private static readonly Gen<OffsetSpec> Offset = Gen.Select(
        Gen.Frequency(
            (30, Gen.Const(Anchor.Start)),
            (30, Gen.Const(Anchor.End)),
            (22, Gen.Const(Anchor.Inside)),
            (8, Gen.Const(Anchor.Negative)),
            (6, Gen.Const(Anchor.NearMaxValue)),
            (4, Gen.Const(Anchor.NearMinValue))),
        Gen.Int[-20, 20],
        Gen.Int[0, 1000],
        Gen.Int[0, 9],
        (anchor, delta, permille, snap) => anchor switch
        {
            Anchor.Start => new OffsetSpec(anchor, Math.Abs(delta) - 2, permille, snap < 6),
            Anchor.End => new OffsetSpec(anchor, -Math.Abs(delta) + 2, permille, snap < 6),
            Anchor.Inside => new OffsetSpec(anchor, delta / 4, permille, snap < 6),
            _ => new OffsetSpec(anchor, delta / 4, permille, false),
        });

    private static readonly Gen<LengthSpec> Length = Gen.Select(
        Gen.Frequency(
            (40, Gen.Const(LengthKind.Small)),
            (30, Gen.Const(LengthKind.ToEnd)),
            (20, Gen.Const(LengthKind.Fraction)),
            (5, Gen.Const(LengthKind.Negative)),
            (5, Gen.Const(LengthKind.Huge))),
        Gen.Int[-20, 20],
        Gen.Int[0, 1000],
        (kind, delta, permille) => kind == LengthKind.ToEnd
            ? new LengthSpec(kind, Math.Clamp(delta, -12, 2), permille)
            : new LengthSpec(kind, delta, permille));

    private static readonly Gen<OpKind> Kind = Gen.Frequency(
        (14, Gen.Const(OpKind.Read)),
        (14, Gen.Const(OpKind.Write)),
        (4, Gen.Const(OpKind.ReadBigEndian)),
        (4, Gen.Const(OpKind.WriteBigEndian)),
        (5, Gen.Const(OpKind.ReadStruct)),
        (5, Gen.Const(OpKind.WriteStruct)),
        (8, Gen.Const(OpKind.ReadBytes)),
        (10, Gen.Const(OpKind.WriteBytes)),
        (7, Gen.Const(OpKind.Fill)),
        (9, Gen.Const(OpKind.CopyTo)),
        (8, Gen.Const(OpKind.Slice)),
        (4, Gen.Const(OpKind.ReadField)),
        (4, Gen.Const(OpKind.WriteField)),
        (2, Gen.Const(OpKind.DisposeWindow)));

    public static readonly Gen<Op> Op = Gen.Select(
        Kind, Gen.Int[0, 15], Gen.Int[0, 15], Offset, Offset, Length, Gen.Int[0, 3], Gen.ULong, Gen.Int[0, 15], Gen.Int[0, 63],
        (kind, target, other, at, at2, length, log2, value, widths, variant) =>
            new Op(kind, target, other, at, at2, length, log2, value, widths, variant));

    public static readonly Gen<Scenario> Scenario = Gen.Select(
        Root, Root, Alias, Gen.Bool, Op.Array[1, 40],
        (main, second, alias, withAlias, ops) => new Scenario(
            main,
            second,
            withAlias && main.Kind is RootKind.SystemOddArray or RootKind.IoOddArray ? alias : null,
            ops));
}
