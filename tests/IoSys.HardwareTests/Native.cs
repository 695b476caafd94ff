using System.Runtime.InteropServices;

namespace IoSys.HardwareTests;

/// <summary>The few libc calls the tests need beyond IoSys.Linux: spawning a child to watch it die, and pinned pages for DMA.</summary>
internal static unsafe partial class Native
{
    public const int PROT_READ = 1, PROT_WRITE = 2;
    public const int MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_POPULATE = 0x8000;
    public const int O_WRONLY = 1, O_CREAT = 0x40, O_TRUNC = 0x200;
    public const int SIGBUS = 7, SIGSEGV = 11;

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint addr, nuint length);

    [LibraryImport("libc", EntryPoint = "mlock", SetLastError = true)]
    public static partial int Mlock(nint addr, nuint length);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int FileActionsInit(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FileActionsAddOpen(void* actions, int fd, string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int FileActionsDestroy(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    public static partial int PosixSpawn(out int pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, out int status, int options);

    /// <summary>How a child ended, from its raw wait status (not .NET's 128+signal folding).</summary>
    public readonly record struct ChildResult(bool Signaled, int Signal, int ExitCode, string Output)
    {
        public override string ToString() => Signaled
            ? $"killed by signal {Signal} ({SignalName(Signal)}; a shell reports exit {128 + Signal})"
            : $"exited with status {ExitCode}";
    }

    public static string SignalName(int signal) => signal switch
    {
        4 => "SIGILL",
        6 => "SIGABRT",
        SIGBUS => "SIGBUS",
        SIGSEGV => "SIGSEGV",
        9 => "SIGKILL",
        _ => "signal " + signal,
    };

    /// <summary>
    /// Runs this executable again with <paramref name="arguments"/>, stdout and stderr to a file, and waits.
    /// posix_spawn (not fork) because a .NET process must not fork; waitpid for the exact signal.
    /// </summary>
    public static ChildResult RunSelf(string outputPath, params string[] arguments)
    {
        string self = Environment.ProcessPath ?? throw new CheckFailedException("Environment.ProcessPath is null: cannot re-execute the test program");
        string[] argv = [self, .. arguments];
        string[] envp = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}").ToArray();
        var handles = new List<nint>();
        byte* Utf8(string s)
        {
            nint p = Marshal.StringToCoTaskMemUTF8(s);
            handles.Add(p);
            return (byte*)p;
        }

        // SAFETY: every string is copied to unmanaged memory freed only after posix_spawn returned; argv and envp are
        // NULL-terminated arrays sized for their strings; posix_spawn_file_actions_t is 80 bytes in glibc (x86-64 and
        // arm64) and 256 leaves room.
        byte* actions = stackalloc byte[256];
        int pid;
        try
        {
            byte** args = stackalloc byte*[argv.Length + 1];
            for (int i = 0; i < argv.Length; i++)
            {
                args[i] = Utf8(argv[i]);
            }

            args[argv.Length] = null;
            byte** env = (byte**)NativeMemory.Alloc((nuint)(envp.Length + 1), (nuint)sizeof(byte*));
            try
            {
                for (int i = 0; i < envp.Length; i++)
                {
                    env[i] = Utf8(envp[i]);
                }

                env[envp.Length] = null;
                Check.Equal(0, FileActionsInit(actions), "posix_spawn_file_actions_init");
                try
                {
                    Check.Equal(0, FileActionsAddOpen(actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0x1a4), "posix_spawn_file_actions_addopen");
                    Check.Equal(0, FileActionsAddOpen(actions, 2, outputPath, O_WRONLY, 0), "posix_spawn_file_actions_addopen (stderr)");
                    int rc = PosixSpawn(out pid, args[0], actions, null, args, env);
                    Check.Equal(0, rc, $"posix_spawn {self} (errno)");
                }
                finally
                {
                    _ = FileActionsDestroy(actions);
                }
            }
            finally
            {
                NativeMemory.Free(env);
            }
        }
        finally
        {
            foreach (nint h in handles)
            {
                Marshal.FreeCoTaskMem(h);
            }
        }

        int status;
        while (WaitPid(pid, out status, 0) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Check.True(errno == 4, $"waitpid({pid}) failed with errno {errno}");   // EINTR: retry
        }

        string output = File.Exists(outputPath) ? File.ReadAllText(outputPath) : "";
        int low = status & 0x7f;
        return low == 0
            ? new ChildResult(false, 0, (status >> 8) & 0xff, output)
            : new ChildResult(true, low, 0, output);
    }
}
