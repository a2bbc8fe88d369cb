using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using HdrUp.Color;
using HdrUp.TestSupport;
using Xunit.Abstractions;

namespace HdrUp.Cli.Tests;

/// <summary>
/// The input corpus of issue #21, made here by ffmpeg (a few frames, 64–720 px): turned and mirrored
/// phone clips, full-range and interlaced video, anamorphic DVD, variable frame rate, a stream that
/// starts without a keyframe and audio longer than the picture. Each goes through
/// <c>hdrup convert --method bt2408</c> (the cheapest mapping) and the output is checked with ffprobe
/// and ffmpeg for what a player would show: size, rotation, pixel shape, range, field order, frame
/// count, durations, and the picture itself where it matters.
/// </summary>
public class ConvertInputCorpusTests(ITestOutputHelper output)
{
    /// <summary>
    /// What ffprobe says about a file's video and audio. Times are packet times (pts, pts + duration),
    /// seconds: the video's span is how long the picture plays, and the audio's end less the video's
    /// start is where the sound stops against the picture (Matroska shifts both by the AAC priming).
    /// </summary>
    private sealed record Probed(
        int Width, int Height, string SampleAspectRatio, string DisplayAspectRatio, bool HasDisplayMatrix,
        string ColorRange, string FieldOrder, string FrameRate, int Frames,
        double VideoStart, double VideoEnd, double AudioStart, double AudioEnd, double Duration)
    {
        public double VideoSpan => VideoEnd - VideoStart;
        public double AudioEndAgainstPicture => AudioEnd - VideoStart;
        public double AudioStartAgainstPicture => AudioStart - VideoStart;
    }

    private static Probed Probe(string path)
    {
        using var json = JsonDocument.Parse(TestClips.Ffprobe("-count_packets", "-show_streams", "-show_format", "-of", "json", path));
        var streams = json.RootElement.GetProperty("streams").EnumerateArray().ToList();
        JsonElement video = streams.First(s => s.GetProperty("codec_type").GetString() == "video");
        string Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ToString() : "";
        var (videoStart, videoEnd) = StreamSpan(path, "v");
        var (audioStart, audioEnd) = StreamSpan(path, "a");
        return new Probed(
            video.GetProperty("width").GetInt32(), video.GetProperty("height").GetInt32(),
            Text(video, "sample_aspect_ratio"), Text(video, "display_aspect_ratio"),
            video.TryGetProperty("side_data_list", out var side) && side.ToString().Contains("Display Matrix"),
            Text(video, "color_range"), Text(video, "field_order"), Text(video, "avg_frame_rate"),
            int.Parse(Text(video, "nb_read_packets"), CultureInfo.InvariantCulture),
            videoStart, videoEnd, audioStart, audioEnd,
            double.Parse(json.RootElement.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture));
    }

