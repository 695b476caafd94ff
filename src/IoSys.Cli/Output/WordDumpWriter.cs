using System.Buffers.Binary;
using System.Text;

namespace IoSys.Cli.Output;

/// <summary>
/// A dump as words of the access width, 16 bytes a line: <c>00000010  010000ed 00000000 ...</c>, with
/// hexdump's <c>*</c> for repeated lines and a closing offset line.
/// </summary>
internal sealed class WordDumpWriter(TextWriter output, long startOffset, int width)
{
    private const int LineBytes = 16;
    private readonly byte[] _previous = new byte[LineBytes];
    private readonly StringBuilder _line = new(64);
    private long _offset = startOffset;
    private bool _havePrevious;
    private bool _squeezing;

    /// <summary>Formats whole lines (and a short last line); <paramref name="data"/> length is a multiple of the width.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            ReadOnlySpan<byte> line = data[..Math.Min(LineBytes, data.Length)];
            data = data[line.Length..];
            if (line.Length == LineBytes && _havePrevious && line.SequenceEqual(_previous))
            {
                if (!_squeezing)
                {
                    output.Write("*\n");
                    _squeezing = true;
                }

                _offset += LineBytes;
                continue;
            }

            _squeezing = false;
            _havePrevious = line.Length == LineBytes;
            line.CopyTo(_previous);
            _line.Clear().Append(_offset.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)).Append(' ');
            for (int i = 0; i < line.Length; i += width)
            {
                ulong value = width switch
                {
                    1 => line[i],
                    2 => BinaryPrimitives.ReadUInt16LittleEndian(line[i..]),
                    4 => BinaryPrimitives.ReadUInt32LittleEndian(line[i..]),
                    _ => BinaryPrimitives.ReadUInt64LittleEndian(line[i..]),
                };
                _line.Append(' ').Append(value.ToString("x" + (width * 2), System.Globalization.CultureInfo.InvariantCulture));
            }

            output.Write(_line.Append('\n'));
            _offset += line.Length;
        }
    }

    /// <summary>Writes the closing offset line.</summary>
    public void Finish(bool anyData)
    {
        if (anyData)
        {
            output.Write(_offset.ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + "\n");
        }

        output.Flush();
    }
}
