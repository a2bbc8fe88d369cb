using Xunit.Abstractions;
using System.Text.Json;
using HdrUp.Color;
using HdrUp.Core;

namespace HdrUp.Media.Tests;

public class Hdr10EncoderTests(ITestOutputHelper output)
{
    private const int W = 128, H = 96;

    /// <summary>
    /// 32×32 flat patches of PQ code values spread over [0.05, 0.95] (deterministic, no RNG), shifted
    /// per frame so that inter prediction has something to do.
    /// </summary>
    private static RgbPlanarFrame PatchFrame(int index)
    {
        var frame = new RgbPlanarFrame(W, H);
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
        {
            int patch = (y / 32) * 4 + x / 32 + index;
            for (int c = 0; c < 3; c++)
                frame[c, y, x] = 0.05f + 0.9f * ((patch * 7 + c * 5) % 12) / 11f;
        }
        return frame;
    }

    private static JsonElement ProbeJson(string path, params string[] extra)
    {
        string json = Cli.Ffprobe(["-v", "error", "-print_format", "json", .. extra, path]);
        return JsonDocument.Parse(json).RootElement;
    }

    [Fact]
    public void Hdr10_stream_carries_the_signalling_and_the_pixels()
    {
        using var temp = new TempFolder();
        string path = temp.File("out.mkv");
        var frames = Enumerable.Range(0, 3).Select(PatchFrame).ToList();
        var light = new ContentLightLevel(1000, 400);

        using (var encoder = Hdr10Encoder.Create(path, W, H, new Hdr10EncoderOptions { FrameRate = new Rational(25, 1), LightLevel = light }))
        {
            foreach (var f in frames) encoder.WriteFrame(f);
            encoder.Complete();
        }

        JsonElement stream = ProbeJson(path, "-show_streams").GetProperty("streams")[0];
        Assert.Equal("hevc", stream.GetProperty("codec_name").GetString());
        Assert.Equal("Main 10", stream.GetProperty("profile").GetString());
        Assert.Equal("yuv420p10le", stream.GetProperty("pix_fmt").GetString());
        Assert.Equal("tv", stream.GetProperty("color_range").GetString());
        Assert.Equal("bt2020nc", stream.GetProperty("color_space").GetString());
        Assert.Equal("smpte2084", stream.GetProperty("color_transfer").GetString());
        Assert.Equal("bt2020", stream.GetProperty("color_primaries").GetString());
        Assert.Equal("25/1", stream.GetProperty("avg_frame_rate").GetString());

        var sideData = ProbeJson(path, "-show_frames", "-read_intervals", "%+#1", "-show_entries", "frame=side_data_list")
            .GetProperty("frames")[0].GetProperty("side_data_list").EnumerateArray().ToList();
        JsonElement mastering = sideData.Single(d => d.GetProperty("side_data_type").GetString() == "Mastering display metadata");
        JsonElement cll = sideData.Single(d => d.GetProperty("side_data_type").GetString() == "Content light level metadata");
        // P3-D65 1000 cd/m²: x265 units of 0.00002 (xy) and 0.0001 cd/m², as in the master-display string.
        Assert.Equal("34000/50000", mastering.GetProperty("red_x").GetString());
        Assert.Equal("13250/50000", mastering.GetProperty("green_x").GetString());
        Assert.Equal("15635/50000", mastering.GetProperty("white_point_x").GetString());
        Assert.Equal("10000000/10000", mastering.GetProperty("max_luminance").GetString());
        Assert.Equal("1/10000", mastering.GetProperty("min_luminance").GetString());
        Assert.Equal(1000, cll.GetProperty("max_content").GetInt32());
        Assert.Equal(400, cll.GetProperty("max_average").GetInt32());

        // Decode back with the BT.2020 NCL matrix, limited range, to 16-bit R'G'B'.
        byte[] raw = Cli.FfmpegBytes(null, "-loglevel", "error", "-i", path,
            "-vf", "scale=in_color_matrix=bt2020:in_range=tv:flags=accurate_rnd+full_chroma_int,format=gbrp16le",
            "-f", "rawvideo", "-pix_fmt", "gbrp16le", "pipe:1");
        Assert.Equal(3 * W * H * 6, raw.Length);
        double worst = 0, sum = 0;
        int count = 0;
        int[] gbrToRgb = [1, 2, 0];
        for (int f = 0; f < 3; f++)
        for (int p = 0; p < 3; p++)
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
        {
            // Patch interiors only: 4:2:0 chroma filters reach ~4 luma pixels across a patch edge.
            if (x % 32 is < 6 or > 25 || y % 32 is < 6 or > 25) continue;
            int at = 2 * (((f * 3 + p) * H + y) * W + x);
            double decoded = (raw[at] | raw[at + 1] << 8) / 65535.0;
            double error = Math.Abs(decoded - frames[f][gbrToRgb[p], y, x]);
            worst = Math.Max(worst, error);
            sum += error;
            count++;
        }
        // Tolerance. Conversion alone: 10-bit limited-range steps are 1/876 (Y') and 1/896 (Cb', Cr'), and
        // R' = Y' + 1.47 Cr', B' = Y' + 1.88 Cb' amplify them to ≤ ~0.002 (measured 0.0018 with lossless x265).
        // Compression: a flat patch is mostly its DC coefficient, quantised at CRF 18 with QP ≈ 22 on
        // I-frames, step 2^((22−4)/6) = 8 eight-bit codes = 32 ten-bit codes; rounding leaves up to half a
        // step, ~0.016, in Y' and again in chroma. Measured worst 0.0177, mean 0.0017. Allow 0.03 / 0.005.
        output.WriteLine($"HDR10 round trip, patch interiors: worst {worst:F5}, mean {sum / count:F5}");
        Assert.InRange(worst, 0, 0.03);
        Assert.InRange(sum / count, 0, 0.005);
    }

