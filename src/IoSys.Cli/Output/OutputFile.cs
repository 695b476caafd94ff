using IoSys.Cli.Targets;
using IoSys.Linux;

namespace IoSys.Cli.Output;

/// <summary>
/// A file a command writes (save's FILE, dump's --output), written safely: the path must not be the command's own
/// target (same device and inode, whatever the path: symlinks and hard links included), and the bytes go to a new
/// temporary file in the same directory that is renamed over the path only once complete (and removed on failure),
/// so an existing file is never truncated, and a failed or refused command leaves it as it was.
/// </summary>
internal sealed class OutputFile : IDisposable
{
    private readonly string _temporary;
    private readonly string _final;
    private bool _committed;

    private OutputFile(string final, string temporary, FileStream stream)
    {
        _final = final;
        _temporary = temporary;
        Stream = stream;
    }

    /// <summary>Where to write.</summary>
    public FileStream Stream { get; }

    /// <summary>
    /// Checks <paramref name="path"/> against <paramref name="source"/> and creates the temporary file. Nothing at
    /// <paramref name="path"/> is touched.
    /// </summary>
    /// <exception cref="CliRuntimeException">The path is the target itself, or exists and is not a regular file.</exception>
    public static OutputFile Create(string path, OpenTarget source)
    {
        // The rename replaces the last component: resolve a symlink at the path, so the link keeps pointing at the output.
        string final = Path.GetFullPath(path);
        if (new FileInfo(final).LinkTarget is not null)
        {
            final = new FileInfo(final).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? final;
        }

        UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        if (FileStatus.TryGet(final, out FileStatus existing))
        {
            if (source.File is { } target && existing.IsSameFile(target))
            {
                throw new CliRuntimeException(
                    $"output '{path}' is the target {source.Spec.Text} itself (the same file): writing it would destroy what is being read; choose another output file");
            }

            if (existing.Kind != FileKind.Regular)
            {
                throw new CliRuntimeException($"output '{path}' exists and is not a regular file; write to a regular file (or redirect standard output)");
            }

            mode = existing.Mode; // A replaced file keeps its permissions.
        }

        string directory = Path.GetDirectoryName(final) ?? ".";
        if (!Directory.Exists(directory))
        {
            throw new CliRuntimeException($"cannot write '{path}': its directory '{directory}' does not exist");
        }

        string temporary = Path.Join(directory, $".{Path.GetFileName(final)}.iosys-{Environment.ProcessId}-{Random.Shared.Next():x8}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew, // Never an existing file, nor through a symlink planted at the name.
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 1 << 16,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode & (UnixFileMode)0x1ff;
        }

        return new OutputFile(final, temporary, new FileStream(temporary, options));
    }

    /// <summary>Flushes the data and renames the temporary file over the output path.</summary>
    public void Commit()
    {
        Stream.Flush(flushToDisk: true);
        Stream.Dispose();
        File.Move(_temporary, _final, overwrite: true);
        _committed = true;
    }

    /// <summary>Removes the temporary file unless <see cref="Commit"/> ran.</summary>
    public void Dispose()
    {
        if (_committed)
        {
            return;
        }

        try
        {
            Stream.Dispose(); // May flush into a full disk: the command's own error is the one to report.
        }
        catch (IOException)
        {
        }

        {
            try
            {
                File.Delete(_temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the command's own error is the one to report.
            }
        }
    }
}
