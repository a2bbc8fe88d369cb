using System.Globalization;
using HdrUp.Color;
using HdrUp.Core;
using HdrUp.TestSupport;
using Xunit.Abstractions;

namespace HdrUp.Media.Tests;

/// <summary>
/// The reader shows every input the way a player does: display matrices (turns and mirrors), full or
/// limited range, interlaced fields, non-square pixels and streams whose first frames do not decode.
/// The clips are made here by ffmpeg, a few frames of 48–720 pixels each.
/// </summary>
public class SdrVideoReaderInputTests(ITestOutputHelper output)
{
    private const int W = 48, H = 32;

    /// <summary>Every pixel different and no symmetry: any wrong turn or mirror moves values.</summary>
    private static byte[] Asymmetric(int frames)
    {
        var bytes = new byte[frames * W * H * 3];
        for (int f = 0; f < frames; f++)
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
        {
            int i = ((f * H + y) * W + x) * 3;
            bytes[i] = (byte)(x * 5 + f * 20);
            bytes[i + 1] = (byte)(y * 7);
            bytes[i + 2] = (byte)((x * 3 + y * 11) % 256);
        }
        return bytes;
    }

    /// <summary>The picture a player shows: mirror left–right first when asked, then turn clockwise.</summary>
    private static float[,,] Shown(RgbPlanarFrame stored, int clockwise, bool mirrored)
    {
        int w = stored.Width, h = stored.Height;
        bool swap = clockwise is 90 or 270;
        var shown = new float[3, swap ? w : h, swap ? h : w];
        for (int c = 0; c < 3; c++)
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int mx = mirrored ? w - 1 - x : x;
            // Where stored (mx, y) lands after the clockwise turn.
            (int sx, int sy) = clockwise switch
            {
                90 => (h - 1 - y, mx),
                180 => (w - 1 - mx, h - 1 - y),
                270 => (y, w - 1 - mx),
                _ => (mx, y),
            };
            shown[c, sy, sx] = stored[c, y, x];
        }
        return shown;
    }

    // How each clip gets its matrix: ffmpeg's rotate tag (a stream copy), or the tkhd bytes for what ffmpeg
    // 5.1 cannot write (mirrors). Expected: the turn and mirror ffmpeg 5.1's own autorotate applies to the
    // same matrix (DisplayOrientationTests), i.e. what a player built on it shows.
    [Theory]
    [InlineData("rotate=90", 270, false)]
    [InlineData("rotate=180", 180, false)]
    [InlineData("rotate=270", 90, false)]
    [InlineData("-1 0 0 1", 0, true)]
    [InlineData("1 0 0 -1", 180, true)]
    [InlineData("0 1 1 0", 270, true)]
    [InlineData("0 -1 -1 0", 90, true)]
    public void Display_matrix_turns_and_mirrors_the_pixels_exactly(string matrix, int clockwise, bool mirrored)
    {
        using var temp = new TempFolder();
        string plain = temp.File("plain.mp4"), oriented = temp.File("oriented.mp4");
        // Lossless 4:4:4: the turn commutes exactly with the Y'CbCr → R'G'B' step, so equality is exact.
        Cli.EncodeKnownRgb(plain, Asymmetric(2), W, H, "bt709", "bt709");
        if (matrix.StartsWith("rotate=", StringComparison.Ordinal))
            Cli.Ffmpeg("-loglevel", "error", "-y", "-i", plain, "-c", "copy", "-metadata:s:v:0", matrix, oriented);
        else
        {
            File.Copy(plain, oriented);
            int[] m = matrix.Split(' ').Select(int.Parse).ToArray();
            Mp4DisplayMatrix.Write(oriented, m[0], m[1], m[2], m[3]);
        }

        using var stored = SdrVideoReader.Open(plain);
        var storedFrames = stored.ReadFrames().ToList();
        using var reader = SdrVideoReader.Open(oriented);
        var frames = reader.ReadFrames().ToList();

        Assert.Equal(new DisplayOrientation(clockwise, mirrored), reader.Info.Orientation);
        bool swap = clockwise is 90 or 270;
        Assert.Equal(swap ? (H, W) : (W, H), (reader.Width, reader.Height));
        Assert.Equal(2, frames.Count);
        for (int f = 0; f < frames.Count; f++)
        {
            float[,,] expected = Shown(storedFrames[f].Rgb, clockwise, mirrored);
            for (int c = 0; c < 3; c++)
            for (int y = 0; y < reader.Height; y++)
            for (int x = 0; x < reader.Width; x++)
                Assert.Equal(expected[c, y, x], frames[f].Rgb[c, y, x]);
        }
        var rotation = Assert.Single(reader.Adjustments, a => a.Topic == "rotation");
        output.WriteLine(rotation.Description);
        Assert.Contains(reader.Info.Orientation.Describe(), rotation.Description);
        Assert.Contains($"{W}×{H} stored, {reader.Width}×{reader.Height} shown", rotation.Description);
    }

    [Fact]
    public void Upright_clip_has_no_rotation_step()
    {
        using var temp = new TempFolder();
        string plain = temp.File("plain.mp4");
        Cli.EncodeKnownRgb(plain, Asymmetric(1), W, H, "bt709", "bt709");

        using var reader = SdrVideoReader.Open(plain);

        Assert.True(reader.Info.Orientation.IsUpright);
        Assert.DoesNotContain(reader.Adjustments, a => a.Topic == "rotation");
        Assert.Equal(["range"], reader.Adjustments.Select(a => a.Topic));
    }

    // Grey patches 0, 64, 128, 192, 255 coded once at full range (yuvj420p, Y' = the code) and once at limited
    // range (Y' = 16 + 219·v/255): read right, both give the same codes back; read with the other's range,
    // the greys move by up to 13 codes while black and white only clip.
    private static readonly int[] Greys = TestClips.GreyLevels;

    private static int[] PatchCodes(SdrFrame frame) =>
        Greys.Select((_, i) => (int)Math.Round(frame.Rgb[1, 8, i * 16 + 8] * 255)).ToArray();

    [Fact]
    public void Full_range_reads_0_to_255_and_limited_16_to_235_as_the_same_greys()
    {
        using var temp = new TempFolder();
        string full = temp.File("full.mp4"), limited = temp.File("limited.mp4"), wrong = temp.File("wrong.mp4");
        TestClips.Greys(full, "pc", "yuvj420p", "pc");
        TestClips.Greys(limited, "tv", "yuv420p", "tv");
        // Guard: full-range codes tagged limited (yuv420p, tv), as a careless transcode writes them.
        TestClips.Greys(wrong, "pc", "yuv420p", "tv");

        using var fullReader = SdrVideoReader.Open(full);
        using var limitedReader = SdrVideoReader.Open(limited);
        int[] fullCodes = PatchCodes(fullReader.ReadFrames().First());
        int[] limitedCodes = PatchCodes(limitedReader.ReadFrames().First());
        using var wrongReader = SdrVideoReader.Open(wrong);
        int[] wrongCodes = PatchCodes(wrongReader.ReadFrames().First());
        output.WriteLine($"full {string.Join(' ', fullCodes)} | limited {string.Join(' ', limitedCodes)} | full read as limited {string.Join(' ', wrongCodes)}");

        Assert.Equal("yuvj420p", fullReader.Info.PixelFormat);
        Assert.Equal(("pc", "tv"), (fullReader.Range, limitedReader.Range));
        // Lossless coding leaves only 8-bit Y' rounding (limited Y' steps are 255/219 codes): within 1.
        for (int i = 0; i < Greys.Length; i++)
        {
            Assert.InRange(fullCodes[i], Greys[i] - 1, Greys[i] + 1);
            Assert.InRange(limitedCodes[i], Greys[i] - 1, Greys[i] + 1);
        }
        // (64 − 16)·255/219 = 56 instead of 64, and 0 → 0 (clipped), 255 → 255 (clipped): only greys show it.
        Assert.True(Math.Abs(wrongCodes[1] - 64) >= 7, $"64 read as {wrongCodes[1]}");
        Assert.Equal("full: Y' 0–255 read as black–white (tagged pc, yuvj420p)", Assert.Single(fullReader.Adjustments).Description);
        Assert.Equal("limited: Y' 16–235 read as black–white (tagged tv)", Assert.Single(limitedReader.Adjustments).Description);
    }

    /// <summary>Centre of the bright columns of a frame (the bar's position).</summary>
    private static double BarCentre(RgbPlanarFrame frame)
    {
        double sum = 0, weight = 0;
        for (int x = 0; x < frame.Width; x++)
        {
            double column = 0;
            for (int y = 0; y < frame.Height; y++) column += frame[1, y, x];
            column /= frame.Height;
            if (column > 0.5) { sum += x * column; weight += column; }
        }
        return sum / weight;
    }

    [Theory]
    [InlineData(DeinterlaceRate.Frame, 8, 25, 8.0)]
    [InlineData(DeinterlaceRate.Field, 16, 50, 4.0)]
    public void Interlaced_mpeg2_is_deinterlaced_at_frame_or_field_rate(DeinterlaceRate rate, int expectedFrames, int fps, double step)
    {
        using var temp = new TempFolder();
        string path = temp.File("woven.mkv");
        TestClips.WovenBar(path, 8);
        // What the fields look like woven (no deinterlacer): ffmpeg's own decode.
        byte[] woven = Cli.FfmpegBytes(null, "-loglevel", "error", "-i", path, "-frames:v", "1", "-ss", "0.12", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1");
        double wovenCombing = TestClips.Combing((x, y) => woven[y * 128 + x], 128, 64);

        using var reader = SdrVideoReader.Open(path, new SdrReaderOptions { Deinterlace = rate });
        var frames = reader.ReadFrames().ToList();

        Assert.Equal("tt", reader.Info.FieldOrder);
        Assert.Equal(new ScanType(true, true, true, "field_order tt"), reader.Scan);
        Assert.Equal(new Rational(fps, 1), reader.FrameRate);
        Assert.Equal(expectedFrames, frames.Count);
        Assert.Equal(expectedFrames, reader.ExpectedFrameCount);
        Assert.Equal(Enumerable.Range(0, expectedFrames).Select(k => Math.Round(k / (double)fps, 3)), frames.Select(f => Math.Round(f.Pts, 3)));
        double worst = frames.Max(f => TestClips.Combing((x, y) => f.Rgb[1, y, x], 128, 64));
        var centres = frames.Select(f => BarCentre(f.Rgb)).ToList();
        output.WriteLine($"combing woven {wovenCombing:F3}, deinterlaced worst {worst:F3}; bar at {string.Join(' ', centres.Select(c => c.ToString("F1")))}");
        Assert.True(wovenCombing > 0.5, $"the woven frame combs ({wovenCombing:F3})");
        Assert.True(worst < 0.1 * wovenCombing, $"deinterlaced frames comb: {worst:F3} against {wovenCombing:F3} woven");
        // The bar moves 4 px per field: 8 px between frame-rate pictures, 4 px between field-rate ones.
        for (int k = 0; k + 1 < centres.Count; k++)
            Assert.InRange(centres[k + 1] - centres[k], step - 0.5, step + 0.5);
        Assert.Contains(reader.Adjustments, a => a.Topic == "interlacing"
            && a.Description == $"top field first (field_order tt): deinterlaced with bwdif, one picture per {(rate == DeinterlaceRate.Field ? "field" : "frame")}, {fps} fps");
    }

    [Fact]
    public void Untagged_woven_clip_is_found_by_idet_and_deinterlaced()
    {
        using var temp = new TempFolder();
        string path = temp.File("woven.avi");
        TestClips.WovenBar(path, 8, codec: "mpeg4");

        using var reader = SdrVideoReader.Open(path);
        var frames = reader.ReadFrames().ToList();

        Assert.Null(reader.Info.FieldOrder);
        Assert.True(reader.Scan.Interlaced);
        Assert.False(reader.Scan.FromTag);
        Assert.StartsWith("field order untagged; idet: ", reader.Scan.Evidence);
        Assert.Equal(8, frames.Count);
        Assert.True(frames.Max(f => TestClips.Combing((x, y) => f.Rgb[1, y, x], 128, 64)) < 0.1);
    }

    [Theory]
    [InlineData("[Parsed_idet_0 @ 0x1] Multi frame detection: TFF:    40 BFF:     0 Progressive:     0 Undetermined:     0", true, true)]
    [InlineData("Multi frame detection: TFF:     2 BFF:    30 Progressive:     1 Undetermined:    27", true, false)]
    [InlineData("Multi frame detection: TFF:     0 BFF:     0 Progressive:    42 Undetermined:    19", false, true)]
    [InlineData("Multi frame detection: TFF:     0 BFF:     0 Progressive:     0 Undetermined:    61", false, true)]
    [InlineData("Multi frame detection: TFF:    20 BFF:     0 Progressive:    15 Undetermined:     5", false, true)]
    [InlineData(null, false, true)]
    public void Idet_counts_make_a_verdict_only_on_clear_evidence(string? line, bool interlaced, bool topFirst)
    {
        ScanType scan = ScanDetection.Verdict(line);

        Assert.Equal((interlaced, topFirst), (scan.Interlaced, scan.TopFieldFirst));
        Assert.StartsWith("field order untagged; idet", scan.Evidence);
    }

    [Theory]
    [InlineData(false, 854, 480, 1, 1, "32:27 pixels resampled to square: 720×480 → 854×480")]
    [InlineData(true, 720, 480, 32, 27, "32:27 pixels kept: 720×480 stored, tagged 32:27 (shows as 853×480)")]
    public void Anamorphic_dvd_is_made_square_or_kept(bool keep, int width, int height, int sarNum, int sarDen, string said)
    {
        using var temp = new TempFolder();
        string path = temp.File("dvd.mp4");
        Cli.Ffmpeg("-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=720x480:r=25", "-frames:v", "1", "-vf", "setsar=32/27",
            "-c:v", "libx264", "-preset", "ultrafast", "-colorspace", "bt709", "-color_range", "tv", path);

        using var reader = SdrVideoReader.Open(path, new SdrReaderOptions { KeepSampleAspectRatio = keep });

        // 720 × 32/27 = 853.3 shown pixels; the nearest even width is 854.
        Assert.Equal((width, height), (reader.Width, reader.Height));
        Assert.Equal(new Rational(sarNum, sarDen), reader.SampleAspectRatio);
        Assert.Single(reader.ReadFrames());
        Assert.Equal(said, Assert.Single(reader.Adjustments, a => a.Topic == "pixel shape").Description);
    }

    [Fact]
    public void Kept_pixels_turn_with_the_picture()
    {
        using var temp = new TempFolder();
        string plain = temp.File("dvd.mp4"), turned = temp.File("turned.mp4");
        Cli.Ffmpeg("-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=720x480:r=25", "-frames:v", "1", "-vf", "setsar=32/27",
            "-c:v", "libx264", "-preset", "ultrafast", plain);
        Cli.Ffmpeg("-loglevel", "error", "-y", "-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", turned);

        using var reader = SdrVideoReader.Open(turned, new SdrReaderOptions { KeepSampleAspectRatio = true });

        // On their side, 32:27-wide pixels are 27:32 wide.
        Assert.Equal((480, 720), (reader.Width, reader.Height));
        Assert.Equal(new Rational(27, 32), reader.SampleAspectRatio);
    }

    [Fact]
    public void Undecodable_first_frames_are_filled_with_the_first_picture_to_keep_the_timing()
    {
        using var temp = new TempFolder();
        string whole = temp.File("whole.mp4"), cut = temp.File("cut.mp4");
        TestClips.CutWithoutKeyframe(whole, cut);
        var warnings = new List<string>();

        using var reader = SdrVideoReader.Open(cut, new SdrReaderOptions { Warning = warnings.Add });
        var frames = reader.ReadFrames().ToList();
        using var bare = SdrVideoReader.Open(cut, new SdrReaderOptions { HoldUndecodableStart = false });
        var decoded = bare.ReadFrames().ToList();

        Assert.Equal(17, reader.Info.FrameCount);
        Assert.Equal(10, decoded.Count);
        Assert.Equal(0.28, decoded[0].Pts, 6);
        Assert.Equal(17, frames.Count);
        Assert.Equal(Enumerable.Range(0, 17).Select(k => Math.Round(k * 0.04, 3)), frames.Select(f => Math.Round(f.Pts, 3)));
        for (int k = 0; k < 7; k++)
            Assert.Equal(frames[7].Rgb.Data, frames[k].Rgb.Data);
        Assert.Equal(decoded[0].Rgb.Data, frames[7].Rgb.Data);
        Assert.Equal(decoded[1].Rgb.Data, frames[8].Rgb.Data);
        string said = "the first 7 frames (0.28 s) could not be decoded; the first decodable picture is held over them, so the picture stays in sync with the sound";
        Assert.Equal(said, Assert.Single(reader.Adjustments, a => a.Topic == "timing").Description);
        Assert.Contains($"cut.mp4: {said}", warnings);
    }

    [Fact]
    public void Held_frames_count_towards_max_frames()
    {
        using var temp = new TempFolder();
        string whole = temp.File("whole.mp4"), cut = temp.File("cut.mp4");
        TestClips.CutWithoutKeyframe(whole, cut);

        using var reader = SdrVideoReader.Open(cut, new SdrReaderOptions { MaxFrames = 9 });

        Assert.Equal(9, reader.ReadFrames().Count());
    }
}