    [Fact]
    public void Mp4_gets_hvc1_and_the_source_audio()
    {
        using var temp = new TempFolder();
        string path = temp.File("city-hdr.mp4");
        using var reader = SdrVideoReader.Open(Repo.Sample, new SdrReaderOptions { MaxFrames = 8 });
        var options = new Hdr10EncoderOptions
        {
            FrameRate = reader.FrameRate,
            LightLevel = new ContentLightLevel(100, 20),
            StreamSource = Repo.Sample,
            Duration = 8 / 25.0,
            Preset = "ultrafast",
        };

        using (var encoder = Hdr10Encoder.Create(path, reader.Width, reader.Height, options))
        {
            // SDR code values stand in for a network's PQ output: the container work is what is tested.
            foreach (SdrFrame frame in reader.ReadFrames()) encoder.WriteFrame(frame.Rgb);
            encoder.Complete();
        }

        MediaInfo info = MediaProbe.Probe(path);
        JsonElement video = ProbeJson(path, "-show_streams", "-select_streams", "v:0").GetProperty("streams")[0];
        Assert.Equal("hvc1", video.GetProperty("codec_tag_string").GetString());
        Assert.Equal("hevc", info.Codec);
        Assert.True(info.IsHdr);
        Assert.Equal(8, info.FrameCount);
        Assert.Equal(["aac"], info.AudioCodecs);
        // Audio copied, then cut at 8 frames = 0.32 s; AAC packets are 1024/48000 s, hence the slack.
        Assert.InRange(info.Duration, 0.30, 0.36);
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp"));
    }

