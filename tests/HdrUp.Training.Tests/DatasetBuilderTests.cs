using System.Diagnostics;
using System.Runtime.InteropServices;
using HdrUp.Media;
using HdrUp.Metrics;
using HdrUp.Training.Dataset;

namespace HdrUp.Training.Tests;

/// <summary>
/// End-to-end builds on synthetic scene-referred EXRs made here with ffmpeg (no network, no
/// shared data): a 512×256 panorama (train) and a 176×176 photo under test/ (test), 160×160 frames.
/// </summary>
public sealed class DatasetBuilderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hdrup-ds-" + Guid.NewGuid().ToString("N")[..8]);

    public DatasetBuilderTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private string Sources => Path.Combine(_root, "sources");

    private DatasetBuildOptions Options(string outDir, params int[] qps) => SmallBuild(Sources, Path.Combine(_root, outDir), qps);

    /// <summary>One 160×160 view per panorama, no pans, the fastest x265 preset.</summary>
    internal static DatasetBuildOptions SmallBuild(string sources, string outDir, params int[] qps) => new()
    {
        SourcesDir = sources,
        OutDir = outDir,
        Qps = qps,
        Width = 160,
        Height = 160,
        Yaws = [0],
        Pitches = [0],
        Fovs = [90],
        PanCount = 0,
        X265Preset = "ultrafast",
    };

    /// <summary>Texture (so HEVC has something to lose), a smooth gradient and a highlight 2¹⁴ × the base level.</summary>
    private static float[] Scene(int w, int h, int seed)
    {
        var rng = new Random(seed);
        var planes = new float[3 * w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double t = 0.2 + 0.15 * Math.Sin(x * 0.7) * Math.Cos(y * 0.45) + 0.1 * rng.NextDouble() + 0.3 * x / w;
                bool spot = Math.Abs(x - w / 2) < 4 && Math.Abs(y - h / 2) < 4;
                for (int c = 0; c < 3; c++)
                    planes[c * w * h + y * w + x] = (float)(spot ? 3000 : t * (0.6 + 0.2 * c));
            }
        return planes;
    }

    internal static void WriteExr(string path, int w, int h, int seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var rgb = Scene(w, h, seed);
        int n = w * h;
        // ffmpeg's gbrpf32le order is G, B, R.
        var gbr = new float[3 * n];
        Array.Copy(rgb, n, gbr, 0, n);
        Array.Copy(rgb, 2 * n, gbr, n, n);
        Array.Copy(rgb, 0, gbr, 2 * n, n);
        string raw = path + ".raw";
        File.WriteAllBytes(raw, MemoryMarshal.AsBytes(gbr.AsSpan()).ToArray());
        Ffmpeg("-f", "rawvideo", "-pix_fmt", "gbrpf32le", "-s", $"{w}x{h}", "-i", raw, "-c:v", "exr", "-compression", "zip1", path);
        File.Delete(raw);
    }

    private static void Ffmpeg(params string[] args)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-v", "error", "-y" }.Concat(args)) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, err);
    }

    private void WriteSources()
    {
        WriteExr(Path.Combine(Sources, "pano.exr"), 512, 256, 1);
        WriteExr(Path.Combine(Sources, "test", "photo.exr"), 176, 176, 2);
    }

    [Fact]
    public async Task Builds_the_HDRTV1K_layout_reruns_without_work_and_higher_QP_loses_more()
    {
        WriteSources();
        var first = await DatasetBuilder.BuildAsync(Options("out", 47));
        string o = Path.Combine(_root, "out");

        var train = first.Manifest.Splits.Single(s => s.Name == "train");
        var test = first.Manifest.Splits.Single(s => s.Name == "test");
        // The cross-grading split is the test crops again with held-out operators and codecs.
        Assert.Equal(["train", "test", "cross"], first.Manifest.Splits.Select(s => s.Name));
        string trainName = Assert.Single(train.Frames).Name;
        string testName = Assert.Single(test.Frames).Name;
        Assert.Equal("0000_pano_y000d0_p+00_f090.png", trainName);
        Assert.Equal("0000_test-photo_r0c0.png", testName);
        // 3 frames (train, test, cross) × (HDR + uncompressed SDR + qp47).
        Assert.Equal(9, first.FilesWritten);

        foreach (var (split, name) in new[] { ("train", trainName), ("test", testName) })
        {
            var gt = Png16.Read(Path.Combine(o, $"{split}_hdr", name), out int gtDepth);
            var sdr = Png16.Read(Path.Combine(o, $"{split}_sdr", "uncompressed", name), out int sdrDepth);
            var qp = Png16.Read(Path.Combine(o, $"{split}_sdr", "qp47", name), out int qpDepth);
            Assert.Equal((16, 8, 8), (gtDepth, sdrDepth, qpDepth));
            Assert.All(new[] { gt, sdr, qp }, f => Assert.Equal((160, 160), (f.Width, f.Height)));
            // Nothing above the 1000 cd/m² master (PQ 0.75183), allowing half a 16-bit step of rounding.
            Assert.True(gt.Data.Max() <= HdrUp.Color.St2084.InverseEotf(1000) + 0.5 / 65535, $"GT peak {gt.Data.Max()}");
        }
        // The photo's 8×8 highlight (3000/median ≈ 10⁴ × the median) is in the centre crop and rolls off near the peak.
        var photoGt = Png16.Read(Path.Combine(o, "test_hdr", testName));
        Assert.InRange(photoGt[1, 80, 80], 0.74, 0.7519); // 0.74 = PQ(≈ 880 cd/m²), well up the shoulder
        Assert.True(File.Exists(first.ManifestPath));

        // Rerun with the same parameters: nothing written, files untouched.
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(o, "train_hdr", trainName));
        var again = await DatasetBuilder.BuildAsync(Options("out", 47));
        Assert.Equal(0, again.FilesWritten);
        Assert.Equal(9, again.FilesSkipped);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(o, "train_hdr", trainName)));

        // Adding a QP writes only that QP's three files.
        var more = await DatasetBuilder.BuildAsync(Options("out", 22, 47));
        Assert.Equal(3, more.FilesWritten);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(o, "train_hdr", trainName)));

        foreach (var (split, name) in new[] { ("train", trainName), ("test", testName) })
        {
            var reference = Png16.Read(Path.Combine(o, $"{split}_sdr", "uncompressed", name));
            double low = Psnr.Compute(Png16.Read(Path.Combine(o, $"{split}_sdr", "qp22", name)), reference);
            double high = Psnr.Compute(Png16.Read(Path.Combine(o, $"{split}_sdr", "qp47", name)), reference);
            // QP 22 vs 47 is 25 QP steps ≈ an 18× larger quantiser step: a clear PSNR gap, not noise.
            Assert.True(low > high + 3, $"{split}: PSNR at QP 22 = {low:F2} dB, at QP 47 = {high:F2} dB");
            Assert.True(high > 15, $"{split}: QP 47 PSNR {high:F2} dB is implausibly low (colour matrix mismatch?)");
        }

        // Other parameters in the same folder are refused rather than mixed.
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => DatasetBuilder.BuildAsync(Options("out", 47) with { Width = 168 }));
        Assert.Contains("other parameters", ex.Message);

        // So is another source set: a new source renumbers the frames that sort after it.
        WriteExr(Path.Combine(Sources, "another.exr"), 512, 256, 3);
        ex = await Assert.ThrowsAsync<InvalidDataException>(() => DatasetBuilder.BuildAsync(Options("out", 47)));
        Assert.Contains("other sources (new or changed: another; gone or changed: none)", ex.Message);
    }

    [Fact]
    public async Task Degraded_build_draws_a_recorded_recipe_per_training_frame_and_keeps_test_and_cross_apart()
    {
        WriteSources();
        var options = Options("deg", 37) with { Sdr = SdrTone.Degraded, Yaws = [0, 45, 90, 135, 180, 225, 270, 315], Fovs = [70, 100] };
        var built = await DatasetBuilder.BuildAsync(options);
        string o = Path.Combine(_root, "deg");
        var train = built.Manifest.Splits.Single(s => s.Name == "train").Frames;
        Assert.Equal(8, train.Count);
        foreach (var f in train)
        {
            // The manifest holds exactly the seeded draw, and every file came out at the frame size whatever the down-scale.
            Assert.Equal(SdrDegradation.DrawTraining(f.Name, options.Seed, options.PaperShare), f.Sdr);
            var decoded = Png16.Read(Path.Combine(o, "train_sdr", "qp37", f.Name));
            Assert.Equal((160, 160), (decoded.Width, decoded.Height));
        }
        // Eight draws from six operators and four codecs: the family is actually mixed.
        Assert.True(train.Select(f => f.Sdr!.Operator).Distinct().Count() >= 3);

        var test = Assert.Single(built.Manifest.Splits.Single(s => s.Name == "test").Frames);
        var cross = Assert.Single(built.Manifest.Splits.Single(s => s.Name == DatasetLayout.Cross).Frames);
        Assert.Equal(SdrRecipe.Paper, test.Sdr);
        Assert.Equal(SdrDegradation.Cross(0), cross.Sdr);
        // Same ground truth, different SDR: the cross split changes only how the SDR was made.
        Assert.Equal(test.Sha256["hdr"], cross.Sha256["hdr"]);
        Assert.NotEqual(test.Sha256["uncompressed"], cross.Sha256["uncompressed"]);
        double psnr = Psnr.Compute(Png16.Read(Path.Combine(o, "cross_sdr", "qp37", cross.Name)), Png16.Read(Path.Combine(o, "cross_sdr", "uncompressed", cross.Name)));
        Assert.True(psnr is > 20 and < 60, $"VP9 at the QP-37 level: {psnr:F2} dB against its uncompressed SDR");
    }

    [Fact]
    public async Task Rejects_an_8_bit_PNG_given_as_HDR_source()
    {
        Directory.CreateDirectory(Sources);
        string png = Path.Combine(Sources, "sdr.png");
        Ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x160:duration=1", "-frames:v", "1", png);
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => DatasetBuilder.BuildAsync(Options("out", 37)));
        Assert.Contains("sdr.png", ex.Message);
        Assert.Contains("not an HDR source", ex.Message);
    }

    [Fact]
    public async Task Rejects_a_photo_smaller_than_the_frame()
    {
        WriteExr(Path.Combine(Sources, "test", "tiny.exr"), 120, 96, 3);
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => DatasetBuilder.BuildAsync(Options("out", 37)));
        Assert.Contains("tiny.exr", ex.Message);
        Assert.Contains("smaller than the 160×160", ex.Message);
    }

    [Fact]
    public async Task Rejects_an_unreadable_file()
    {
        Directory.CreateDirectory(Sources);
        File.WriteAllText(Path.Combine(Sources, "broken.exr"), "not an image");
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => DatasetBuilder.BuildAsync(Options("out", 37)));
        Assert.Contains("broken.exr", ex.Message);
    }

    [Fact]
    public void Rejects_frame_sizes_that_are_not_multiples_of_8()
    {
        var ex = Assert.Throws<ArgumentException>(() => DatasetBuilder.BuildAsync(Options("out", 37) with { Width = 250 }).GetAwaiter().GetResult());
        Assert.Contains("250×160", ex.Message);
    }
}
