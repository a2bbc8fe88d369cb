using System.Globalization;
using HdrUp.Core;

namespace HdrUp.Bench.Reports;

/// <summary>
/// Where and how every bench writes its report: bench/results/NAME-yyyyMMdd-HHmm.md with a data twin (JSON or CSV) and any
/// figures beside it, each written atomically.
/// </summary>
public static class BenchReport
{
    // Claims this process holds and has not written yet: a bench that fails or is cancelled after taking its name gives the
    // name back when the process ends, so no claim file is left in the reports folder.
    private static readonly HashSet<string> Unwritten = [];

    static BenchReport() => AppDomain.CurrentDomain.ProcessExit += (_, _) => ReleaseClaims();

    /// <summary>
    /// FOLDER/NAME-yyyyMMdd-HHmm: the common start of one report's files, claimed for this run (a hidden claim file, removed by
    /// <see cref="Write"/>, or when the process ends if the bench never wrote), so that two benches started in the same minute do not write over each other's reports: the second
    /// gets NAME-yyyyMMdd-HHmm-2, and so on.
    /// </summary>
    public static string Stem(string folder, string name, DateTime? utcNow = null)
    {
        Directory.CreateDirectory(folder);
        string first = Path.Combine(folder, $"{name}-{(utcNow ?? DateTime.UtcNow).ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture)}");
        for (int n = 1; ; n++)
        {
            string stem = n == 1 ? first : $"{first}-{n.ToString(CultureInfo.InvariantCulture)}";
            if (File.Exists(stem + ".md")) continue;
            try
            {
                using (new FileStream(ClaimPath(stem), FileMode.CreateNew)) { }
                lock (Unwritten) Unwritten.Add(ClaimPath(stem));
                return stem;
            }
            catch (IOException) when (File.Exists(ClaimPath(stem)))
            {
                // Claimed by a bench still running (or killed before it wrote): take the next name.
            }
        }
    }

    private static string ClaimPath(string stem) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(stem))!, "." + Path.GetFileName(stem) + ".claim");

    /// <summary>Writes STEM.md, its data twin and any extra files (STEM + suffix); returns the files written.</summary>
    public static IReadOnlyList<string> Write(string stem, string markdown, (string Extension, string Text) data,
        IReadOnlyList<(string Suffix, Action<Stream> Write)>? extras = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(stem))!);
        var written = new List<string> { stem + ".md", $"{stem}.{data.Extension}" };
        AtomicFile.WriteAllText(written[0], markdown);
        AtomicFile.WriteAllText(written[1], data.Text);
        foreach (var (suffix, write) in extras ?? [])
        {
            AtomicFile.Write(stem + suffix, write);
            written.Add(stem + suffix);
        }
        Release(ClaimPath(stem));
        return written;
    }

    /// <summary>Removes the claims of every stem this process took and did not write (run when the process ends).</summary>
    public static void ReleaseClaims()
    {
        string[] claims;
        lock (Unwritten) claims = [.. Unwritten];
        foreach (string claim in claims) Release(claim);
    }

    private static void Release(string claim)
    {
        try
        {
            File.Delete(claim);
        }
        catch (DirectoryNotFoundException)
        {
            // The reports folder went away with its claim (a test's temporary folder, a folder removed by hand).
        }
        lock (Unwritten) Unwritten.Remove(claim);
    }
}
