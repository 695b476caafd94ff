using System.Diagnostics;
using System.Globalization;

// /proc/self/maps checks and address reuse are process-wide: run test classes one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace IoSys.Linux.Tests;

/// <summary>A temporary directory, removed on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = Directory.CreateTempSubdirectory("iosys-linux-").FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Join([Path, .. parts]);

    /// <summary>Writes a file, creating its directory.</summary>
    public string Write(string relative, string text)
    {
        string path = Combine(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public string Write(string relative, byte[] bytes)
    {
        string path = Combine(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>What /proc/self/maps says about this process's mappings.</summary>
public static class ProcMaps
{
    public readonly record struct Entry(ulong Start, ulong End, string Permissions, ulong Offset, string Path);

    public static IReadOnlyList<Entry> Read()
    {
        var entries = new List<Entry>();
        foreach (string line in File.ReadAllLines("/proc/self/maps"))
        {
            // start-end perms offset dev inode [path]
            string[] f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            string[] range = f[0].Split('-');
            entries.Add(new Entry(
                ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                f[1],
                ulong.Parse(f[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                f.Length > 5 ? f[5].Trim() : ""));
        }

        return entries;
    }

    public static Entry[] For(string path) => Read().Where(e => e.Path == path || e.Path == path + " (deleted)").ToArray();

    public static Entry? Covering(ulong address) => Read().Where(e => e.Start <= address && address < e.End).Select(e => (Entry?)e).FirstOrDefault();
}

public static class Fifo
{
    public static void Make(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