    [Theory]
    [InlineData("out.mkv", "subrip")]
    [InlineData("out.mp4", "mov_text")] // MP4 holds text subtitles only as mov_text
    public void Subtitles_and_chapters_are_carried_over(string name, string subtitleCodec)
    {
        using var temp = new TempFolder();
        string source = temp.File("source.mkv"), output = temp.File(name);
        File.WriteAllText(temp.File("subs.srt"), "1\n00:00:00,000 --> 00:00:00,300\nHello\n");
        File.WriteAllText(temp.File("chapters.txt"),
            ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=200\ntitle=One\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=200\nEND=400\ntitle=Two\n");
        Cli.Ffmpeg("-loglevel", "error", "-i", Repo.Sample, "-i", temp.File("subs.srt"), "-i", temp.File("chapters.txt"),
            "-map", "0", "-map", "1", "-map_chapters", "2", "-t", "0.4", "-c:v", "copy", "-c:a", "copy", "-c:s", "srt", source);

        using (var encoder = Hdr10Encoder.Create(output, W, H, new Hdr10EncoderOptions
               {
                   FrameRate = new Rational(25, 1), LightLevel = new ContentLightLevel(1000, 400),
                   StreamSource = source, Preset = "ultrafast",
               }))
        {
            for (int i = 0; i < 10; i++) encoder.WriteFrame(PatchFrame(i));
            encoder.Complete();
        }

        MediaInfo info = MediaProbe.Probe(output);
        Assert.Equal(["aac"], info.AudioCodecs);
        Assert.Equal([subtitleCodec], info.SubtitleCodecs);
        Assert.True(info.HasChapters);
        Assert.Equal(10, info.FrameCount);
    }

    [Fact]
    public void Cancellation_leaves_no_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("cancelled.mkv");
        using var cts = new CancellationTokenSource();
        var encoder = Hdr10Encoder.Create(path, W, H, new Hdr10EncoderOptions { FrameRate = new Rational(25, 1), LightLevel = new ContentLightLevel(1000, 400) });
        encoder.WriteFrame(PatchFrame(0), cts.Token);
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => encoder.WriteFrame(PatchFrame(1), cts.Token));
        encoder.Dispose();

        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Dispose_without_complete_deletes_the_partial_file()
    {
        using var temp = new TempFolder();
        using (var encoder = Hdr10Encoder.Create(temp.File("abandoned.mkv"), W, H,
                   new Hdr10EncoderOptions { FrameRate = new Rational(25, 1), LightLevel = new ContentLightLevel(1000, 400) }))
        {
            encoder.WriteFrame(PatchFrame(0));
        }
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Encoder_failure_is_one_line_and_leaves_no_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("bad.mkv");
        var options = new Hdr10EncoderOptions { FrameRate = new Rational(25, 1), LightLevel = new ContentLightLevel(1000, 400), Preset = "no-such-preset" };

        var e = Assert.Throws<IOException>(() =>
        {
            using var encoder = Hdr10Encoder.Create(path, W, H, options);
            for (int i = 0; i < 50; i++) encoder.WriteFrame(PatchFrame(i));
            encoder.Complete();
        });

        output.WriteLine(e.Message);
        Assert.StartsWith("bad.mkv: encoding failed (ffmpeg: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Existing_destination_is_kept_unless_overwrite()
    {
        using var temp = new TempFolder();
        string path = temp.File("exists.mkv");
        File.WriteAllText(path, "keep me");
        var e = Assert.Throws<IOException>(() => Hdr10Encoder.Create(path, W, H,
            new Hdr10EncoderOptions { FrameRate = new Rational(25, 1), LightLevel = new ContentLightLevel(1, 1) }));
        Assert.Equal("exists.mkv: already exists (overwrite not allowed)", e.Message);
        Assert.Equal("keep me", File.ReadAllText(path));
    }

    [Fact]
    public void Master_display_strings_match_x265_documentation()
    {
        // x265 docs' P3-D65 1000-nit example, and BT.2020 primaries (BT.2020 Table 3) in 0.00002 units.
        Assert.Equal("G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)", MasteringDisplay.P3D65_1000.ToX265());
        Assert.Equal("G(8500,39850)B(6550,2300)R(35400,14600)WP(15635,16450)L(10000000,1)", MasteringDisplay.Bt2020_1000.ToX265());
    }
}
