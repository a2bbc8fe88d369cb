using HdrUp.Training.Dataset;
using HdrUp.Training.Train;

namespace HdrUp.Training.Tests;

public class DatasetLayoutTests
{
    private static readonly DatasetLayout Out = new("out");

    // The folder names of docs/dataset.md, "Framing and layout" (out/train_hdr/…, out/train_sdr/qp37/…), which are
    // HDRTV1K's: a layout that drifts from them no longer reads HDRTV1K or the datasets already built.
    [Theory]
    [InlineData(DatasetLayout.Train, "out/train_hdr")]
    [InlineData(DatasetLayout.Test, "out/test_hdr")]
    [InlineData(DatasetLayout.Pan, "out/pan_hdr")]
    [InlineData(DatasetLayout.Cross, "out/cross_hdr")]
    public void Ground_truth_folders_are_the_documented_ones(string split, string expected)
    {
        Assert.Equal(expected, Out.HdrFolder(split));
        Assert.Equal(expected, Out.Folder(split, DatasetLayout.Hdr));
    }

    [Theory]
    [InlineData(DatasetLayout.Train, 37, "out/train_sdr/qp37")]
    [InlineData(DatasetLayout.Test, 32, "out/test_sdr/qp32")]
    [InlineData(DatasetLayout.Pan, 42, "out/pan_sdr/qp42")]
    [InlineData(DatasetLayout.Cross, 47, "out/cross_sdr/qp47")]
    public void Sdr_folders_are_the_documented_ones(string split, int qp, string expected)
    {
        Assert.Equal(expected, Out.SdrFolder(split, qp));
        Assert.Equal(expected, Out.Folder(split, DatasetLayout.QpVariant(qp)));
        Assert.Equal(qp, DatasetLayout.QpOf(DatasetLayout.QpVariant(qp)));
    }

    [Fact]
    public void Uncompressed_sdr_manifest_and_sources_are_the_documented_ones()
    {
        Assert.Equal("out/train_sdr/uncompressed", Out.SdrFolder(DatasetLayout.Train, DatasetLayout.Uncompressed));
        Assert.Equal("out/manifest.json", Out.ManifestPath);
        // hdrup dataset samples --dir data → data/sources/<origin>/ + data/sources/manifest.json
        Assert.Equal("data/sources", DatasetLayout.SourcesFolder("data"));
        Assert.Equal("data/sources/manifest.json", DatasetLayout.SourceManifestPath(DatasetLayout.SourcesFolder("data")));
        // Hidden working folders, never a split or an origin folder.
        Assert.Equal("out/.tmp-train", Out.StagingFolder(DatasetLayout.Train));
        Assert.Equal("data/sources/.download-blender-data", DatasetLayout.DownloadFolder("data/sources", "blender-data"));
    }

    [Theory]
    [InlineData("uncompressed")]
    [InlineData("qp")]
    [InlineData("qp-3")]
    [InlineData("QP37")]
    public void Qp_of_a_name_that_is_no_qp_variant_is_refused(string variant) =>
        Assert.Equal($"'{variant}' is not a QP variant such as qp37 (Parameter 'variant')",
            Assert.Throws<ArgumentException>(() => DatasetLayout.QpOf(variant)).Message);

    [Fact]
    public void Training_defaults_read_what_the_builder_writes_by_default()
    {
        // docs/dataset.md: hdrup dataset build [--out data/kpnet]; docs/training.md: the paper recipe trains on data/kpnet.
        Assert.Equal("data/kpnet", DatasetLayout.Default.Root);
        Assert.Equal("data/kpnet/train_hdr", new TrainDataOptions().DatarootGt);
        Assert.Equal("data/kpnet/train_sdr/qp37", new TrainDataOptions().DatarootLq);
        Assert.Equal("data/kpnet/test_hdr", new ValDataOptions().DatarootGt);
        Assert.Equal("data/kpnet/test_sdr/qp37", new ValDataOptions().DatarootLq);
    }

    [Fact]
    public void Every_layout_name_appears_in_docs_dataset_md()
    {
        string doc = File.ReadAllText(Path.Combine(Train.ScheduleAndOptionsTests.RepoRoot(), "docs", "dataset.md"));
        var documented = new List<string>
        {
            Out.SdrFolder(DatasetLayout.Train, DatasetLayout.Uncompressed) + "/",
            Out.SdrFolder(DatasetLayout.Train, 37) + "/",
            Out.ManifestPath,
            DatasetLayout.SourceManifestPath(DatasetLayout.SourcesFolder("data")),
            $"--out {DatasetLayout.Default.Root}",
        };
        foreach (string split in new[] { DatasetLayout.Train, DatasetLayout.Test, DatasetLayout.Pan, DatasetLayout.Cross })
        {
            documented.Add(Path.GetFileName(Out.HdrFolder(split)) + "/");
            documented.Add(Path.GetFileName(Path.GetDirectoryName(Out.SdrFolder(split, 37))) + "/");
        }
        Assert.All(documented, name => Assert.Contains(name, doc));
    }
}
