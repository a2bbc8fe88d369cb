using System.Diagnostics;
using HdrUp.Conversion.QpEstimation;
using HdrUp.Media.Tests;
using Xunit.Abstractions;

namespace HdrUp.Conversion.Tests;

/// <summary>
/// QpEstimator on tiny clips encoded here at known QPs. The source is the bundled city sample
/// (real night footage, so the picture statistics see natural content), scaled to 128×96, 5 frames.
/// </summary>
public class QpEstimatorTests(ITestOutputHelper output)
{
    /// <summary>The QPs of the shipped KPNet models (paper §5.1).</summary>
    private static readonly int[] Trained = [32, 37, 42, 47];

    /// <summary>
    /// The dataset builder's x265 settings (src/HdrUp.Training/Dataset/Hevc.cs, copied because the media
    /// tests do not reference the training project): all-intra, every picture at exactly the QP.
    /// </summary>
    private static string TrainingX265(int qp) =>
        $"qp={qp}:keyint=1:min-keyint=1:scenecut=0:ipratio=1:aq-mode=0:psy-rd=0:psy-rdoq=0:log-level=error";

    private static string Encode(TempFolder temp, string name, params string[] codec)
    {
        string path = temp.File(name);
        Cli.Ffmpeg([
            "-hide_banner", "-loglevel", "error", "-y", "-i", Repo.Sample, "-frames:v", "5", "-an",
            "-vf", "scale=128:96,format=yuv420p", .. codec, path]);
        return path;
    }

    private QpEstimate Run(string path)
    {
        var clock = Stopwatch.StartNew();
        QpEstimate e = QpEstimator.Estimate(path, Trained);
        output.WriteLine($"{Path.GetFileName(path)}: {e.EquivalentQp:0.##} → {e.NearestQp} [{e.Signal}] {e.Reason} ({clock.ElapsedMilliseconds} ms)");
        return e;
    }

    [Theory]
    [InlineData(32)]
    [InlineData(47)]
    public void Hevc_intra_at_a_training_qp_is_read_exactly_from_the_slice_headers(int qp)
    {
        using var temp = new TempFolder();
        QpEstimate e = Run(Encode(temp, $"x265-intra-{qp}.mp4", "-c:v", "libx265", "-x265-params", TrainingX265(qp)));

        // All-intra HEVC at one QP: every slice header says init_qp + slice_qp_delta = qp, and the
        // training data are exactly such pictures, so no offset applies.
        Assert.Equal(qp, e.EquivalentQp, 6);
        Assert.Equal(qp, e.NearestQp);
        Assert.Equal("bitstream QP", e.Signal);
        Assert.Contains("hevc bitstream slice QP: I " + qp, e.Reason);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(47)]
    public void H264_inter_gop_at_a_training_qp_picks_that_qp(int qp)
    {
        using var temp = new TempFolder();
        QpEstimate e = Run(Encode(temp, $"x264-{qp}.mp4", "-c:v", "libx264", "-qp", qp.ToString()));

        // x264 -qp N codes I pictures at N − 3 (ipratio 1.4) and P/B at N and above; the calibration's
        // inter offset (+3.6) brings that back to N + 0.6. H.264 blocks may change QP, so a picture
        // estimate higher than that would be averaged in (here, at 128×96, it is lower: 36 for -qp 47).
        Assert.Equal(qp, e.NearestQp);
        Assert.InRange(e.EquivalentQp, qp - 2.5, qp + 2.5);
        Assert.StartsWith("bitstream QP", e.Signal);
        Assert.Contains($"h264 bitstream slice QP: I {qp - 3}", e.Reason);
    }

    [Fact]
    public void Lossless_clips_get_the_lowest_trained_qp()
    {
        using var temp = new TempFolder();
        QpEstimate ffv1 = Run(Encode(temp, "lossless.mkv", "-c:v", "ffv1"));
        QpEstimate h264 = Run(Encode(temp, "x264-qp0.mp4", "-c:v", "libx264", "-qp", "0"));

        Assert.Equal(0, ffv1.EquivalentQp);
        Assert.Equal("lossless codec", ffv1.Signal);
        Assert.Equal(32, ffv1.NearestQp);
        // x264 -qp 0 is lossless H.264 (transform bypass): slice QP 0, far below any trained QP.
        Assert.Equal(32, h264.NearestQp);
        Assert.InRange(h264.EquivalentQp, -5, 15);
    }

