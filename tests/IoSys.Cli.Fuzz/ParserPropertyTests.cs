using System.Globalization;
using CsCheck;
using IoSys.Cli.Output;
using IoSys.Cli.Parsing;

namespace IoSys.Cli.Fuzz;

/// <summary>
/// Property fuzzing of the tool's parsers with CsCheck: any text either parses or is a <see cref="UsageException"/>
/// (never another exception), numbers round-trip through every notation, durations stay within their documented
/// bound, and escaped text carries no control character. A failure prints CsCheck's seed; rerun it with
/// <c>CsCheck_Seed=SEED</c>.
/// </summary>
public sealed class ParserPropertyTests
{
    private const long Iterations = 20_000;

    // Text shaped like numbers (prefixes, digits, separators, suffixes) finds more edges than uniform text.
    private static readonly Gen<string> NumberLike = Gen.Select(
        Of("", "0x", "0X", "0b", "+", "-", " ", "0", "00"),
        Gen.String[Gen.Char["0123456789abcdefABCDEFxXbB_KMGki. -e\u0663\uff11"], 0, 24],
        Of("", "K", "M", "G", "KiB", "MiB", "iB", "ms", "s", "m", "us", " "),
        (prefix, body, suffix) => prefix + body + suffix);

    private static readonly Gen<string> AnyText = Gen.OneOf(Gen.String, NumberLike, Gen.String[Gen.Char[" :/#+.0123456789abcdefimnoprsuxABCDEF\u0000\u001b\n"], 0, 30]);

    [Fact]
    public void Any_text_parses_or_is_a_usage_error()
    {
        AnyText.Sample(text =>
        {
            Only(() => NumberParser.ParseValue(text, "value"));
            Only(() => NumberParser.ParseValue(text, "value", 16));
            Only(() => NumberParser.ParseOffset(text));
            Only(() => NumberParser.ParseLength(text));
            Only(() => NumberParser.ParseWidthBits(text));
            Only(() => ValueFormatter.ParseFormat(text));
            Only(() =>
            {
                TimeSpan d = NumberParser.ParseDuration(text, "timeout");
                Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromDays(1));
                return d;
            });
        }, iter: Iterations);
    }

    [Fact]
    public void Any_target_text_parses_or_is_a_usage_error()
    {
        Gen<string> targets = Gen.Select(Of("", "file:", "shm:", "pci:", "uio:", "mem:", "sim:", "x:", "/tmp/"), AnyText, (s, t) => s + t);
        targets.Sample(text =>
        {
            try
            {
                TargetSpec spec = TargetSpec.Parse(text);
                Assert.Equal(text, spec.Text);
                Assert.True(spec.Kind is TargetKind.PhysicalMemory || !string.IsNullOrEmpty(spec.Name));
                Assert.InRange(spec.Index, 0, 5);
                if (spec.Kind == TargetKind.PhysicalMemory)
                {
                    Assert.True(spec.Length > 0 && spec.Address <= ulong.MaxValue - (ulong)spec.Length);
                }
            }
            catch (UsageException)
            {
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Every_value_round_trips_through_hex_decimal_and_binary()
    {
        Gen.ULong.Sample(value =>
        {
            Assert.Equal(value, NumberParser.ParseValue("0x" + value.ToString("x", CultureInfo.InvariantCulture), "v"));
            Assert.Equal(value, NumberParser.ParseValue(value.ToString(CultureInfo.InvariantCulture), "v"));
            Assert.Equal(value, NumberParser.ParseValue("0b" + Convert.ToString((long)value, 2), "v"));
            Assert.Equal(value, NumberParser.ParseValue(ValueFormatter.Format(value, 8, ValueFormat.Hex), "v"));
            Assert.Equal(value, NumberParser.ParseValue(ValueFormatter.Format(value, 8, ValueFormat.Bin), "v"));
        }, iter: Iterations);
    }

    [Fact]
    public void Suffixes_multiply_by_powers_of_1024_or_refuse_overflow()
    {
        Gen.Select(Gen.Long[0, long.MaxValue], Of(("K", 10), ("M", 20), ("G", 30), ("KiB", 10), ("MiB", 20))).Sample(pair =>
        {
            (long n, (string suffix, int shift)) = pair;
            string text = n.ToString(CultureInfo.InvariantCulture) + suffix;
            if (n <= long.MaxValue >> shift)
            {
                Assert.Equal(n << shift, NumberParser.ParseOffset(text));
            }
            else
            {
                Assert.Throws<UsageException>(() => NumberParser.ParseOffset(text));
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Escaped_text_has_no_control_characters_and_printable_text_is_unchanged()
    {
        Gen.String.Sample(text =>
        {
            string escaped = TextEscape.Escape(text);
            Assert.DoesNotContain(escaped, c => c < ' ' || c is >= '\u007f' and <= '\u009f' or >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069');
            if (text.All(c => c is >= ' ' and < '\u007f'))
            {
                Assert.Equal(text, escaped);
            }
        }, iter: Iterations);
    }

    private static Gen<T> Of<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static void Only<T>(Func<T> parse)
    {
        try
        {
            parse();
        }
        catch (UsageException)
        {
        }
    }
}
