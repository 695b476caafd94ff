// Generated register access vs the same access written by hand with shifts and masks (issue 7: "generated code must
// cost nothing over hand-written shifts and masks"). Needs the register generator: the project enables it with
// <ProjectReference Include="../../src/IoSys.Analyzers/IoSys.Analyzers.csproj" OutputItemType="Analyzer"
// ReferenceOutputAssembly="false" /> and IOSYS_GENERATED_REGISTERS in DefineConstants.
#if IOSYS_GENERATED_REGISTERS
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using IoSys.Registers;

namespace IoSys.Benchmarks;

/// <summary>A small device: one 32-bit control register with a bool, a 4-bit and an 8-bit field.</summary>
[RegisterBlock(0x1000)]
public partial struct BenchRegs
{
    /// <summary>Control: bit 0 enable, bits 7:4 mode, bits 23:16 count; 3:1, 15:8 and 31:24 reserved.</summary>
    [Register(0x104, RegisterAccess.RW)]
    public readonly partial struct Control
    {
        /// <summary>Enable.</summary>
        [Bits(0)]
        public partial bool Enable { get; }

        /// <summary>Mode.</summary>
        [Bits(7, 4)]
        public partial byte Mode { get; }

        /// <summary>Count.</summary>
        [Bits(23, 16)]
        public partial byte Count { get; }
    }
}

/// <summary>
/// Each pair does the same work on the same known-size map, once through the generated register type and once by
/// hand: read a field; read-modify-write two fields (through <c>Update</c> with a static lambda, and as
/// <c>Write(Read().With..)</c>); and build a value from fields without touching the map. 16 operations per invocation.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RegisterBenchmarks
{
    private const int Ops = 16;
    private const long ControlOffset = 0x104;
    private const uint ModeMask = 0xF0, EnableBit = 0x1, CountMask = 0xFF_0000;

    private IoSysMap _owner = null!;
    private IoSysMap<BenchRegs> _regs = null!;
    private IoSysMap<SvdBenchRegs> _svd = null!;
    private uint _seed;

    [GlobalSetup]
    public void Setup()
    {
        _owner = IoSysMap.Allocate(0x1000);
        _regs = _owner.AsKnownSize<BenchRegs>();
        _svd = _owner.AsKnownSize<SvdBenchRegs>();
        _owner.Write32(ControlOffset, 0xA5A5_A5A5);
        _seed = 0x0012_0034;
    }

    [GlobalCleanup]
    public void Cleanup() => _owner.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    [BenchmarkCategory("ReadField")]
    public uint Hand_ReadField()
    {
        uint s = 0;
        for (int i = 0; i < Ops; i++)
        {
            s += (_regs.Read32(ControlOffset) & ModeMask) >> 4;
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    [BenchmarkCategory("ReadField")]
    public uint Generated_ReadField()
    {
        uint s = 0;
        for (int i = 0; i < Ops; i++)
        {
            s += BenchRegs.Control.Read(_regs).Mode;
        }

        return s;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    [BenchmarkCategory("ReadModifyWrite")]
    public void Hand_ReadModifyWrite()
    {
        for (int i = 0; i < Ops; i++)
        {
            uint v = _regs.Read32(ControlOffset);
            v = (v & ~ModeMask) | (((uint)(byte)i << 4) & ModeMask);
            v |= EnableBit;
            _regs.Write32(ControlOffset, v);
        }
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    [BenchmarkCategory("ReadModifyWrite")]
    public void Generated_WriteReadWith()
    {
        for (int i = 0; i < Ops; i++)
        {
            BenchRegs.Control.Write(_regs, BenchRegs.Control.Read(_regs).WithMode((byte)i).WithEnable(true));
        }
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    [BenchmarkCategory("ReadModifyWrite")]
    public void Generated_Update()
    {
        // A static lambda: a cached delegate, no allocation; the call itself is an indirect call unless the JIT
        // devirtualizes it, which is what this line measures.
        for (int i = 0; i < Ops; i++)
        {
            BenchRegs.Control.Update(_regs, static c => c.WithMode(5).WithEnable(true));
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    [BenchmarkCategory("BuildValue")]
    public uint Hand_BuildValue()
    {
        // Field by field, as a driver sets fields: the same work as the generated With* chain. (Merging the masks of
        // several fields into one by hand saves an AND per extra field; the JIT does not do that for either side.)
        // The field values are bytes on both sides (the generated setters take the property's type).
        uint s = 0, v = _seed;
        for (int i = 0; i < Ops; i++)
        {
            byte b = (byte)i;
            v = (v & ~ModeMask) | (((uint)b << 4) & ModeMask);
            v = (v & ~CountMask) | (((uint)b << 16) & CountMask);
            v |= EnableBit;
            s += v;
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    [BenchmarkCategory("BuildValue")]
    public uint Generated_BuildValue()
    {
        uint s = 0;
        var v = new BenchRegs.Control(_seed);
        for (int i = 0; i < Ops; i++)
        {
            v = v.WithMode((byte)i).WithCount((byte)i).WithEnable(true);
            s += v.Raw;
        }

        return s;
    }

    // Generated from bench-regs.svd (SvdBenchRegs, with the description's width rule on Control) against the same
    // masks by hand on the same map: the pairs of issue 15 ("generated field access equal to hand-written masks").
    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    [BenchmarkCategory("SvdReadField")]
    public uint HandOnSvdMap_ReadField()
    {
        uint s = 0;
        for (int i = 0; i < Ops; i++)
        {
            s += (_svd.Read32(ControlOffset) & ModeMask) >> 4;
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    [BenchmarkCategory("SvdReadField")]
    public uint Svd_ReadField()
    {
        uint s = 0;
        for (int i = 0; i < Ops; i++)
        {
            s += SvdBenchRegs.Control.Read(_svd).Mode;
        }

        return s;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    [BenchmarkCategory("SvdReadModifyWrite")]
    public void HandOnSvdMap_ReadModifyWrite()
    {
        for (int i = 0; i < Ops; i++)
        {
            uint v = _svd.Read32(ControlOffset);
            v = (v & ~ModeMask) | (((uint)(byte)i << 4) & ModeMask);
            v |= EnableBit;
            _svd.Write32(ControlOffset, v);
        }
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    [BenchmarkCategory("SvdReadModifyWrite")]
    public void Svd_WriteReadWith()
    {
        for (int i = 0; i < Ops; i++)
        {
            SvdBenchRegs.Control.Write(_svd, SvdBenchRegs.Control.Read(_svd).WithMode((byte)i).WithEnable(true));
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    [BenchmarkCategory("SvdBuildValue")]
    public uint HandOnSvdMap_BuildValue()
    {
        uint s = 0, v = _seed;
        for (int i = 0; i < Ops; i++)
        {
            byte b = (byte)i;
            v = (v & ~ModeMask) | (((uint)b << 4) & ModeMask);
            v = (v & ~CountMask) | (((uint)b << 16) & CountMask);
            v |= EnableBit;
            s += v;
        }

        return s;
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    [BenchmarkCategory("SvdBuildValue")]
    public uint Svd_BuildValue()
    {
        uint s = 0;
        var v = new SvdBenchRegs.Control(_seed);
        for (int i = 0; i < Ops; i++)
        {
            v = v.WithMode((byte)i).WithCount((byte)i).WithEnable(true);
            s += v.Raw;
        }

        return s;
    }
}
#endif
