using Xunit.Abstractions;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Media.Tests;

public class SdrVideoReaderTests(ITestOutputHelper output)
{
    // Six saturated and mid colours in 16×16 blocks: far apart under BT.601 vs BT.709, so a wrong
    // matrix shows up as errors of tens of codes (e.g. pure red decodes as ~(255, 4, 0)+ shifts).
    private static readonly byte[][] Palette =
    [
        [255, 0, 0], [0, 255, 0], [0, 0, 255], [200, 150, 50], [30, 90, 220], [128, 128, 128],
    ];

    private const int W = 48, H = 32, Frames = 3;

    private static byte[] KnownFrames()
    {
        var bytes = new byte[Frames * W * H * 3];
        for (int f = 0; f < Frames; f++)
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
        {
            byte[] c = Palette[(f + (y / 16) * 3 + x / 16) % Palette.Length];
            c.CopyTo(bytes, ((f * H + y) * W + x) * 3);
        }
        return bytes;
    }

    private static double MaxError(byte[] known, IReadOnlyList<SdrFrame> frames)
    {
        double worst = 0;
        for (int f = 0; f < frames.Count; f++)
        for (int c = 0; c < 3; c++)
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
        {
            double expected = known[((f * H + y) * W + x) * 3 + c] / 255.0;
            worst = Math.Max(worst, Math.Abs(frames[f].Rgb[c, y, x] - expected));
        }
        return worst;
    }

    // Lossless 4:4:4 leaves only 8-bit Y'CbCr rounding: each of Y', Cb, Cr is off by ≤ ½ code, and
    // R' = Y' + 1.57 Cr, B' = Y' + 1.86 Cb (BT.709) amplify that to ≤ ~1.5 codes → 2/255 allowed.
    private const double RoundTripTolerance = 2.0 / 255;

    [Theory]
    [InlineData("bt709", "bt709")]
    [InlineData("bt601", "bt470bg")]
    [InlineData("bt601", "smpte170m")]
    public void Known_colours_come_back_with_the_tagged_matrix(string encodeMatrix, string tag)
    {
        using var temp = new TempFolder();
        string path = temp.File("known.mkv");
        byte[] known = KnownFrames();
        Cli.EncodeKnownRgb(path, known, W, H, encodeMatrix, tag);
        var warnings = new List<string>();

        using var reader = SdrVideoReader.Open(path, new SdrReaderOptions { Warning = warnings.Add });
        var frames = reader.ReadFrames().ToList();

        Assert.Equal(Frames, frames.Count);
        Assert.Equal((W, H), (reader.Width, reader.Height));
        Assert.Equal(tag == "bt709" ? "bt709" : tag == "bt470bg" ? "bt470" : "smpte170m", reader.Matrix);
        Assert.Empty(warnings);
        output.WriteLine($"{tag}: worst error {MaxError(known, frames) * 255:F2} codes");
        Assert.InRange(MaxError(known, frames), 0, RoundTripTolerance);
        // Timing: 25 fps from the encode, so frame k is at k/25 s.
        Assert.Equal([0.0, 0.04, 0.08], frames.Select(f => Math.Round(f.Pts, 6)));
    }

    [Fact]
    public void Untagged_clip_is_read_as_bt709_with_a_warning()
    {
        using var temp = new TempFolder();
        string path = temp.File("untagged.mkv");
        byte[] known = KnownFrames();
        Cli.EncodeKnownRgb(path, known, W, H, "bt709", tag: null);
        var warnings = new List<string>();

        using var reader = SdrVideoReader.Open(path, new SdrReaderOptions { Warning = warnings.Add });
        var frames = reader.ReadFrames().ToList();

        Assert.Contains("untagged.mkv: no colour matrix tag; assuming BT.709", warnings);
        Assert.Equal("bt709", reader.Matrix);
        Assert.InRange(MaxError(known, frames), 0, RoundTripTolerance);
    }

    [Fact]
    public void Wrong_matrix_would_be_far_off()
    {
        // Guards the tests above: BT.601 data read as BT.709 must fail the tolerance by a wide margin.
        using var temp = new TempFolder();
        string path = temp.File("mislabelled.mkv");
        byte[] known = KnownFrames();
        Cli.EncodeKnownRgb(path, known, W, H, "bt601", "bt709");

        using var reader = SdrVideoReader.Open(path);
        Assert.True(MaxError(known, reader.ReadFrames().ToList()) > 10.0 / 255);
    }

    [Fact]
    public void Sample_decodes_to_75_frames_at_25_fps()
    {
        using var reader = SdrVideoReader.Open(Repo.Sample);
        int count = 0;
        double lastPts = -1;
        var bytes = new byte[3 * reader.Width * reader.Height];
        while (reader.ReadFrame(bytes, out double pts))
        {
            Assert.Equal(count / 25.0, pts, 6);
            lastPts = pts;
            count++;
        }

        Assert.Equal((480, 270), (reader.Width, reader.Height));
        Assert.Equal(new Rational(25, 1), reader.FrameRate);
        Assert.Equal(75, count);
        Assert.Equal(2.96, lastPts, 6);
    }

