using System.Globalization;
using HdrUp.Core;

namespace HdrUp.Bench.Reports;

/// <summary>
/// Where and how every bench writes its report: bench/results/NAME-yyyyMMdd-HHmm.md with a data twin (JSON or CSV) and any
/// figures beside it, each written atomically.
/// </summary>
public static class BenchReport
{
    /// <summary>FOLDER/NAME-yyyyMMdd-HHmm: the common start of one report's files.</summary>
    public static string Stem(string folder, string name) =>
        Path.Combine(folder, $"{name}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture)}");

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
        return written;
    }
}
