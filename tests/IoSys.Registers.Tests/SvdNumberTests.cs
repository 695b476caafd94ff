using IoSys.Registers.Descriptions.Svd;

namespace IoSys.Registers.Tests;

public class SvdNumberTests
{
    [Theory]
    [InlineData("0", 0UL)]
    [InlineData("42", 42UL)]
    [InlineData("+42", 42UL)]
    [InlineData(" 0x2A ", 0x2AUL)]
    [InlineData("0X2a", 0x2AUL)]
    [InlineData("#101010", 42UL)]
    [InlineData("0b101010", 42UL)]
    [InlineData("4k", 4096UL)]
    [InlineData("1M", 1UL << 20)]
    [InlineData("0x1K", 1024UL)]
    [InlineData("2g", 2UL << 30)]
    [InlineData("0xFFFFFFFFFFFFFFFF", ulong.MaxValue)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    public void Parses_the_SVD_number_forms(string text, ulong expected)
    {
        Assert.True(SvdNumber.TryParse(text, out ulong value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("0x")]
    [InlineData("#")]
    [InlineData("-1")]
    [InlineData("12a")]
    [InlineData("0x1G0")]
    [InlineData("#102")]
    [InlineData("#1x0")]
    [InlineData("0x10000000000000000")]
    [InlineData("18446744073709551616")]
    [InlineData("16777216T")]
    [InlineData("1.5")]
    public void Refuses_malformed_or_too_large_numbers(string? text)
    {
        Assert.False(SvdNumber.TryParse(text, out ulong value));
        Assert.Equal(0UL, value);
    }

    [Theory]
    [InlineData("#1x0", 0b100UL, ~0b010UL)]
    [InlineData("#xx", 0UL, ~0b11UL)]
    [InlineData("#11", 0b11UL, ulong.MaxValue)]
    [InlineData("0x5", 5UL, ulong.MaxValue)]
    public void Enumerated_values_take_dont_care_digits(string text, ulong value, ulong care)
    {
        Assert.True(SvdNumber.TryParseEnumeratedValue(text, out ulong v, out ulong c));
        Assert.Equal(value, v);
        Assert.Equal(care, c);
    }

    [Fact]
    public void Dont_care_digits_are_binary_only_and_sizes_take_no_scale_in_values()
    {
        Assert.False(SvdNumber.TryParseEnumeratedValue("0x1x", out _, out _));
        Assert.False(SvdNumber.TryParseEnumeratedValue("4k", out _, out _));
    }
}
