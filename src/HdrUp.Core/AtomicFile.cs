namespace HdrUp.Core;

/// <summary>
/// The one way HdrUp puts a file in place: written under a temporary sibling with a unique name, flushed to disk,
/// renamed over the target. Readers (and a rerun after a crash) see the old file or the complete new one, never a
/// torn one; a leftover temporary from a killed run ends in <see cref="TemporarySuffix"/>, so no output pattern
/// (<c>*.png</c>, <c>*.state</c>, <c>*.safetensors</c>) takes it for a result.
/// </summary>
public static class AtomicFile
{
    /// <summary>Temporary files are named <c>.NAME.GUID.tmp</c> beside the target.</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>Refuses to replace an existing file unless <paramref name="force"/>: no output is overwritten silently.</summary>
    /// <exception cref="IOException">One line naming the file and the option.</exception>
    public static void RefuseOverwrite(string path, bool force)
    {
        if (File.Exists(path) && !force)
            throw new IOException($"{Path.GetFileName(Path.GetFullPath(path))}: already exists; pass --force to overwrite it");
    }

    /// <summary>
    /// Reserves a temporary path beside <paramref name="path"/> (creating the folder) for a writer that is not a
    /// delegate, e.g. an ffmpeg process given <see cref="PendingFile.TemporaryPath"/> as its output.
    /// <see cref="PendingFile.Commit"/> flushes and renames it; disposing without a commit deletes it.
    /// </summary>
    public static PendingFile Begin(string path)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        return new PendingFile(full, Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}{TemporarySuffix}"));
    }

    /// <summary>
    /// Runs <paramref name="write"/> on a temporary file beside <paramref name="path"/>, flushes it to disk and renames it
    /// over <paramref name="path"/>. If <paramref name="write"/> throws, the temporary file is deleted and an existing
    /// <paramref name="path"/> is left untouched.
    /// </summary>
    public static void Write(string path, Action<string> write)
    {
        using var pending = Begin(path);
        write(pending.TemporaryPath);
        pending.Commit();
    }

    /// <summary><see cref="Write(string, Action{string})"/> with a stream.</summary>
    public static void Write(string path, Action<Stream> write) =>
        Write(path, (string temporary) =>
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write);
            write(stream);
        });

    /// <summary><see cref="Write(string, Action{string})"/> of a UTF-8 text.</summary>
    public static void WriteAllText(string path, string text) => Write(path, (string temporary) => File.WriteAllText(temporary, text));

    /// <summary>
    /// Puts a finished file that was written elsewhere on the same volume (a staging folder a batch process filled)
    /// at <paramref name="path"/>: flushed to disk, then renamed over it, so that a power cut after the rename
    /// cannot leave an empty file where a rerun expects a complete one.
    /// </summary>
    public static void MoveIntoPlace(string finished, string path)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        FlushToDisk(finished);
        File.Move(finished, full, overwrite: true);
    }

    internal static void FlushToDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Flush(flushToDisk: true);
    }
}

/// <summary>A file being written under a temporary name (<see cref="AtomicFile.Begin"/>).</summary>
public sealed class PendingFile : IDisposable
{
    internal PendingFile(string path, string temporaryPath)
    {
        Path = path;
        TemporaryPath = temporaryPath;
    }

    /// <summary>The full path the file gets on <see cref="Commit"/>.</summary>
    public string Path { get; }

    /// <summary>Where the writer puts the content; nothing is created here until the writer does.</summary>
    public string TemporaryPath { get; }

    public bool IsCommitted { get; private set; }

    /// <summary>Flushes the temporary file to disk and renames it over <see cref="Path"/>.</summary>
    /// <exception cref="FileNotFoundException">The writer produced no file.</exception>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(IsCommitted, this);
        if (!File.Exists(TemporaryPath))
            throw new FileNotFoundException($"{System.IO.Path.GetFileName(Path)}: nothing was written", TemporaryPath);
        AtomicFile.FlushToDisk(TemporaryPath);
        File.Move(TemporaryPath, Path, overwrite: true);
        IsCommitted = true;
    }

    /// <summary>Without a <see cref="Commit"/>, deletes whatever the writer left at <see cref="TemporaryPath"/>.</summary>
    public void Dispose()
    {
        if (IsCommitted) return;
        try
        {
            File.Delete(TemporaryPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the leftover ends in .tmp, which no output pattern matches.
        }
    }
}
