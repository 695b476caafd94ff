using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace IoSys.Benchmarks;

/// <summary>
/// Shared setup for the iosys CLI benchmarks: the tool under test is the NativeAOT binary named by the
/// <c>IOSYS_CLI</c> environment variable (<c>dotnet publish src/IoSys.Cli -c Release -r linux-x64</c>, then
/// <c>IOSYS_CLI=.../publish/iosys</c>). Without it, or without the peer tools (<c>apt-get install xxd
/// bsdextrautils</c>), the benchmarks print why and do nothing, so a whole-suite run is not broken by them.
/// </summary>
public abstract class CliBenchmarkBase
{
    protected string Cli { get; private set; } = "";

    protected string File { get; private set; } = "";

    /// <summary>Why the benchmarks are skipped, or null when they run.</summary>
    protected string? SkipReason { get; private set; }

    protected void Setup(int fileSize, string[] peers, Action<byte[]> shape)
    {
        string? cli = Environment.GetEnvironmentVariable("IOSYS_CLI");
        string? missingPeer = peers.FirstOrDefault(p => Which(p) is null);
        SkipReason = string.IsNullOrEmpty(cli) ? "IOSYS_CLI is not set: point it at the NativeAOT iosys binary (dotnet publish src/IoSys.Cli -c Release -r linux-x64)"
            : !System.IO.File.Exists(cli) ? $"IOSYS_CLI names '{cli}', which does not exist"
            : missingPeer is not null ? $"'{missingPeer}' is not installed (apt-get install xxd bsdextrautils)"
            : null;
        if (SkipReason is not null)
        {
            Console.WriteLine($"// {GetType().Name} SKIPPED: {SkipReason}");
            return;
        }

        Cli = cli!;
        File = Path.Combine(Path.GetTempPath(), $"iosys-cli-bench-{Environment.ProcessId}-{GetType().Name}.bin");
        var bytes = new byte[fileSize];
        shape(bytes);
        System.IO.File.WriteAllBytes(File, bytes);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (File.Length > 0)
        {
            System.IO.File.Delete(File);
        }
    }

    /// <summary>Runs a program to completion; stdout captured (or sent to /dev/null through a shell exec).</summary>
    protected static string Run(string program, string[] args, bool toDevNull = false)
    {
        var info = new ProcessStartInfo(toDevNull ? "/bin/sh" : program) { RedirectStandardOutput = !toDevNull, UseShellExecute = false };
        if (toDevNull)
        {
            // exec: the shell is replaced by the program, so both tools pay the same small extra cost.
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("exec \"$0\" \"$@\" > /dev/null");
            info.ArgumentList.Add(program);
        }

        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using Process p = Process.Start(info)!;
        string output = toDevNull ? "" : p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {p.ExitCode}");
        }

        return output;
    }

    /// <summary>Deterministic pseudo-random bytes (xorshift64), the same on every run.</summary>
    protected static void Noise(byte[] bytes, ulong seed)
    {
        ulong x = 0x9e3779b97f4a7c15UL * (seed + 1);
        for (int i = 0; i + 8 <= bytes.Length; i += 8)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            BitConverter.TryWriteBytes(bytes.AsSpan(i), x);
        }
    }

    private static string? Which(string program) => Environment.GetEnvironmentVariable("PATH")?.Split(':')
        .Select(d => Path.Combine(d, program)).FirstOrDefault(System.IO.File.Exists);
}

/// <summary>
/// Process wall time of one 32-bit read from a file: <c>iosys read FILE 0x10</c> (NativeAOT) against
/// <c>xxd -s 0x10 -l 4 FILE</c>, in the same run. Target (issue 4): iosys no slower (ratio at most 1.0).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 20)]
public class CliReadBenchmarks : CliBenchmarkBase
{
    [GlobalSetup]
    public void GlobalSetup()
    {
        Setup(4096, ["xxd"], b => Noise(b, 1));
        if (SkipReason is null)
        {
            string value = Run(Cli, ["read", File, "0x10"]).Trim();
            uint expected = BitConverter.ToUInt32(System.IO.File.ReadAllBytes(File), 0x10);
            if (value != $"0x{expected:x8}")
            {
                throw new InvalidOperationException($"iosys read printed '{value}', expected 0x{expected:x8}");
            }
        }
    }

    [Benchmark(Baseline = true, Description = "xxd -s 0x10 -l 4")]
    public string Xxd() => SkipReason is null ? Run("xxd", ["-s", "0x10", "-l", "4", File]) : "";

    [Benchmark(Description = "iosys read FILE 0x10")]
    public string IosysRead() => SkipReason is null ? Run(Cli, ["read", File, "0x10"]) : "";
}

/// <summary>
/// Throughput of a 64 MiB dump to /dev/null: <c>iosys dump FILE</c> (NativeAOT) against <c>hexdump -C FILE</c>.
/// Target (issue 4): at least 2x hexdump's throughput (ratio at most 0.5), with identical output, which the setup
/// checks on the whole file before timing anything. The data is random with runs of repeated lines, so both tools
/// also take their <c>*</c> path. Each run takes seconds: one invocation per iteration (Monitoring), and no
/// baseline mark, so the interleaved --paired runner (hundreds of rounds) leaves this class out.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 7)]
public class CliDumpBenchmarks : CliBenchmarkBase
{
    private const int Size = 64 << 20;

    [GlobalSetup]
    public void GlobalSetup()
    {
        Setup(Size, ["hexdump"], bytes =>
        {
            Noise(bytes, 2);
            for (int at = 0; at < bytes.Length; at += 1 << 20)
            {
                Array.Clear(bytes, at, 4096); // 4 KiB of zeros in every MiB: squeezed to one '*' line each.
            }
        });
        if (SkipReason is null)
        {
            string ours = Run(Cli, ["dump", File]);
            string theirs = Run("hexdump", ["-C", File]);
            if (ours != theirs)
            {
                throw new InvalidOperationException("iosys dump and hexdump -C printed different output for the benchmark file.");
            }
        }
    }

    [Benchmark(Description = "hexdump -C (64 MiB)")]
    public void Hexdump()
    {
        if (SkipReason is null)
        {
            Run("hexdump", ["-C", File], toDevNull: true);
        }
    }

    [Benchmark(Description = "iosys dump (64 MiB)")]
    public void IosysDump()
    {
        if (SkipReason is null)
        {
            Run(Cli, ["dump", File], toDevNull: true);
        }
    }
}
