using System.Globalization;

namespace IoSys.Linux;

/// <summary>An enumeration entry that was left out, and why (a missing or malformed sysfs file).</summary>
/// <param name="Path">The sysfs directory or file at fault.</param>
/// <param name="Reason">What is wrong with it, in words a user can act on.</param>
public sealed record SkippedEntry(string Path, string Reason);

/// <summary>Reading small sysfs attribute files, with errors that name the file and what was expected.</summary>
internal static class Sysfs
{
    public static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"The sysfs file '{path}' is missing.", path, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException($"Cannot read the sysfs file '{path}': permission denied.", e);
        }
    }

    public static ulong ReadHex(string path) => ParseHex(ReadText(path), path);

    public static ulong ParseHex(string text, string path)
    {
        ReadOnlySpan<char> digits = text.AsSpan().Trim();
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        if (digits.Length == 0 || !ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value))
        {
            throw new InvalidDataException($"The sysfs file '{path}' is malformed: '{Shorten(text)}' is not a hexadecimal number such as 0x1234.");
        }

        return value;
    }

    public static string? LinkName(string path)
    {
        try
        {
            string? target = new FileInfo(path).LinkTarget;
            return target is null ? null : Path.GetFileName(target.TrimEnd('/'));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
