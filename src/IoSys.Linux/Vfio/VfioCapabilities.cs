using System.Buffers.Binary;

namespace IoSys.Linux.Vfio;

/// <summary>One entry of a VFIO capability chain: its id, version, and where its bytes start in the info buffer.</summary>
internal readonly record struct VfioCapability(ushort Id, ushort Version, int Offset, int Length);

/// <summary>
/// Parses VFIO capability chains (<c>struct vfio_info_cap_header</c>: u16 id, u16 version, u32 next) out of the
/// buffer an info ioctl filled. The kernel is trusted, but the parser is written as if it were not: every offset
/// is checked against the buffer, a chain that revisits an entry or runs backwards is refused, and the walk is
/// bounded, so a corrupt buffer gives an error, never a hang or an out-of-range read.
/// </summary>
internal static class VfioCapabilities
{
    public const int HeaderSize = 8;

    /// <summary>The chain that starts at <paramref name="first"/> (0 = none), each entry's length running to the next entry or the end.</summary>
    /// <param name="buffer">The whole info buffer (offsets are relative to its start).</param>
    /// <param name="first">Offset of the first header, or 0.</param>
    /// <param name="minimumOffset">The size of the fixed info struct: no capability may start inside it.</param>
    /// <exception cref="InvalidDataException">An offset is out of range, misaligned, or the chain loops.</exception>
    public static List<VfioCapability> Parse(ReadOnlySpan<byte> buffer, uint first, int minimumOffset)
    {
        var result = new List<VfioCapability>();
        uint offset = first;
        uint previous = 0;
        while (offset != 0)
        {
            // Strictly increasing offsets: no loop is possible, and the walk ends within buffer.Length / 8 steps.
            if (offset <= previous || offset < (uint)minimumOffset || offset % 4 != 0 || offset > (uint)buffer.Length - HeaderSize ||
                buffer.Length < HeaderSize)
            {
                throw new InvalidDataException(
                    $"The VFIO capability chain is corrupt: an entry at offset {offset} (after {previous}) is outside the {buffer.Length}-byte buffer, " +
                    $"inside the {minimumOffset}-byte header, misaligned, or goes backwards (a loop).");
            }

            ReadOnlySpan<byte> header = buffer[(int)offset..];
            ushort id = BinaryPrimitives.ReadUInt16LittleEndian(header);
            ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header[2..]);
            uint next = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            int end = next != 0 && next > offset && next <= (uint)buffer.Length ? (int)next : buffer.Length;
            result.Add(new VfioCapability(id, version, (int)offset, end - (int)offset));
            previous = offset;
            offset = next;
        }

        return result;
    }

    /// <summary>
    /// The ranges of a <c>VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE</c> entry: u32 nr_iovas, u32 reserved, then
    /// nr_iovas pairs of u64 start and end (inclusive), which must fit in the entry and be ordered.
    /// </summary>
    /// <exception cref="InvalidDataException">The count does not fit the entry, or a range is reversed.</exception>
    public static IovaRange[] ParseIovaRanges(ReadOnlySpan<byte> buffer, VfioCapability capability)
    {
        ReadOnlySpan<byte> body = buffer.Slice(capability.Offset, capability.Length);
        if (body.Length < HeaderSize + 8)
        {
            throw new InvalidDataException($"The IOVA-range capability at offset {capability.Offset} is {body.Length} bytes, too short for its count.");
        }

        uint count = BinaryPrimitives.ReadUInt32LittleEndian(body[HeaderSize..]);
        if (count == 0 || count > (uint)(body.Length - HeaderSize - 8) / 16)
        {
            throw new InvalidDataException(
                $"The IOVA-range capability at offset {capability.Offset} claims {count} ranges, but its {body.Length} bytes hold at most {(body.Length - HeaderSize - 8) / 16}.");
        }

        var ranges = new IovaRange[count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> entry = body[(HeaderSize + 8 + (i * 16))..];
            ulong start = BinaryPrimitives.ReadUInt64LittleEndian(entry);
            ulong end = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]);
            if (end < start)
            {
                throw new InvalidDataException($"IOVA range {i} of the IOMMU is reversed: 0x{start:x}..0x{end:x}.");
            }

            ranges[i] = new IovaRange(start, end);
        }

        return ranges;
    }
}
