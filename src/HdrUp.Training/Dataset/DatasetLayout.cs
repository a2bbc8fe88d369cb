using System.Globalization;

namespace HdrUp.Training.Dataset;

/// <summary>
/// Where a dataset's folders and files are (docs/dataset.md, "Framing and layout"): the HDRTV1K layout the builder
/// writes and the trainer, the benches and HDRTV1K itself share — <c>SPLIT_hdr/</c> (16-bit PQ ground truth),
/// <c>SPLIT_sdr/VARIANT/</c> (8-bit SDR, <c>uncompressed</c> or <c>qpNN</c>), <c>manifest.json</c> — and the
/// samples step's <c>sources/</c> folder. Every other place asks this type rather than spelling a name.
/// </summary>
/// <param name="Root">The dataset folder (<c>hdrup dataset build --out</c>).</param>
public sealed record DatasetLayout(string Root)
{
    public const string Train = "train";
    public const string Test = "test";

    /// <summary>Camera pans over training panoramas, one sub-folder per source, for temporal stability.</summary>
    public const string Pan = "pan";

    /// <summary>The test crops with SDR from operators and codecs that training never uses.</summary>
    public const string Cross = "cross";

    /// <summary>The ground-truth variant: the <c>SPLIT_hdr</c> folder, and its key in the manifest's per-frame hashes.</summary>
    public const string Hdr = "hdr";

    /// <summary>The SDR variant before compression (<c>SPLIT_sdr/uncompressed</c>).</summary>
    public const string Uncompressed = "uncompressed";

    public const string ManifestFileName = "manifest.json";

    /// <summary>Sub-folder of the data folder that the samples step fills, and the builder's default input.</summary>
    public const string SourcesFolderName = "sources";

    /// <summary>Where <c>hdrup dataset build</c> writes and <c>hdrup train</c> reads by default.</summary>
    public static DatasetLayout Default { get; } = new(Path.Combine("data", "kpnet"));

    /// <summary>The SDR variant compressed at <paramref name="qp"/>: "qp37".</summary>
    public static string QpVariant(int qp) => QpPrefix + qp.ToString(CultureInfo.InvariantCulture);

    /// <summary>The QP of a <see cref="QpVariant"/> name ("qp37" → 37).</summary>
    public static int QpOf(string variant) =>
        variant.StartsWith(QpPrefix, StringComparison.Ordinal) && int.TryParse(variant.AsSpan(QpPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int qp)
            ? qp : throw new ArgumentException($"'{variant}' is not a QP variant such as qp37", nameof(variant));

    private const string QpPrefix = "qp";

    public string HdrFolder(string split) => Path.Combine(Root, $"{split}_{Hdr}");

    public string SdrFolder(string split, string variant) => Path.Combine(Root, $"{split}_sdr", variant);

    public string SdrFolder(string split, int qp) => SdrFolder(split, QpVariant(qp));

    /// <summary>The folder of a variant key as the manifest uses them: "hdr", "uncompressed", "qp37", ….</summary>
    public string Folder(string split, string variant) => variant == Hdr ? HdrFolder(split) : SdrFolder(split, variant);

    public string ManifestPath => Path.Combine(Root, ManifestFileName);

    /// <summary>
    /// Where the builder's ffmpeg processes write a split before its frames are moved into place; hidden, and emptied
    /// at the start of the split's next build, so a killed run's leftovers are never taken for frames.
    /// </summary>
    public string StagingFolder(string split) => Path.Combine(Root, $".tmp-{split}");

    /// <summary>The samples step's folder inside <paramref name="dataFolder"/> (<c>hdrup dataset samples --dir</c>).</summary>
    public static string SourcesFolder(string dataFolder) => Path.Combine(dataFolder, SourcesFolderName);

    public static string SourceManifestPath(string sourcesFolder) => Path.Combine(sourcesFolder, ManifestFileName);

    /// <summary>Where one origin's package is downloaded and unpacked before its images are moved into place.</summary>
    public static string DownloadFolder(string sourcesFolder, string origin) => Path.Combine(sourcesFolder, ".download-" + origin);

    /// <summary>In a folder of your own sources (no manifest), files below a folder of this name go to the test split.</summary>
    public const string LocalTestFolderName = Test;
}
