using System.Runtime.InteropServices;

namespace IoSys.Tests.Support;

// Odd-sized structs: Read<T>/Write<T> move them as bulk copies, never as one access.
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct Bytes3
{
    public byte A, B, C;
}

[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct Bytes5
{
    public uint A;
    public byte B;
}

[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct Bytes6
{
    public ushort A, B, C;
}

[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct Bytes7
{
    public ushort A;
    public uint B;
    public byte C;
}

/// <summary>Three 32-bit words: 12 bytes, the struct the width-discipline test reads as 8 + 4.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Words3
{
    public uint A, B, C;
}

[StructLayout(LayoutKind.Sequential)]
public struct Words4
{
    public ulong A, B;
}

/// <summary>A register block with fields of every width at known offsets, some deliberately misaligned.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
public struct RegisterBlock
{
    public const int Control8Offset = 0;
    public const int Status16Offset = 2;
    public const int Data32Offset = 4;
    public const int Address64Offset = 8;
    public const int OddByteOffset = 17;
    public const int Misaligned16Offset = 19;
    public const int Misaligned32Offset = 18;

    [FieldOffset(Control8Offset)] public byte Control;
    [FieldOffset(Status16Offset)] public ushort Status;
    [FieldOffset(Data32Offset)] public uint Data;
    [FieldOffset(Address64Offset)] public ulong Address;
    [FieldOffset(OddByteOffset)] public byte OddByte;
    [FieldOffset(Misaligned32Offset)] public uint Misaligned32;
    [FieldOffset(Misaligned16Offset)] public ushort Misaligned16;
}
