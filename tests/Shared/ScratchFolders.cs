using System.Diagnostics;

namespace HdrUp.TestSupport;

/// <summary>
/// Temporary folders for tests that cannot dispose their own (clips shared by a test class, files a CLI run leaves):
/// all under one folder per test process, named by its process id. The test host is stopped rather than exited, so
/// no exit handler runs; instead each new test process deletes the folders of processes that are gone. Folders made
/// per test and never removed filled the CI machine's disk over many runs.
/// </summary>
internal static class ScratchFolders
{
    private const string Prefix = "hdrup-tests-";

    private static readonly Lazy<string> Root = new(() =>
    {
        foreach (string stale in Directory.GetDirectories(Path.GetTempPath(), Prefix + "*"))
            if (OwnerGone(Path.GetFileName(stale)))
                try { Directory.Delete(stale, recursive: true); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
        return Directory.CreateTempSubdirectory($"{Prefix}{Environment.ProcessId}-").FullName;
    });

    /// <summary>A fresh, empty folder of its own.</summary>
    public static string Create()
    {
        string dir = Path.Combine(Root.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static bool OwnerGone(string name)
    {
        string[] parts = name[Prefix.Length..].Split('-');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int pid)) return false; // not ours: leave it
        try
        {
            using var owner = Process.GetProcessById(pid);
            return owner.HasExited;
        }
        catch (ArgumentException) { return true; } // no such process
    }
}
