namespace HdrUp.Core;

/// <summary>Writes a file through a temporary sibling and a rename, so readers only ever see a complete file.</summary>
public static class AtomicFile
{
    /// <summary>Temporary files are named <c>.NAME.GUID.tmp</c> beside the target.</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>
    /// Runs <paramref name="write"/> on a temporary file beside <paramref name="path"/>, flushes it to disk and renames it
    /// over <paramref name="path"/>. If <paramref name="write"/> throws, the temporary file is deleted and an existing
    /// <paramref name="path"/> is left untouched.
    /// </summary>
    public static void Write(string path, Action<string> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string temporary = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            write(temporary);
            using (var fs = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite)) fs.Flush(flushToDisk: true);
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { }
            throw;
        }
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
}
