using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace IoSys.Cli.Output;

/// <summary>
/// Writes bytes exactly as <c>hexdump -C</c> (util-linux) does: an 8-digit hex offset, sixteen bytes in two
/// groups of eight, the printable ASCII between bars, a <c>*</c> line for each run of lines identical to the one
/// before, and a last line with the offset just past the end. Built for throughput: lines are formatted into
/// one large byte buffer with table lookups, so a dump allocates nothing per byte or per line.
/// </summary>
internal sealed class HexDumpWriter
{
    private const int LineBytes = 16;

    // Longest line: 16-digit offset + 2 + 49 + 2 + 16 + 1 + newline; keep room for a few to avoid checks per byte.
    private const int MaxLine = 96;

    private static readonly ushort[] HexPairs = BuildHexPairs();
    private static readonly byte[] Printable = BuildPrintable();

    private readonly Stream _output;
    private readonly byte[] _buffer;
    private readonly byte[] _previous = new byte[LineBytes];
    private readonly byte[] _pending = new byte[LineBytes];
    private int _pendingCount;
    private int _used;
    private long _offset;
    private bool _havePrevious;
    private bool _squeezing;

    /// <summary>Creates a writer whose first byte is at <paramref name="startOffset"/>.</summary>
    public HexDumpWriter(Stream output, long startOffset, int bufferSize = 1 << 20)
    {
        _output = output;
        _buffer = new byte[Math.Max(bufferSize, MaxLine * 4)];
        _offset = startOffset;
    }

    /// <summary>Formats <paramref name="data"/>, which follows whatever was written before.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (_pendingCount > 0)
        {
            int take = Math.Min(LineBytes - _pendingCount, data.Length);
            data[..take].CopyTo(_pending.AsSpan(_pendingCount));
            _pendingCount += take;
            data = data[take..];
            if (_pendingCount < LineBytes)
            {
                return;
            }

            Line(_pending);
            _pendingCount = 0;
        }

        while (data.Length >= LineBytes)
        {
            Line(data[..LineBytes]);
            data = data[LineBytes..];
        }

        if (data.Length > 0)
        {
            data.CopyTo(_pending);
            _pendingCount = data.Length;
        }
    }

    /// <summary>Writes a partial last line, if any, and the closing offset line, then flushes.</summary>
    public void Finish(bool anyData)
    {
        if (_pendingCount > 0)
        {
            // hexdump prints a short last line even when it matches the start of the previous one.
            EnsureRoom();
            FormatLine(_pending.AsSpan(0, _pendingCount));
            _offset += _pendingCount;
            _pendingCount = 0;
        }

        if (anyData)
        {
            EnsureRoom();
            _used += WriteOffset(_buffer.AsSpan(_used), _offset);
            _buffer[_used++] = (byte)'\n';
        }

        Flush();
    }

    /// <summary>Writes buffered output to the stream.</summary>
    public void Flush()
    {
        if (_used > 0)
        {
            _output.Write(_buffer, 0, _used);
            _used = 0;
        }

        _output.Flush();
    }

    private void Line(ReadOnlySpan<byte> line)
    {
        if (_havePrevious && line.SequenceEqual(_previous))
        {
            if (!_squeezing)
            {
                EnsureRoom();
                _buffer[_used++] = (byte)'*';
                _buffer[_used++] = (byte)'\n';
                _squeezing = true;
            }

            _offset += LineBytes;
            return;
        }

        _squeezing = false;
        line.CopyTo(_previous);
        _havePrevious = true;
        EnsureRoom();
        FormatLine(line);
        _offset += LineBytes;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureRoom()
    {
        if (_buffer.Length - _used < MaxLine)
        {
            _output.Write(_buffer, 0, _used);
            _used = 0;
        }
    }

    private void FormatLine(ReadOnlySpan<byte> line)
    {
        Span<byte> o = _buffer.AsSpan(_used);
        int p = WriteOffset(o, _offset);
        int hexStart = p + 2;

        // The fixed layout of a full line: "  xx xx xx xx xx xx xx xx  xx xx xx xx xx xx xx xx  |", then ASCII.
        o.Slice(p, 2 + 49 + 2).Fill((byte)' ');
        int q = hexStart;
        for (int i = 0; i < line.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(o[q..], HexPairs[line[i]]);
            q += i == 7 ? 4 : 3;
        }

        int bar = hexStart + 49 + 1;
        o[bar] = (byte)'|';
        for (int i = 0; i < line.Length; i++)
        {
            o[bar + 1 + i] = Printable[line[i]];
        }

        o[bar + 1 + line.Length] = (byte)'|';
        o[bar + 2 + line.Length] = (byte)'\n';
        _used += bar + 3 + line.Length;
    }

    /// <summary>At least 8 lowercase hex digits, more when the offset needs them (as hexdump's <c>%08.8_Ax</c>).</summary>
    private static int WriteOffset(Span<byte> o, long offset)
    {
        int digits = 8;
        while (digits < 16 && (ulong)offset >> (digits * 4) != 0)
        {
            digits++;
        }

        for (int i = digits - 1; i >= 0; i--)
        {
            o[i] = (byte)"0123456789abcdef"[(int)(offset & 0xf)];
            offset = (long)((ulong)offset >> 4);
        }

        return digits;
    }

    private static ushort[] BuildHexPairs()
    {
        var table = new ushort[256];
        for (int b = 0; b < 256; b++)
        {
            // Little-endian store: the high nibble's digit first in memory.
            table[b] = (ushort)("0123456789abcdef"[b >> 4] | ("0123456789abcdef"[b & 0xf] << 8));
        }

        return table;
    }

    private static byte[] BuildPrintable()
    {
        var table = new byte[256];
        for (int b = 0; b < 256; b++)
        {
            table[b] = b is >= 0x20 and <= 0x7e ? (byte)b : (byte)'.';
        }

        return table;
    }
}