    /// <summary>First pts and last pts + duration of a stream's packets (discarded priming packets skipped); 0, 0 without that stream.</summary>
    private static (double Start, double End) StreamSpan(string path, string stream)
    {
        double start = double.PositiveInfinity, end = 0;
        foreach (string line in TestClips.Ffprobe("-select_streams", stream, "-show_entries", "packet=pts_time,duration_time,flags", "-of", "csv=p=0", path)
                     .Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(',');
            if (f.Length < 3 || f[2].Contains('D')) continue;
            if (!double.TryParse(f[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double pts)) continue;
            // Matroska leaves the duration of some packets out (N/A): they end where they start, at least.
            double duration = double.TryParse(f[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : 0;
            start = Math.Min(start, pts);
            end = Math.Max(end, pts + duration);
        }
        return double.IsInfinity(start) ? (0, 0) : (start, end);
    }

    /// <summary>The convert summary as one line of words (the table's borders and wrapping removed).</summary>
    private static string Said(string console) => Regex.Replace(console.Replace("│", " "), @"\s+", " ");

    private async Task<(CliHarness.Outcome Run, Probed Out, string Said)> Convert(string input, string result, params string[] extra)
    {
        var run = await CliHarness.Run(["convert", input, "-o", result, "--method", "bt2408", "--preset", "ultrafast", .. extra]);
        output.WriteLine(run.Output + run.Error);
        Assert.True(run.ExitCode == 0, run.Error);
        return (run, Probe(result), Said(run.Output));
    }

    // Rotations: ffmpeg's rotate tag on a stream copy (the issue's recipe). Mirrors: the MP4 tkhd matrix,
    // written by Mp4DisplayMatrix because ffmpeg 5.1 has no way to write one. Expected: where the four
    // quadrants of "AB/CD" end up on screen (see DisplayOrientationTests for the turn each matrix means).
    [Theory]
    [InlineData("rotate=90", "BD/AC", ".mkv")]
    [InlineData("rotate=90", "BD/AC", ".mp4")]
    [InlineData("rotate=180", "DC/BA", ".mkv")]
    [InlineData("rotate=180", "DC/BA", ".mp4")]
    [InlineData("rotate=270", "CA/DB", ".mkv")]
    [InlineData("rotate=270", "CA/DB", ".mp4")]
    [InlineData("-1 0 0 1", "BA/DC", ".mkv")]
    [InlineData("-1 0 0 1", "BA/DC", ".mp4")]
    [InlineData("1 0 0 -1", "CD/AB", ".mkv")]
    [InlineData("0 1 1 0", "AC/BD", ".mkv")]
    [InlineData("0 -1 -1 0", "DB/CA", ".mp4")]
    public async Task Turned_or_mirrored_phone_clip_comes_out_as_it_played(string matrix, string shownLayout, string container)
    {
        string dir = CliHarness.TempFolder();
        string plain = Path.Combine(dir, "plain.mp4"), phone = Path.Combine(dir, "phone.mp4"), result = Path.Combine(dir, "hdr" + container);
        TestClips.Quadrants(plain, 320, 180, 3);
        if (matrix.StartsWith("rotate=", StringComparison.Ordinal))
            TestClips.Ffmpeg("-i", plain, "-c", "copy", "-metadata:s:v:0", matrix, phone);
        else
        {
            File.Copy(plain, phone);
            int[] m = matrix.Split(' ').Select(int.Parse).ToArray();
            Mp4DisplayMatrix.Write(phone, m[0], m[1], m[2], m[3]);
        }

        var (_, probed, said) = await Convert(phone, result);

        var (played, playedWidth, playedHeight) = TestClips.Shown(phone);
        var (shown, width, height) = TestClips.Shown(result);
        Assert.Equal("AB/CD", TestClips.QuadrantLayout(TestClips.Shown(plain).Grey, 320, 180));
        Assert.Equal(shownLayout, TestClips.QuadrantLayout(played, playedWidth, playedHeight));
        Assert.Equal(shownLayout, TestClips.QuadrantLayout(shown, width, height));
        // Stored upright: the size as shown, no display matrix left for a player to honour or ignore.
        Assert.Equal((playedWidth, playedHeight), (probed.Width, probed.Height));
        Assert.False(probed.HasDisplayMatrix);
        Assert.Equal(3, probed.Frames);
        Assert.Matches(@"rotation (turned|mirrored|flipped) [^:]*, as the display matrix says \([a-z_=,]+\): 320×180 stored, " + $"{probed.Width}×{probed.Height} shown", said);
    }

    [Fact]
    public async Task Full_range_black_grey_and_white_give_the_same_light_as_limited_range()
    {
        string dir = CliHarness.TempFolder();
        string full = Path.Combine(dir, "full.mp4"), limited = Path.Combine(dir, "limited.mp4");
        TestClips.Greys(full, "pc", "yuvj420p", "pc", frames: 2);
        TestClips.Greys(limited, "tv", "yuv420p", "tv", frames: 2);

        var (_, fullOut, fullSaid) = await Convert(full, Path.Combine(dir, "full.mkv"));
        var (_, limitedOut, limitedSaid) = await Convert(limited, Path.Combine(dir, "limited.mkv"));

        // The stored Y' codes (yuv420p10le as coded; a conversion to gray10le would stretch limited to full range).
        int[] Codes(string path)
        {
            byte[] y = TestClips.Ffmpeg("-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "yuv420p10le", "pipe:1");
            return TestClips.GreyLevels.Select((_, i) => y[2 * (8 * 80 + 16 * i + 8)] | (y[2 * (8 * 80 + 16 * i + 8) + 1] << 8)).ToArray();
        }
        int[] fromFull = Codes(Path.Combine(dir, "full.mkv")), fromLimited = Codes(Path.Combine(dir, "limited.mkv"));
        output.WriteLine($"PQ Y' (10-bit) from full range {string.Join(' ', fromFull)}, from limited {string.Join(' ', fromLimited)}");

        Assert.Contains("range full: Y' 0–255 read as black–white (tagged pc, yuvj420p)", fullSaid);
        Assert.Contains("range limited: Y' 16–235 read as black–white (tagged tv)", limitedSaid);
        Assert.Equal(("tv", "tv"), (fullOut.ColorRange, limitedOut.ColorRange));
        // BT.2408 puts SDR black at 0 cd/m² (PQ 0 → Y' 64) and white at 203 cd/m² (PQ 0.5806 → 64 + 876·0.5806 = 572.6).
        int white = (int)Math.Round(64 + 876 * St2084.InverseEotf(Bt2408.ReferenceWhite));
        Assert.InRange(fromFull[0], 63, 65);
        Assert.InRange(fromFull[^1], white - 2, white + 2);
        // Same light from both: x265 at CRF 18 on flat patches leaves at most a code or two.
        for (int i = 0; i < fromFull.Length; i++)
            Assert.InRange(fromFull[i] - fromLimited[i], -2, 2);
    }

    [Theory]
    [InlineData("mpeg2video", ".mkv", "frame", 8, "25/1", "top field first (field_order tt): deinterlaced with bwdif, one picture per frame, 25 fps")]
    [InlineData("mpeg2video", ".mkv", "field", 16, "50/1", "top field first (field_order tt): deinterlaced with bwdif, one picture per field, 50 fps")]
    [InlineData("mpeg4", ".avi", "frame", 8, "25/1", "top field first (field order untagged; idet: ")]
    public async Task Interlaced_video_comes_out_progressive_without_combs(string codec, string extension, string rate, int frames, string fps, string said)
    {
        string dir = CliHarness.TempFolder();
        string woven = Path.Combine(dir, "woven" + extension), result = Path.Combine(dir, "out.mkv");
        TestClips.WovenBar(woven, 8, codec);

        var (_, probed, summary) = await Convert(woven, result, "--deinterlace", rate);

        var wovenFrame = TestClips.Shown(woven, 3).Grey;
        double before = TestClips.Combing((x, y) => wovenFrame[y * 128 + x], 128, 64);
        double after = TestClips.ShownFrames(result).Max(f => TestClips.Combing((x, y) => f[y * 128 + x], 128, 64));
        output.WriteLine($"combing: input as decoded {before:F3}, output worst frame {after:F3}");
        Assert.Equal("progressive", probed.FieldOrder);
        Assert.Equal((128, 64), (probed.Width, probed.Height));
        Assert.Equal(frames, probed.Frames);
        Assert.Equal(fps, probed.FrameRate);
        Assert.Equal(0.32, probed.VideoSpan, 3);
        // Measured: woven 3.99; the deinterlaced frames 0.002 before encoding (SdrVideoReaderInputTests), and
        // 0.06–0.14 in the output, where x265 ultrafast's ringing along the bar adds vertical change.
        Assert.True(before > 2, $"the input's woven frames comb ({before:F3})");
        Assert.True(after < 0.05 * before, $"output combs ({after:F3} against {before:F3} woven)");
        Assert.Contains("interlacing " + said, summary);
    }

    [Theory]
    [InlineData(false, ".mkv", 854, 480, "1:1")]
    [InlineData(true, ".mkv", 720, 480, "32:27")]
    [InlineData(true, ".mp4", 720, 480, "32:27")]
    public async Task Anamorphic_dvd_is_resampled_to_square_or_keeps_its_pixels(bool keep, string container, int width, int height, string sar)
    {
        string dir = CliHarness.TempFolder();
        string dvd = Path.Combine(dir, "dvd.mpg"), result = Path.Combine(dir, "out" + container);
        TestClips.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=720x480:r=30000/1001", "-frames:v", "2", "-vf", "setsar=32/27",
            "-c:v", "mpeg2video", "-q:v", "4", "-colorspace", "smpte170m", "-color_range", "tv", dvd);

        var (_, probed, said) = await Convert(dvd, result, keep ? ["--keep-sar"] : []);

        Assert.Equal((width, height), (probed.Width, probed.Height));
        // Square pixels are left untagged (ffprobe: N/A), which every player reads as 1:1.
        Assert.Equal(sar, probed.SampleAspectRatio is "N/A" or "" ? "1:1" : probed.SampleAspectRatio);
        // 720×480 at 32:27 shows as 853⅓×480 = 16:9; 854×480 is the nearest even width (DAR 427:240).
        if (keep) Assert.Equal("16:9", probed.DisplayAspectRatio);
        Assert.Equal(2, probed.Frames);
        Assert.Contains(keep
            ? "pixel shape 32:27 pixels kept: 720×480 stored, tagged 32:27 (shows as 853×480)"
            : "pixel shape 32:27 pixels resampled to square: 720×480 → 854×480 (--keep-sar keeps them)", said);
    }

    [Fact]
    public async Task Variable_frame_rate_keeps_its_duration()
    {
        string dir = CliHarness.TempFolder();
        string vfr = Path.Combine(dir, "vfr.mp4");
        // Ten frames: five 0.1 s apart, then five 0.2 s apart (1.4 s; average 50/7 fps, base 10 fps).
        TestClips.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=64x48:r=10:d=1", "-vf", "setpts='if(lt(N,5),N*0.1,0.5+(N-5)*0.2)/TB'",
            "-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "ultrafast", "-colorspace", "bt709", "-color_range", "tv", vfr);

        var (run, probed, said) = await Convert(vfr, Path.Combine(dir, "out.mkv"));

        Assert.Equal(10, probed.Frames);
        Assert.Equal("50/7", probed.FrameRate);
        Assert.Equal(1.4, probed.VideoSpan, 3);
        Assert.Contains("timing variable frame rate (average 50/7, base 10/1); resampled to a constant 50/7 fps", said);
        Assert.Contains("variable frame rate", run.Error);
    }

    [Fact]
    public async Task Stream_starting_without_a_keyframe_holds_its_first_picture_and_stays_in_sync()
    {
        string dir = CliHarness.TempFolder();
        string whole = Path.Combine(dir, "whole.mp4"), cut = Path.Combine(dir, "cut.mp4"), result = Path.Combine(dir, "out.mkv");
        TestClips.CutWithoutKeyframe(whole, cut);
        var input = Probe(cut);

        var (run, probed, said) = await Convert(cut, result);

        var frames = TestClips.ShownFrames(result);
        double Difference(byte[] a, byte[] b) => a.Zip(b, (p, q) => Math.Abs(p - q)).Average();
        output.WriteLine($"mean |Δ| frame k → 7: {string.Join(' ', Enumerable.Range(0, 7).Select(k => Difference(frames[k], frames[7]).ToString("F2")))}; 7 → 8: {Difference(frames[7], frames[8]):F2}");
        // A player plays 17 frames' time, 0.68 s, with the tone from 0.008 s; so does the output, the first picture shown from the start.
        Assert.Equal((17, 0.0, 0.68), (input.Frames, input.VideoStart, Math.Round(input.VideoEnd, 3)));
        Assert.Equal(17, probed.Frames);
        Assert.Equal(0.68, probed.VideoSpan, 3);
        Assert.Equal(input.AudioStartAgainstPicture, probed.AudioStartAgainstPicture, 3);
        // Matroska has no edit list, so the last AAC packet keeps its whole 21 ms where the MP4 trims it: within 10 ms.
        Assert.Equal(input.AudioEndAgainstPicture, probed.AudioEndAgainstPicture, 0.01);
        Assert.Equal(17, frames.Count);
        for (int k = 0; k < 7; k++)
            Assert.True(Difference(frames[k], frames[7]) < 0.5, $"frame {k} is not the held picture");
        Assert.True(Difference(frames[7], frames[8]) > 2, "the bar moves after the held picture");
        Assert.Contains("timing the first 7 frames (0.28 s) could not be decoded; the first decodable picture is held over them", said);
        Assert.Contains("hdrup: warning: cut.mp4: the first 7 frames", run.Error);
    }

    [Fact]
    public async Task Stream_without_any_keyframe_is_one_error_line()
    {
        string dir = CliHarness.TempFolder();
        string whole = Path.Combine(dir, "whole.mp4"), cut = Path.Combine(dir, "cut.mp4"), result = Path.Combine(dir, "out.mkv");
        TestClips.CutWithoutKeyframe(whole, cut, gop: 250);

        var run = await CliHarness.Run("convert", cut, "-o", result, "--method", "bt2408");

        output.WriteLine(run.Error);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("hdrup: error: cut.mp4: no picture could be decoded (the video has no keyframe to start from, or its data is damaged)", run.Error.Trim().Split('\n')[^1]);
        Assert.Single(run.Error.Trim().Split('\n'), l => l.StartsWith("hdrup: error:"));
        Assert.False(File.Exists(result));
    }

    [Theory]
    [InlineData(".mkv")]
    [InlineData(".mp4")]
    public async Task Audio_longer_than_the_picture_is_kept_whole(string container)
    {
        string dir = CliHarness.TempFolder();
        string clip = Path.Combine(dir, "talk.mp4"), result = Path.Combine(dir, "out" + container);
        // 8 frames (0.32 s) of picture, 1 s of tone (each source ends by itself; -frames:v would end the tone too).
        TestClips.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=64x48:r=25:d=0.32", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=1",
            "-c:v", "libx264", "-preset", "ultrafast", "-colorspace", "bt709", "-color_range", "tv", "-c:a", "aac", clip);
        var input = Probe(clip);

        var (_, probed, _) = await Convert(clip, result);

        // As a player does: the picture for 0.32 s (then its last frame held), the sound to its end.
        Assert.Equal((8, 0.32), (input.Frames, Math.Round(input.VideoSpan, 3)));
        Assert.InRange(input.AudioEndAgainstPicture, 0.99, 1.03);
        Assert.Equal(8, probed.Frames);
        Assert.Equal(0.32, probed.VideoSpan, 3);
        // Matroska keeps the last AAC packet whole (no edit list): within 10 ms.
        Assert.Equal(input.AudioEndAgainstPicture, probed.AudioEndAgainstPicture, 0.01);
        Assert.Equal(input.Duration, probed.Duration, 0.03);
    }
}
