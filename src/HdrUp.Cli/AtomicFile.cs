namespace HdrUp.Cli;

/// <summary>Text outputs written beside their destination under a temporary name, then renamed: never half-written.</summary>
internal static class AtomicFile
{
    public static void WriteAllText(string path, string text)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temp, text);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