    [Fact]
    public void Codecs_without_a_readable_qp_fall_back_to_bits_per_pixel()
    {
        using var temp = new TempFolder();
        QpEstimate fine = Run(Encode(temp, "mpeg2-q2.mpg", "-c:v", "mpeg2video", "-q:v", "2"));
        QpEstimate coarse = Run(Encode(temp, "mpeg2-q31.mpg", "-c:v", "mpeg2video", "-q:v", "31"));

        Assert.Equal("bits per pixel + picture detail", fine.Signal);
        Assert.Contains("mpeg2video has no readable QP", fine.Reason);
        Assert.Contains("bit/pixel", fine.Reason);
        // MPEG-2 qscale 2 is near-transparent (calibration: city -q:v 3 ≈ HEVC-intra QP 23.5), qscale
        // 31 is MPEG-2's coarsest: the estimates must order them and put the fine one on the lowest model.
        Assert.Equal(32, fine.NearestQp);
        Assert.True(coarse.EquivalentQp > fine.EquivalentQp + 8, $"{coarse.EquivalentQp} vs {fine.EquivalentQp}");
    }

    [Fact]
    public void Sample_clip_is_fast_and_read_from_its_slice_headers()
    {
        var clock = Stopwatch.StartNew();
        QpEstimate e = Run(Repo.Sample);
        // samples/README.md: x264 -crf 23. trace_headers shows I 21 (both keyframes), P ≈ 24, B ≈ 27 over
        // the 75 frames; its distortion-equivalent HEVC-intra QP, from the calibration, is 28.3
        // (first 12 frames). Estimated 26.4 (bitstream 24.6 averaged with the picture's 28.2).
        Assert.Equal(32, e.NearestQp);
        Assert.InRange(e.EquivalentQp, 26, 33);
        Assert.Contains("I 21", e.Reason);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.Elapsed}");
    }

    [Fact]
    public void Unreadable_input_gives_the_probe_s_one_line_errors()
    {
        using var temp = new TempFolder();
        string text = temp.File("notes.mp4");
        File.WriteAllText(text, "not a video\n");

        var missing = Assert.Throws<FileNotFoundException>(() => QpEstimator.Estimate(temp.File("none.mp4"), Trained));
        var invalid = Assert.Throws<InvalidDataException>(() => QpEstimator.Estimate(text, Trained));
        Assert.Equal("none.mp4: file not found", missing.Message);
        Assert.Equal("notes.mp4: not a video or image file (it contains text)", invalid.Message);
        Assert.Throws<ArgumentException>(() => QpEstimator.Estimate(Repo.Sample, []));
    }

    [Fact]
    public void Trace_lines_give_slice_qp_per_picture()
    {
        // Lines as ffmpeg 5.1 trace_headers prints them for samples/city.mp4 (seek to 1.5 s): PPS
        // pic_init_qp_minus26 = −3, an IDR I slice with slice_qp_delta 4 (QP 27) and a B slice with 7 (QP 30).
        string[] lines =
        [
            "[trace_headers @ 0x1] Picture Parameter Set",
            "[trace_headers @ 0x1] 8           pic_parameter_set_id                                        1 = 0",
            "[trace_headers @ 0x1] 22          pic_init_qp_minus26                                     00111 = -3",
            "[trace_headers @ 0x1] Packet: 38659 bytes, key frame, pts -19200, dts -20224, duration 512.",
            "[trace_headers @ 0x1] Slice Header",
            "[trace_headers @ 0x1] 9           slice_type                                            0001000 = 7",
            "[trace_headers @ 0x1] 16          pic_parameter_set_id                                        1 = 0",
            "[trace_headers @ 0x1] 30          slice_qp_delta                                        0001000 = 4",
            "[trace_headers @ 0x1] [info] Packet: 734 bytes, pts -18176, dts -19200, duration 512.",
            "[trace_headers @ 0x1] [info] Slice Header",
            "[trace_headers @ 0x1] [info] 9           slice_type                                            00111 = 6",
            "[trace_headers @ 0x1] [info] 14          pic_parameter_set_id                                        1 = 0",
            "[trace_headers @ 0x1] [info] 33          slice_qp_delta                                        0001110 = 7",
        ];
        var pictures = StreamSampler.ParseTrace(lines, "h264");

        Assert.Equal(
            new[] { new CodedPicture("-19200", 38659, true, PictureType.I, 27, true), new CodedPicture("-18176", 734, false, PictureType.B, 30, true) },
            pictures);
    }

    [Fact]
    public void Luma_statistics_of_known_planes()
    {
        const int w = 32, h = 16;
        var flat = new byte[w * h];
        Array.Fill(flat, (byte)100);
        // 8×8 blocks alternating 0 and 10: every difference across a block edge is 10, none inside.
        var blocks = new byte[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                blocks[y * w + x] = (byte)(((x / 8 + y / 8) % 2) * 10);

        Assert.Equal(new LumaStatistics(1, 0, 1), LumaStatistics.Measure(flat, w, h));
        // Blockiness = (10 + 0.5) / (0 + 0.5) = 21.
        Assert.Equal(new LumaStatistics(21, 0, 1), LumaStatistics.Measure(blocks, w, h));
    }
}