    [Fact]
    public void Odd_size_is_cropped_and_anamorphic_is_widened()
    {
        using var temp = new TempFolder();
        string odd = temp.File("odd.mp4"), wide = temp.File("wide.mkv");
        Cli.Ffmpeg("-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=s=65x49:r=10:d=0.2",
            "-c:v", "libx264", "-pix_fmt", "yuv444p", "-preset", "ultrafast", odd);
        // 64×48 at SAR 64:45 (PAL 16:9 DVD pixels) shows 91.02×48 → 92×48 after rounding to even.
        Cli.Ffmpeg("-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=s=64x48:r=10:d=0.2", "-vf", "setsar=64/45",
            "-c:v", "libx264", "-preset", "ultrafast", wide);

        using var oddReader = SdrVideoReader.Open(odd);
        using var wideReader = SdrVideoReader.Open(wide);

        Assert.Equal((64, 48), (oddReader.Width, oddReader.Height));
        Assert.Equal(2, oddReader.ReadFrames().Count());
        Assert.Equal((92, 48), (wideReader.Width, wideReader.Height));
        Assert.Equal(2, wideReader.ReadFrames().Count());
    }

    [Fact]
    public void Rotated_clip_comes_out_upright()
    {
        using var temp = new TempFolder();
        string plain = temp.File("plain.mp4"), rotated = temp.File("rotated.mp4");
        Cli.Ffmpeg("-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=s=64x48:r=10:d=0.2",
            "-c:v", "libx264", "-preset", "ultrafast", plain);
        Cli.Ffmpeg("-loglevel", "error", "-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated);

        using var reader = SdrVideoReader.Open(rotated);

        Assert.Equal((48, 64), (reader.Width, reader.Height));
        Assert.Equal(2, reader.ReadFrames().Count());
    }

    [Fact]
    public void Image_sequence_and_single_image_are_read()
    {
        using var temp = new TempFolder();
        for (int i = 1; i <= 3; i++)
        {
            var frame = new RgbPlanarFrame(8, 6);
            frame.Plane(0).Fill(i * 50 / 255f);
            frame.Plane(1).Fill(10 / 255f);
            frame.Plane(2).Fill(1f);
            Png16.Write(temp.File($"f{i:000}.png"), frame);
        }

        using var sequence = SdrVideoReader.Open(temp.File("f%03d.png"), new SdrReaderOptions { SequenceFrameRate = new Rational(24, 1) });
        var frames = sequence.ReadFrames().ToList();
        using var single = SdrVideoReader.Open(temp.File("f002.png"));
        var one = single.ReadFrames().ToList();

        Assert.Equal(3, frames.Count);
        Assert.Equal("rgb", sequence.Matrix);
        // 16-bit PNG of code/255 reduced to 8 bits: exact codes back (within float rounding).
        Assert.Equal([50 / 255f, 100 / 255f, 150 / 255f], frames.Select(f => f.Rgb[0, 3, 4]));
        Assert.Equal(1 / 24.0, frames[1].Pts, 6);
        Assert.Single(one);
        Assert.Equal(100 / 255f, one[0].Rgb[0, 0, 0]);
        Assert.Equal(10 / 255f, one[0].Rgb[1, 0, 0]);
    }

    [Fact]
    public void Truncated_faststart_mp4_fails_at_the_end_with_the_decoder_message()
    {
        using var temp = new TempFolder();
        string path = temp.File("half.mp4");
        // The sample keeps its index first (faststart), so half of it still probes as 75 frames.
        byte[] whole = File.ReadAllBytes(Repo.Sample);
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);

        using var reader = SdrVideoReader.Open(path);
        var e = Assert.Throws<InvalidDataException>(() => reader.ReadFrames().Count());
        output.WriteLine(e.Message);
        Assert.StartsWith("half.mp4: truncated or unreadable (ffmpeg: ", e.Message);
        Assert.Contains("partial file", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Variable_rate_clip_keeps_its_timestamps_or_is_made_constant()
    {
        using var temp = new TempFolder();
        string path = temp.File("vfr.mp4");
        // Ten frames: five 0.1 s apart, then five 0.2 s apart → 1.4 s, average 50/7 fps, base rate 10 fps.
        Cli.Ffmpeg("-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=s=64x48:r=10:d=1",
            "-vf", "setpts='if(lt(N,5),N*0.1,0.5+(N-5)*0.2)/TB'", "-fps_mode", "passthrough",
            "-c:v", "libx264", "-preset", "ultrafast", path);
        var warnings = new List<string>();

        using var passthrough = SdrVideoReader.Open(path, new SdrReaderOptions { ConstantFrameRate = false });
        var kept = passthrough.ReadFrames().Select(f => Math.Round(f.Pts, 3)).ToList();
        using var constant = SdrVideoReader.Open(path, new SdrReaderOptions { Warning = warnings.Add });
        var resampled = constant.ReadFrames().Select(f => Math.Round(f.Pts, 3)).ToList();

        Assert.True(passthrough.Info.IsVariableFrameRate);
        Assert.Equal(new Rational(50, 7), constant.FrameRate);
        // The file's own timestamps (ffprobe -show_entries packet=pts_time): setpts truncates
        // (0.5 + 0.2) / 0.1 = 6.999… to 6, so the seventh frame sits at 0.6 s, not 0.7 s.
        Assert.Equal([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.9, 1.1, 1.3], kept);
        // 1.4 s at 50/7 fps is 10 frames, 0.14 s apart.
        Assert.Equal(Enumerable.Range(0, 10).Select(k => Math.Round(k * 0.14, 3)), resampled);
        Assert.Contains(warnings, w => w.Contains("variable frame rate"));
    }

    [Fact]
    public void Cancellation_stops_decoding()
    {
        using var cts = new CancellationTokenSource();
        using var reader = SdrVideoReader.Open(Repo.Sample);
        int read = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var _ in reader.ReadFrames(cts.Token))
                if (++read == 2) cts.Cancel();
        });
        Assert.Equal(2, read);
    }
}
